"""Sending a claimed batch with a few transactions instead of a few per reminder.

The safety order of dispatch.py is kept, only grouped:
1. one transaction renews the leases, loads the batch, decides on each reminder
   and writes every outbound message row; it commits before any gateway call;
2. the calls go through a small thread pool (a slow answer holds one thread);
3. one transaction records every answer.
While one batch's calls run, the pass claims and prepares the next one
(dispatch.tick), so the database work overlaps the waiting for the gateway.
A crash between 1 and 3 leaves messages in "sending": the take-over reconciles
them (reconcile.py), exactly as for a single send. If a step fails for any row,
its transaction is rolled back and the batch falls back to one reminder at a time,
so one bad row cannot hold up the others.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.db import transaction
from service.domain import reminders as rstate
from service.gateways.base import GatewayError, SendResult
from service.models import Message, Reminder
from service.runtime import Runtime
from service.scheduling.claims import Claim, lease_end
from service.scheduling.dispatch import (
    LOAD_WITH,
    Clock,
    _prepare,
    _process_safely,
    _push_back,
    _record_error_in,
    _record_sent,
    call,
    lock_for_recording,
)

log = logging.getLogger(__name__)

Outcome = tuple[str, str]  # (TickResult field, error text or "")


@dataclass
class _Call:
    reminder_id: int
    message: Message
    answer: SendResult | GatewayError | None = None
    crashed: str = ""  # an unexpected exception from the gateway, by type


@dataclass
class InFlight:
    """A batch whose messages are written and whose gateway calls are running."""

    outcomes: list[Outcome]
    calls: list[_Call] = field(default_factory=list)
    futures: list[Future[None]] = field(default_factory=list)


def start_batch(rt: Runtime, claims: list[Claim], clock: Clock, name: str,
                pool: ThreadPoolExecutor) -> InFlight:
    """Write the batch's messages (committed), then start its calls in the pool."""
    if not claims:
        return InFlight([])
    try:
        outcomes, calls = _prepare_all(rt, [c.id for c in claims], clock, name)
    except Exception:
        log.exception("preparing a batch failed; going one reminder at a time")
        return InFlight([_process_safely(rt, c, clock, name) for c in claims])
    return InFlight(outcomes, calls, [pool.submit(_call, rt, c) for c in calls])


def finish_batch(rt: Runtime, flight: InFlight, clock: Clock) -> list[Outcome]:
    """Wait for the batch's calls and record every answer; one outcome per claim."""
    for future in flight.futures:
        future.result()
    return flight.outcomes + (_record_all(rt, flight.calls, clock) if flight.calls else [])


def _prepare_all(rt: Runtime, ids: list[int], clock: Clock,
                 name: str) -> tuple[list[Outcome], list[_Call]]:
    now = clock()
    outcomes: list[Outcome] = []
    calls: list[_Call] = []
    with transaction(rt.sessions) as session:
        ours = set(session.scalars(
            update(Reminder)
            .where(Reminder.id.in_(ids), Reminder.state == rstate.SENDING,
                   Reminder.claimed_by == name)
            .values(lease_until=lease_end(rt, now))
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)))
        outcomes += [("released", "")] * (len(ids) - len(ours))  # lost to a take-over
        rows = session.scalars(select(Reminder).where(Reminder.id.in_(ours))
                               .options(*LOAD_WITH)).unique().all()
        for reminder in sorted(rows, key=lambda r: (r.send_at, r.id)):
            prepared = _prepare(session, rt, reminder, now)  # rows are written at commit
            if isinstance(prepared, str):
                outcomes.append((prepared, ""))
            else:
                calls.append(_Call(reminder.id, prepared))
    return outcomes, calls


def _call(rt: Runtime, item: _Call) -> None:
    try:
        item.answer = call(rt, item.message)
    except GatewayError as exc:
        item.answer = exc
    except Exception as exc:  # a bug in a gateway must not take the batch down
        log.exception("gateway call for reminder %s failed unexpectedly", item.reminder_id)
        item.crashed = type(exc).__name__


def _record_all(rt: Runtime, calls: list[_Call], clock: Clock) -> list[Outcome]:
    now = clock()
    done = [c for c in calls if not c.crashed]
    outcomes: list[Outcome] = []
    try:
        with transaction(rt.sessions) as session:
            lock_for_recording(session, [c.reminder_id for c in done],
                               [c.message.id for c in done])
            for item in done:
                outcomes.append((_record_one(session, rt, item, now), ""))
    except Exception:
        log.exception("recording a batch failed; recording one at a time")
        outcomes = [_record_alone(rt, item, now) for item in done]
    for item in calls:
        if item.crashed:
            _push_back(rt, item.reminder_id, now)
            outcomes.append(("released", f"reminder {item.reminder_id}: {item.crashed}"))
    return outcomes


def _record_one(session: Session, rt: Runtime, item: _Call, now: datetime) -> str:
    answer = item.answer
    if isinstance(answer, GatewayError):
        return _record_error_in(session, rt, item.reminder_id, item.message.id, answer, now)
    assert answer is not None
    return _record_sent(session, rt, item.reminder_id, item.message.id, answer, now)


def _record_alone(rt: Runtime, item: _Call, now: datetime) -> Outcome:
    try:
        with transaction(rt.sessions) as session:
            lock_for_recording(session, [item.reminder_id], [item.message.id])
            return _record_one(session, rt, item, now), ""
    except Exception as exc:
        log.exception("reminder %s: the gateway's answer could not be recorded",
                      item.reminder_id)
        _push_back(rt, item.reminder_id, now)
        return "released", f"reminder {item.reminder_id}: {type(exc).__name__}"
