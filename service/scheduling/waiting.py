"""How long the worker sleeps between passes: until the next thing is due, or a bell.

After each pass the worker reads, from the small partial indexes, when the next
planned reminder is due, when the next queued message may go (messages.not_before)
and when the next claim's lease runs out; it sleeps until the earliest of these,
never longer than [worker] tick_seconds (the safety tick), and is woken sooner when
new work is committed (store/work_signal.py). A woken worker passes at once; one
still busy with a pass is not interrupted and finds the work when that pass ends, so
only workers with capacity claim, and claims decide who sends what (claims.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from service.runtime import Runtime
from service.scheduling.claims import REMINDERS, state_is
from service.store.bulk_sql import sql_literal
from service.store.db import transaction
from service.store.models import Message
from service.store.states import Direction, MessageStatus, ReminderState
from service.store.work_signal import Doorbell

# A pass that found work due yet changed nothing (a refused message queued again) is
# tried once more at once, then left for the safety tick: never a tight retry loop.
IDLE_REPEATS = 1


def next_reminder_query() -> Select[tuple[datetime]]:
    return (select(REMINDERS.c.send_at).where(state_is(ReminderState.PLANNED))
            .order_by(REMINDERS.c.send_at).limit(1))


def next_lease_query() -> Select[tuple[datetime]]:
    return (select(REMINDERS.c.lease_until).where(state_is(ReminderState.SENDING))
            .order_by(REMINDERS.c.lease_until).limit(1))


def next_message_query() -> Select[tuple[datetime | None]]:
    """The queued outbound message that may go first (NULL not_before: at once)."""
    return (select(Message.not_before).where(
        Message.status == sql_literal(MessageStatus.QUEUED),
        Message.direction == sql_literal(Direction.OUT),
        func.coalesce(Message.gateway_sid, "") == "")
        .order_by(Message.not_before.is_not(None), Message.not_before).limit(1))


def next_due(rt: Runtime, now: datetime) -> datetime | None:
    """When the next pass has something to do; None when nothing is waiting at all."""
    with transaction(rt.sessions) as session:
        return next_due_in(session, now)


# Built once: the idle pass asks it every time, and building a statement costs more CPU
# than PostgreSQL's answer (docs/performance.md, section 2).
NEXT_DUE = select(next_reminder_query().scalar_subquery(), next_lease_query().scalar_subquery(),
                   next_message_query().exists(), next_message_query().scalar_subquery())


def next_due_in(session: Session, now: datetime) -> datetime | None:
    """next_due inside a transaction the caller commits (an idle pass asks in its look).
    One statement: each of its sub-selects reads its own partial index."""
    reminder, lease, message_waits, message_at = session.execute(NEXT_DUE).one()
    times = [reminder, lease, (message_at or now) if message_waits else None]
    due = [t for t in times if t is not None]
    return min(due) if due else None


def seconds_to_sleep(now: datetime, due: datetime | None, tick_seconds: float) -> float:
    """Until `due`, at most the safety tick; 0 when it is already due."""
    if due is None:
        return float(tick_seconds)
    return min(float(tick_seconds), max(0.0, (due - now).total_seconds()))


PassFn = Callable[[], tuple[datetime | None, bool]]


def serve_passes(run_pass: PassFn, bell: Doorbell, stopping: threading.Event,
                 clock: Callable[[], datetime], tick_seconds: float) -> None:
    """Pass, sleep until the next due time (or the bell, or the tick), pass again,
    until `stopping` is set (whoever sets it rings the bell too).

    `run_pass` returns when the next thing is due and whether the pass changed
    anything; a pass that fails returns (None, False) and the next comes at the tick.
    """
    idle = 0
    while not stopping.is_set():
        due, progressed = run_pass()
        if stopping.is_set():
            break
        now = clock()
        idle = 0 if progressed or due is None or due > now else idle + 1
        wait = float(tick_seconds) if idle > IDLE_REPEATS else seconds_to_sleep(
            now, due, tick_seconds)
        bell.wait(wait)
