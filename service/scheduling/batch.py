"""Sending a claimed batch with a few statements instead of a few per reminder.

The steps of one reminder (reminder_send.py) are kept in their order, only grouped:
1. one transaction loads the batch, decides on each reminder, renews the leases
   of those it sends and writes their outbound message rows; it commits (to disk)
   before any gateway call;
2. the calls go through a small thread pool (a slow answer holds one thread);
3. one transaction records every answer, and claims the pass's next batch.
While one batch's calls run, the pass prepares the next one (dispatch.tick), so
the database work overlaps the waiting for the gateway.
A crash between 1 and 3 leaves messages in "sending": the take-over reconciles
them (reconcile.py), exactly as for a single send. If a step fails for any row,
its transaction is rolled back and the batch falls back to one reminder at a time,
so one bad row cannot hold up the others.

The common case (a text or call to the client, wanted, inside the window; and,
after the call, an accepted send whose rule plans no fallback) is read and written
with plain SQL statements over the whole batch: at a few hundred sends a second the
ORM's objects cost more than the gateway call itself (docs/performance.md). Every
other reminder goes through the same ORM code as a single send (reminder_send.prepare,
record_sent, record_error), inside the same transaction.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, or_, select, update
from sqlalchemy.orm import Session

from service.domain.inbox.holds import holding
from service.domain.planning import fallbacks
from service.domain.replies.received import unsure_of
from service.gateways.base import GatewayError, SendResult
from service.runtime import Runtime
from service.scheduling.claims import REMINDERS, Claim, lease_end, renew, renew_all
from service.scheduling.gateway_call import Outbound, accepted_status, call
from service.scheduling.listening import crowded, listen_reason, superseded_ids
from service.scheduling.reminder_send import (
    CLIENT,
    Clock,
    Outcome,
    held_back,
    load_reminder,
    lock_for_recording,
    message_values,
    prepare,
    process_safely,
    push_back,
    record_error,
    record_sent,
    still_wanted,
    wanted_check,
)
from service.store.bulk_sql import id_in, insert_rows, update_rows
from service.store.db import commit_without_waiting, transaction
from service.store.models import Client, Event, Message
from service.store.states import REMINDER_TRANSITIONS, MessageStatus, ReminderState, can_move

log = logging.getLogger(__name__)

Counted = tuple[Outcome, str]  # what came of a reminder, and the error's text or ""
SENT_CHANNELS = ("sms", "voice")  # a "task" is an inbox item: the ORM path makes it

EVENTS: Table = Event.__table__  # type: ignore[assignment]
CLIENTS: Table = Client.__table__  # type: ignore[assignment]
MESSAGES: Table = Message.__table__  # type: ignore[assignment]

# Message columns whose value is the same for the whole batch (message_values).
# (Not from_number: each team has its own sender.)
SHARED = ("direction", "gateway", "status", "worker_id", "created_at", "updated_at")

# What the batch path reads of a due reminder, its event and its client: the
# columns still_wanted, message_values and template_values look at, in one row.
# The names do not clash (the reminder's state is not read; the event's and the
# client's ids are the reminder's event_id and client_id), so the same row stands for
# all three. A column missing here fails the batch, which then goes one by one;
# tests/scale/test_batch_sql.py checks that the batch path is really taken.
DUE_ROW = (
    [REMINDERS.c[name] for name in (
        "id", "event_id", "client_id", "rule_id", "template", "channel", "recipient",
        "trusted_person_id", "condition", "send_at", "latest_at", "fallback_of")]
    + [EVENTS.c[name] for name in (
        "kind", "state", "starts_at", "place", "bring", "needs_transport", "agency",
        "appointment_type",
        "documents_due", "decision_expected", "documents_in_at", "decided_at",
        "previous_starts_at")]
    + [CLIENTS.c[name] for name in (
        "phone", "language", "window", "opted_out", "anonymised_at", "sms_blocked_at",
        "voice_blocked_at", "team_id")]
    # Whether an unclear reply holds the event or the client, or a text from the client
    # could not be read yet (the same rules as the single path's).
    + [or_(holding(REMINDERS.c.event_id, REMINDERS.c.client_id),
           unsure_of(CLIENTS.c.phone)).label("held")])


@dataclass
class PendingCall:
    """One gateway call of a batch, and (once made) the gateway's answer."""

    reminder_id: int
    message: Outbound
    plain: bool = False  # a sent answer can be recorded without the ORM
    answer: SendResult | GatewayError | None = None
    crashed: str = ""  # an unexpected exception from the gateway, by type


@dataclass
class InFlight:
    """A batch whose messages are written and whose gateway calls are running."""

    outcomes: list[Counted]
    calls: list[PendingCall] = field(default_factory=list)
    futures: list[Future[None]] = field(default_factory=list)


def send_threads(rt: Runtime) -> int:
    """Gateway calls at once in this process; SQLite takes one writer anyway."""
    if rt.engine.dialect.name == "sqlite":
        return 1
    return max(1, rt.config.send_threads)


def start_batch(rt: Runtime, claims: list[Claim], clock: Clock, name: str,
                pool: ThreadPoolExecutor) -> InFlight:
    """Write the batch's messages (committed), then start its calls in the pool."""
    if not claims:
        return InFlight([])
    try:
        outcomes, calls = prepare_batch(rt, [c.id for c in claims], clock, name)
    except Exception:
        log.exception("preparing a batch failed; going one reminder at a time")
        return InFlight([process_safely(rt, c.id, clock, name) for c in claims])
    # A few senders take calls from one queue until it is empty: a slow answer holds
    # up one sender, and the pool sees a handful of jobs, not one per message.
    queue = deque(calls)
    senders = min(send_threads(rt), len(calls))
    return InFlight(outcomes, calls, [pool.submit(_send_from, rt, queue) for _ in range(senders)])


def _send_from(rt: Runtime, queue: deque[PendingCall]) -> None:
    while True:
        try:
            item = queue.popleft()  # atomic: two senders never take the same call
        except IndexError:
            return
        _call(rt, item)


NextClaim = Callable[[Session], list[Claim]]


def wait_for(rt: Runtime, flight: InFlight, name: str, clock: Clock,
             *others: InFlight) -> None:
    """Wait for a batch's calls, renewing the leases of every claim in hand meanwhile
    (this batch's and `others`'), a third of the lease at a time.

    Calls held up by the rate limit shared with other workers, or by a slow gateway,
    can take longer than a lease: without renewing, another worker would take the
    claims over as a dead worker's and mark them uncertain while they are being sent.
    """
    every = rt.config.lease_seconds / 3
    while wait(flight.futures, timeout=every).not_done:
        ids = [c.reminder_id for f in (flight, *others) for c in f.calls]
        renew_all(rt, ids, name, clock())


def finish_batch(rt: Runtime, flight: InFlight, clock: Clock,
                 claim_next: NextClaim | None = None) -> tuple[list[Counted], list[Claim]]:
    """Wait for the batch's calls and record every answer (one outcome per claim);
    with `claim_next`, the next batch is claimed in the same transaction, which saves
    the pass a transaction per batch. (A pass calls wait_for first.)"""
    for future in flight.futures:
        future.result()
    outcomes, claims = _record_all(rt, flight.calls, clock, claim_next)
    return flight.outcomes + outcomes, claims


def prepare_batch(rt: Runtime, ids: list[int], clock: Clock,
                  name: str) -> tuple[list[Counted], list[PendingCall]]:
    """Step 1 for claimed reminders `ids`: decide on each, write the messages of those
    that go (committed before this returns); the outcomes of the rest, and the calls
    to make. Claims no longer ours are counted "released" and left alone."""
    now = clock()
    outcomes: list[Counted] = []
    calls: list[PendingCall] = []
    with transaction(rt.sessions) as session:
        conn = session.connection()
        rows = conn.execute(
            select(*DUE_ROW, crowded(now).label("crowded"))
            .join_from(REMINDERS, EVENTS, EVENTS.c.id == REMINDERS.c.event_id)
            .join(CLIENTS, CLIENTS.c.id == REMINDERS.c.client_id)
            .where(id_in(conn, REMINDERS.c.id, ids),
                   REMINDERS.c.state == ReminderState.SENDING,
                   REMINDERS.c.claimed_by == name)).all()
        plain: list[dict[str, Any]] = []
        one_by_one: list[int] = []
        later = superseded_ids(session, [r.id for r in rows if r.crowded], now,
                               wanted_check(rt, now))
        for row in sorted(rows, key=lambda r: (r.send_at, r.id)):
            values = None if row.id in later else _plain_send(rt, row, now)
            if values is None:
                one_by_one.append(row.id)
            else:
                plain.append(values)
        if plain:
            calls += _write_messages(rt, conn, plain, {r.id: r for r in rows},
                                     lease_end(rt, now), name)
        written: list[tuple[int, Message]] = []
        for reminder_id in one_by_one:
            if not renew(session, rt, reminder_id, name, now):
                continue  # lost to a take-over since it was read
            prepared = prepare(session, rt, load_reminder(session, reminder_id), now)
            if isinstance(prepared, Outcome):
                outcomes.append((prepared, ""))
            else:
                written.append((reminder_id, prepared))
        if written:
            session.flush()  # the ids the calls need
            calls += [PendingCall(rid, Outbound.of(message)) for rid, message in written]
    # Claims no longer ours (a take-over after our lease ran out) are left alone.
    outcomes += [(Outcome.RELEASED, "")] * (len(ids) - len(outcomes) - len(calls))
    return outcomes, calls


def _plain_send(rt: Runtime, row: Row[Any], now: datetime) -> dict[str, Any] | None:
    """The message row's values when this reminder simply goes out now; None when it
    needs the ORM path (a trusted person, a task, not wanted, the window closed).
    `row` is a DUE_ROW: reminder, event and client at once."""
    if row.channel not in SENT_CHANNELS or row.recipient != CLIENT \
            or row.trusted_person_id is not None:
        return None
    if still_wanted(row, row, row, now) is not None or held_back(row, row.held):
        return None
    if listen_reason(rt, row, row, row) is not None:
        return None  # the ORM path skips it with its reason
    team = rt.for_team(row.team_id)  # the client's team's window, words and sender
    if not team.client_window(row.window).is_open(now):
        return None
    # The row carries every event column rendering reads (DUE_ROW, above).
    return message_values(team, row, cast(Event, row), row.phone, row.language, now)


def _write_messages(rt: Runtime, conn: Connection, values: list[dict[str, Any]],
                    reminders: dict[int, Row[Any]], lease: datetime, name: str
                    ) -> list[PendingCall]:
    """Count the attempts and renew the leases, then insert the messages of the
    reminders still ours: two statements for the batch.

    The UPDATE locks the rows on PostgreSQL, so a take-over running at the same
    moment waits and then finds a fresh lease (see claims.renew).
    """
    ours = set(conn.scalars(
        update(REMINDERS)
        .where(id_in(conn, REMINDERS.c.id, [v["reminder_id"] for v in values]),
               REMINDERS.c.state == ReminderState.SENDING, REMINDERS.c.claimed_by == name)
        .values(attempts=REMINDERS.c.attempts + 1, lease_until=lease)
        .returning(REMINDERS.c.id)))
    values = [v for v in values if v["reminder_id"] in ours]
    if not values:
        return []
    # What every message of the batch shares goes once, not once a row.
    same = {key: values[0][key] for key in SHARED}
    message_ids = insert_rows(conn, MESSAGES,
                              [{k: v for k, v in row.items() if k not in same} for row in values],
                              key="callback_token", **same)
    calls = []
    for message_id, v in zip(message_ids, values, strict=True):
        row = reminders[v["reminder_id"]]
        follows = fallbacks.plans_after_sent(rt.for_team(row.team_id), row.kind, row.rule_id,
                                             row.recipient)
        calls.append(PendingCall(row.id, Outbound(message_id, v["channel"], v["to_number"],
                                                  v["body"], v["callback_token"],
                                                  v["from_number"]),
                                 plain=not follows))
    return calls


def _call(rt: Runtime, item: PendingCall) -> None:
    try:
        item.answer = call(rt, item.message)
    except GatewayError as exc:
        item.answer = exc
    except Exception as exc:  # a bug in a gateway must not take the batch down
        log.exception("gateway call for reminder %s failed unexpectedly", item.reminder_id)
        item.crashed = type(exc).__name__


def _record_all(rt: Runtime, calls: list[PendingCall], clock: Clock,
                claim_next: NextClaim | None) -> tuple[list[Counted], list[Claim]]:
    if not calls and claim_next is None:
        return [], []
    now = clock()
    done = [c for c in calls if not c.crashed]
    claims: list[Claim] = []
    try:
        with transaction(rt.sessions) as session:
            # If a database crash loses this, the messages are still "sending": the
            # take-over finds them in Twilio's list and adopts them (reconcile.py);
            # a lost claim only returns its rows to "planned".
            commit_without_waiting(session)
            outcomes = _record_in(session, rt, done, now) if done else []
            if claim_next is not None:
                claims = claim_next(session)
    except Exception:
        log.exception("recording a batch failed; recording one at a time")
        outcomes = [_record_alone(rt, item, now) for item in done]
        if claim_next is not None:
            with transaction(rt.sessions) as session:
                commit_without_waiting(session)
                claims = claim_next(session)
    for item in calls:
        if item.crashed:
            push_back(rt, item.reminder_id, now)
            outcomes.append((Outcome.RELEASED, f"reminder {item.reminder_id}: {item.crashed}"))
    return outcomes, claims


def _record_in(session: Session, rt: Runtime, done: list[PendingCall], now: datetime
               ) -> list[Counted]:
    """Record every answer: sent ones with two statements, the rest through the ORM.

    The rows are locked first (on PostgreSQL), so a status callback arriving at the
    same moment waits for this transaction instead of being overwritten by it.
    """
    conn = session.connection()
    states: dict[int, ReminderState] = {}
    statuses: dict[int, MessageStatus] = {}
    for reminder_id, state, message_id, status in conn.execute(
            select(REMINDERS.c.id, REMINDERS.c.state, MESSAGES.c.id, MESSAGES.c.status)
            .join_from(MESSAGES, REMINDERS, REMINDERS.c.id == MESSAGES.c.reminder_id)
            .where(id_in(conn, MESSAGES.c.id, [c.message.id for c in done]))
            .with_for_update()):  # both rows of each pair, on PostgreSQL
        states[reminder_id], statuses[message_id] = state, status
    messages: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    outcomes: list[Counted] = []
    for item in done:
        answer, state = item.answer, states.get(item.reminder_id)
        new = ReminderState.DELIVERED if isinstance(answer, SendResult) and \
            answer.status == MessageStatus.DELIVERED else ReminderState.SENT
        if not (item.plain and isinstance(answer, SendResult) and state is not None
                and state in (ReminderState.SENDING, ReminderState.UNCERTAIN)
                and can_move(REMINDER_TRANSITIONS, state, new)):
            outcomes.append((_record_one(session, rt, item, now), ""))
            continue
        status = statuses[item.message.id]
        messages.append({"id": item.message.id, "gateway_sid": answer.sid,
                         "status": accepted_status(status, answer.status)})
        reminders.append({"id": item.reminder_id, "state": new})
        outcomes.append((Outcome.DELIVERED if new == ReminderState.DELIVERED else Outcome.SENT,
                         ""))
    update_rows(conn, MESSAGES, messages, updated_at=now)
    update_rows(conn, REMINDERS, reminders, sent_at=now, updated_at=now, claimed_by=None,
                lease_until=None)
    return outcomes


def _record_one(session: Session, rt: Runtime, item: PendingCall, now: datetime) -> Outcome:
    answer = item.answer
    if isinstance(answer, GatewayError):
        return record_error(session, rt, item.reminder_id, item.message.id, answer, now)
    assert answer is not None
    return record_sent(session, rt, item.reminder_id, item.message.id, answer, now)


def _record_alone(rt: Runtime, item: PendingCall, now: datetime) -> Counted:
    try:
        with transaction(rt.sessions) as session:
            lock_for_recording(session, [item.reminder_id], [item.message.id])
            return _record_one(session, rt, item, now), ""
    except Exception as exc:
        log.exception("reminder %s: the gateway's answer could not be recorded",
                      item.reminder_id)
        push_back(rt, item.reminder_id, now)
        return Outcome.RELEASED, f"reminder {item.reminder_id}: {type(exc).__name__}"
