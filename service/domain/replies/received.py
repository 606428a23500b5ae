"""A text as Twilio delivered it, kept until the worker reads it.

The SMS webhook stores the text and answers; reading it (who wrote, what it answers,
what it changes, whose inbox) is the worker's, in scheduling/text_reading.py. Storing
is one INSERT, so Twilio never waits on the reading, and the text is durable before
Twilio hears 200. The same commit rings the worker's doorbell (store/work_signal.py;
on PostgreSQL a trigger on the table sends the NOTIFY, migration 0016).

While a text's reading has failed and it waits to be tried again, the service does not
know what its sender said (it may be LOPETA): nothing automated goes to that number
(`unsure_of`, asked by both send paths). After MAX_ATTEMPTS it is filed as it came for
a person (domain/replies/unreadable.py), whose item holds the client until handled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, exists, func, insert, select
from sqlalchemy.orm import Session

from service.domain.replies.inbound import normalise_sender
from service.store.models import InboundText
from service.store.work_signal import mark_work

TEXTS = cast(Table, InboundText.__table__)
_KEEP = insert(TEXTS)
MAX_ATTEMPTS = 3  # a reading that failed this often is left for a person (/readyz)


def keep_text(session: Session, *, sid: str, sender: str, to: str, via: str, body: str,
              now: datetime) -> None:
    """Store one delivered text in the caller's transaction. The same sid already
    waiting fails with the unique constraint's IntegrityError (Twilio delivered twice)."""
    session.execute(_KEEP, {"gateway_sid": sid, "from_number": normalise_sender(sender),
                            "to_number": to, "via": via, "body": body, "received_at": now,
                            "attempts": 0})
    mark_work(session)  # on PostgreSQL the table's trigger notifies the workers


def is_waiting(session: Session, sid: str) -> bool:
    """Is a text with this sid stored and not yet read?"""
    return session.scalar(select(TEXTS.c.id).where(TEXTS.c.gateway_sid == sid)) is not None


def waiting_query() -> Select[tuple[int]]:
    """Is any stored text waiting to be read (the worker's idle pass asks)?"""
    return select(TEXTS.c.id).where(TEXTS.c.attempts < MAX_ATTEMPTS).limit(1)


def unreadable_query() -> Select[tuple[int, Any]]:
    """How many texts failed to be read MAX_ATTEMPTS times, and since when (/readyz)."""
    return select(func.count(), func.min(TEXTS.c.received_at)).where(
        TEXTS.c.attempts >= MAX_ATTEMPTS)


def unsure_of(number: ColumnElement[str] | str) -> ColumnElement[bool]:
    """True while a text from `number` waits to be read again after its reading failed:
    what the sender said is not known, so automated contact to them waits (one rule,
    both send paths). A text not yet tried is read before anything is sent (the pass
    reads first), so it holds nothing."""
    return exists().where(TEXTS.c.from_number == number, TEXTS.c.attempts > 0)
