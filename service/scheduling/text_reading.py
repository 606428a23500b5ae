"""Reading the texts the SMS webhook stored (domain/replies/received.py).

Each text is read exactly as the webhook used to read it (domain/replies/inbound.py:
who wrote, what it answers, what it changes, whose inbox), in a transaction that also
deletes the stored row, so a crash leaves it stored and it is read by the next pass.

How it reads, so that a person's words stay ahead of automated contact:
- A pass reads every waiting text before it claims reminders, and the dispatch reads
  them again before each batch it prepares, so a LOPETA stored while a long drain runs
  is in force before the next batch's checks (scheduling/dispatch.py).
- One reader at a time (in a process a lock; across processes, on PostgreSQL, a
  transaction-level advisory lock; SQLite runs in one process), in the order the
  texts arrived: a LOPETA and then an ALOITA from one number are read in that order.
- Up to BATCH texts are read in one transaction; if one of them fails, the batch is
  rolled back and read one text a transaction, so a fault in one costs no other.
A reading that fails (a fault, not the words: those always land in an inbox) is tried
again at later passes, MAX_ATTEMPTS times in all. Meanwhile nothing automated goes to
its number (received.unsure_of); a later reading that succeeds makes what that held due
at once. After the last try the text is filed unread for a person, whose item holds the
client until handled (domain/replies/unreadable.py); if even that fails, it stays
stored and /readyz says so (operations/readiness.py).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.domain.inbox.holds import release_held
from service.domain.replies.inbound import ReplyOutcome, record_reply
from service.domain.replies.received import MAX_ATTEMPTS, TEXTS, waiting_query
from service.domain.replies.unreadable import file_unread
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Message, Reminder, TrustedPerson

log = logging.getLogger(__name__)

BATCH = 50  # texts read in one transaction (one lock, one read, one DELETE, one commit)
# One reader in this process at a time (the demo's worker thread and the phone
# simulator share one SQLite database); across processes, PostgreSQL's advisory lock.
_ONE_READER_HERE = threading.Lock()
READER_LOCK = 7_310_019  # with the schema's hash, pg_try_advisory_xact_lock's key:
# one reader at a time in each schema (two deployments, or tests, may share a database)
_TRY_LOCK = text(
    f"SELECT pg_try_advisory_xact_lock(hashtext(current_schema()), {READER_LOCK})")


@dataclass
class TextsRead:
    read: int = 0
    failed: int = 0


def retry_unreadable(rt: Runtime) -> int:
    """Give the texts whose reading failed MAX_ATTEMPTS times as many tries again (after
    the cause is fixed: `rinnalla read-texts --retry`); how many."""
    with transaction(rt.sessions) as session:
        return int(session.execute(
            update(TEXTS).where(TEXTS.c.attempts >= MAX_ATTEMPTS).values(attempts=0))
            .rowcount)  # type: ignore[attr-defined]


def texts_waiting(rt: Runtime) -> bool:
    with transaction(rt.sessions) as session:
        return session.execute(waiting_query()).first() is not None


def read_waiting(rt: Runtime, limit: int = 10_000) -> TextsRead:
    """Read stored texts, oldest first, until none is waiting (or `limit`, or another
    process is reading: it goes on until none is waiting)."""
    with _ONE_READER_HERE:
        return _read_batches(rt, limit)


def _read_batches(rt: Runtime, limit: int) -> TextsRead:
    counts = TextsRead()
    failed: set[str] = set()  # numbers whose text failed: their later texts wait for it
    while counts.read + counts.failed < limit:
        batch = _read_batch(rt, failed, min(BATCH, limit - counts.read - counts.failed))
        if batch is None:
            break
        counts.read += batch.read
        counts.failed += batch.failed
    return counts


def _waiting(failed: set[str], size: int) -> Select[Any]:
    query = select(TEXTS).where(TEXTS.c.attempts < MAX_ATTEMPTS).order_by(TEXTS.c.id)
    if failed:
        query = query.where(TEXTS.c.from_number.not_in(failed))
    return query.limit(size)


def _read_batch(rt: Runtime, failed: set[str], size: int) -> TextsRead | None:
    """Up to `size` texts read in one transaction; None when none is waiting for us.
    If any of them fails, the batch is rolled back and its texts read one at a time,
    so one text's fault costs no other text its reading."""
    picked: list[Any] = []
    try:
        with transaction(rt.sessions) as session:
            if not _reader_lock(session):
                return None
            picked = list(session.execute(_waiting(failed, size)))
            if not picked:
                return None
            outcomes = [_record(session, rt, row) for row in picked]
            session.execute(delete(TEXTS).where(TEXTS.c.id.in_([r.id for r in picked])))
    except Exception:
        if not picked:
            raise  # the database, not a text: the pass fails and is run again
        return _one_at_a_time(rt, failed, len(picked))
    for outcome in outcomes:
        log.info("inbound sms %s intent=%s", outcome.message_id, outcome.intent)
    return TextsRead(read=len(picked))


def _one_at_a_time(rt: Runtime, failed: set[str], count: int) -> TextsRead:
    counts = TextsRead()
    for _ in range(count):
        outcome = _read_one(rt, failed)
        if outcome is None:
            break
        if outcome:
            counts.read += 1
        else:
            counts.failed += 1
    return counts


def _record(session: Session, rt: Runtime, row: Any) -> ReplyOutcome:
    outcome = record_reply(session, rt, sender=row.from_number, to=row.to_number,
                           body=row.body, sid=row.gateway_sid, now=row.received_at,
                           via=row.via, sid_unique_at_commit=True)
    if row.attempts:  # its failed readings held its sender's reminders: due again now
        release_held(session, or_(
            Reminder.client_id.in_(select(Client.id).where(Client.phone == row.from_number)),
            Reminder.trusted_person_id.in_(
                select(TrustedPerson.id).where(TrustedPerson.phone == row.from_number))),
            utcnow())
    return outcome


def _read_one(rt: Runtime, failed: set[str]) -> bool | None:
    """True: a text read; False: its reading failed (its number joins `failed`); None:
    none waiting for us."""
    picked: Any = None
    try:
        with transaction(rt.sessions) as session:
            if not _reader_lock(session):
                return None
            picked = session.execute(_waiting(failed, 1)).first()
            if picked is None:
                return None
            outcome = _record(session, rt, picked)
            session.execute(delete(TEXTS).where(TEXTS.c.id == picked.id))
    except Exception as exc:
        if picked is None:
            raise  # the database, not the text: the pass fails and is run again
        if isinstance(exc, IntegrityError) and _already_read(rt, picked.id, picked.gateway_sid):
            return True
        # Any other fault is this text's: counted, so it cannot hold up the pass for good.
        log.exception("reading stored text %s failed", picked.id)
        _note_failure(rt, picked.id, exc)
        failed.add(picked.from_number)
        return False
    if not outcome.duplicate:
        log.info("inbound sms %s intent=%s", outcome.message_id, outcome.intent)
    return True


def _already_read(rt: Runtime, text_id: int, sid: str) -> bool:
    """Twilio delivered a text again after it was read (the message has its sid): the
    stored copy is dropped. (The read path costs no look-up for the sid: a repeat is
    rare, and fails at the message's INSERT.)"""
    with transaction(rt.sessions) as session:
        if session.scalar(select(Message.id).where(Message.gateway_sid == sid)) is None:
            return False
        session.execute(delete(TEXTS).where(TEXTS.c.id == text_id))
    log.info("stored text %s was delivered again after it was read; dropped", text_id)
    return True


def _reader_lock(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(_TRY_LOCK))


def _note_failure(rt: Runtime, text_id: int, exc: Exception) -> None:
    """Count the failed try. After the last, the text goes unread to a person
    (unreadable.py) in the same transaction, so a crash leaves it either counted and
    filed or as it was. If the filing fails too, the try is counted alone: the text
    stays stored, and /readyz and the metrics count it."""
    try:
        with transaction(rt.sessions) as session:
            if _counted(session, text_id, exc) < MAX_ATTEMPTS:
                return
            item = file_unread(session, rt, session.execute(
                select(TEXTS).where(TEXTS.c.id == text_id)).one(), utcnow())
            session.execute(delete(TEXTS).where(TEXTS.c.id == text_id))
        log.error("stored text %s could not be read; filed unread as inbox item %s",
                  text_id, item.id)
        return
    except Exception:
        log.exception("stored text %s could not be filed for a person either", text_id)
    with transaction(rt.sessions) as session:
        _counted(session, text_id, exc)


def _counted(session: Session, text_id: int, exc: Exception) -> int:
    """One more failed try on the text; how many there have been."""
    return int(session.scalar(update(TEXTS).where(TEXTS.c.id == text_id).values(
        attempts=TEXTS.c.attempts + 1, last_error=_first_line(exc))
        .returning(TEXTS.c.attempts)) or 0)


def _first_line(exc: Exception) -> str:
    """What went wrong, without a driver's DETAIL lines (they may quote the row: the
    client's number and words); the log has the rest."""
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:300]
