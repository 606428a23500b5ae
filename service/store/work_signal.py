"""The worker's doorbell: rung when a transaction that wrote new work commits.

New work is a queued outbound message (a worker's reply, an opt-out confirmation, a
"time moved" notice) or a reminder planned or moved. Without the bell the worker
would find it only at its next safety tick ([worker] tick_seconds).

- Every session of a Runtime is watched (watch_sessions, from build_runtime):
  a flush that adds such rows marks the transaction. On PostgreSQL the flush also
  runs pg_notify in that transaction, so the notification goes out at its commit and
  never for a rollback; other processes hear it through listen().
- In this process the bell is rung after the commit (the demo runs web and worker in
  one process on SQLite, which has no notifications).

Channels carry the schema name, so tests and benchmarks in their own schemas, or
two deployments sharing a database, do not wake each other.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from service.store.models import Message, Reminder
from service.store.states import Direction, MessageStatus, ReminderState

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "rinnalla_work"
_MARK = "rinnalla_work_written"  # in Session.info while a transaction holds new work
NOTIFY = text(f"SELECT pg_notify('{CHANNEL_PREFIX}_' || current_schema(), '')")
RECONNECT_SECONDS = 2.0
LISTEN_READY_SECONDS = 10.0


class Doorbell:
    """One waiter's bell (a worker loop); rung by every commit of new work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def ring(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """Sleep until rung or `timeout` seconds passed; True when rung.

        The bell is cleared on the way out, before the caller's pass reads the
        database: work committed after this point rings it again.
        """
        rung = self._event.wait(max(0.0, timeout))
        self._event.clear()
        return rung


class WorkSignal:
    """All doorbells of one engine in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bells: weakref.WeakSet[Doorbell] = weakref.WeakSet()

    def doorbell(self) -> Doorbell:
        bell = Doorbell()
        with self._lock:
            self._bells.add(bell)
        return bell

    def ring(self) -> None:
        with self._lock:
            bells = list(self._bells)
        for bell in bells:
            bell.ring()


_SIGNALS: weakref.WeakKeyDictionary[Engine, WorkSignal] = weakref.WeakKeyDictionary()
_SIGNALS_LOCK = threading.Lock()


def work_signal(engine: Engine) -> WorkSignal:
    """This process's signal for `engine` (the web and the worker of the demo share one)."""
    with _SIGNALS_LOCK:
        signal = _SIGNALS.get(engine)
        if signal is None:
            signal = _SIGNALS[engine] = WorkSignal()
        return signal


def is_new_work(obj: object, new: bool) -> bool:
    """A row whose commit should wake a worker: a queued outbound message written now,
    or a planned reminder written now or moved. (A message queued again after a
    transient refusal is not: it waits for the safety tick, never a tight retry loop.)"""
    if isinstance(obj, Message):
        return new and obj.status == MessageStatus.QUEUED and obj.direction == Direction.OUT
    if isinstance(obj, Reminder) and obj.state == ReminderState.PLANNED:
        return new or inspect(obj).attrs.send_at.history.has_changes()
    return False


def watch_sessions(factory: sessionmaker[Session], engine: Engine) -> None:
    """Ring `engine`'s bell (and, on PostgreSQL, notify) when work is committed."""
    signal = work_signal(engine)
    postgres = engine.dialect.name == "postgresql"

    def after_flush(session: Session, _flush: UOWTransaction) -> None:
        if session.info.get(_MARK):
            return
        if not (any(is_new_work(o, True) for o in session.new)
                or any(is_new_work(o, False) for o in session.dirty)):
            return
        session.info[_MARK] = True
        if postgres:  # part of this transaction: delivered at its commit, or never
            session.connection().execute(NOTIFY)

    def after_commit(session: Session) -> None:
        if session.info.pop(_MARK, False):
            signal.ring()

    def after_rollback(session: Session) -> None:
        session.info.pop(_MARK, None)

    event.listen(factory, "after_flush", after_flush)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_rollback", after_rollback)


def notify_work(session: Session) -> None:
    """Mark new work written with plain SQL (no ORM objects for the flush to see)."""
    mark_work(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(NOTIFY)


def mark_work(session: Session) -> None:
    """Ring this process's bell at commit; for rows whose INSERT notifies other
    processes by a trigger of its own (inbound_texts, migration 0016)."""
    session.info[_MARK] = True


def listen(engine: Engine, stopping: threading.Event) -> threading.Thread | None:
    """On PostgreSQL, a thread that rings this process's bell for every notification
    from other processes, until `stopping` is set; None on SQLite (nothing to hear).
    Returns once it listens (or after LISTEN_READY_SECONDS if the database is away)."""
    if engine.dialect.name != "postgresql":
        return None
    ready = threading.Event()
    thread = threading.Thread(target=_listen_loop, args=(engine, stopping, ready),
                              name="work-listener", daemon=True)
    thread.start()
    ready.wait(LISTEN_READY_SECONDS)
    return thread


def _listen_loop(engine: Engine, stopping: threading.Event, ready: threading.Event) -> None:
    """LISTEN on a connection of its own; reconnect after a failure (the safety tick
    covers what was missed meanwhile, and the bell is rung once on reconnecting)."""
    signal = work_signal(engine)
    while not stopping.is_set():
        try:
            _listen_once(engine, stopping, signal, ready)
        except Exception:  # database restart, network: keep listening
            log.warning("work listener lost its connection; reconnecting", exc_info=True)
            stopping.wait(RECONNECT_SECONDS)
            signal.ring()


def _listen_once(engine: Engine, stopping: threading.Event, signal: WorkSignal,
                 ready: threading.Event) -> None:
    with listening_connection(engine) as conn:
        ready.set()
        while not stopping.is_set():
            for _note in conn.notifies(timeout=1.0, stop_after=1):
                signal.ring()


@contextmanager
def listening_connection(engine: Engine) -> Iterator[Any]:
    """A PostgreSQL connection of its own (psycopg's), LISTENing on this schema's
    channel; its notifies() yields what the workers are sent."""
    raw = engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        conn.rollback()
        conn.autocommit = True
        schema = conn.execute("SELECT current_schema()").fetchone()[0]
        channel = f"{CHANNEL_PREFIX}_{schema}".replace('"', '""')
        conn.execute(f'LISTEN "{channel}"')
        yield conn
    finally:
        raw.invalidate()  # never hand a LISTENing autocommit connection back to the pool
