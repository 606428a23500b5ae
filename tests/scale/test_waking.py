"""The worker sleeps until the next thing is due and is woken by new work (issue 19).

No timed assertions: the clock is given, the bell is a real threading.Event read
with a zero timeout, and a running loop is waited for with a generous hang guard.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from service.domain.messages.outbound import new_outbound_message
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime, team_window
from service.scheduling.dispatch import tick
from service.scheduling.waiting import next_due, seconds_to_sleep, serve_passes
from service.scheduling.worker import serve
from service.store.db import make_engine, transaction
from service.store.models import Heartbeat, Message, Reminder
from service.store.states import MessageStatus, ReminderState
from service.store.work_signal import Doorbell, listen, work_signal
from tests.scale.seed import phone, seed_due

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HANG_GUARD = 60.0  # only ever reached when the code under test is broken


def queued(now: datetime, not_before: datetime | None = None) -> Message:
    message = new_outbound_message(channel="sms", to=phone(9000), body="Kiitos, nähdään.",
                                   from_number="+358451234567", gateway="development",
                                   status=MessageStatus.QUEUED, now=now)
    message.not_before = not_before
    return message


def write(rt: Runtime, *rows: object) -> None:
    with transaction(rt.sessions) as session:
        session.add_all(rows)


def open_all_day(rt: Runtime, tick_seconds: int) -> Runtime:
    rt = replace(rt, config=replace(rt.config, tick_seconds=tick_seconds, window="00:00-23:59",
                                    saturday_window="00:00-23:59", sunday_window="00:00-23:59"))
    return replace(rt, window=team_window(rt.config))


@pytest.fixture(autouse=True)
def _thaw() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_the_sleep_ends_at_the_next_due_time(rt: Runtime) -> None:
    assert next_due(rt, NOW) is None
    assert seconds_to_sleep(NOW, None, 30) == 30.0
    write(rt, queued(NOW, not_before=NOW + timedelta(seconds=40)))
    assert next_due(rt, NOW) == NOW + timedelta(seconds=40)
    seed_due(rt.engine, 2, NOW + timedelta(seconds=7))
    due = next_due(rt, NOW)
    assert due == NOW + timedelta(seconds=7)
    assert seconds_to_sleep(NOW, due, 30) == 7.0
    assert seconds_to_sleep(NOW, due, 5) == 5.0  # the safety tick caps it
    assert seconds_to_sleep(NOW + timedelta(seconds=9), due, 30) == 0.0
    write(rt, queued(NOW))  # a reply queued now is due now
    assert next_due(rt, NOW) == NOW


def test_an_idle_pass_reads_the_next_due_time_in_its_own_look(rt: Runtime) -> None:
    seed_due(rt.engine, 1, NOW + timedelta(seconds=7))
    idle = tick(rt, now=NOW, worker_name="w")
    assert idle.found_nothing and idle.next_due == NOW + timedelta(seconds=7)
    assert idle.summary() == "nothing due"
    busy = tick(rt, now=NOW + timedelta(seconds=8), worker_name="w")
    assert busy.claimed == 1 and not busy.found_nothing  # the worker then asks on its own


def test_an_expired_claim_is_due_when_its_lease_runs_out(rt: Runtime) -> None:
    ids = seed_due(rt.engine, 1, NOW - timedelta(minutes=1), state=ReminderState.SENDING)
    with rt.engine.begin() as conn:
        conn.execute(Reminder.__table__.update().where(Reminder.id == ids[0]).values(
            lease_until=NOW + timedelta(seconds=12), claimed_by="elsewhere"))
    assert next_due(rt, NOW) == NOW + timedelta(seconds=12)


class RecordingBell(Doorbell):
    """Records how long the loop asked to sleep; stops it after `passes` passes."""

    def __init__(self, stopping: threading.Event, passes: int) -> None:
        super().__init__()
        self.timeouts: list[float] = []
        self.stopping, self.passes = stopping, passes

    def wait(self, timeout: float) -> bool:
        self.timeouts.append(timeout)
        if len(self.timeouts) >= self.passes:
            self.stopping.set()
        return False


def test_the_loop_sleeps_until_due_and_backs_off_from_work_it_cannot_do() -> None:
    stopping = threading.Event()
    bell = RecordingBell(stopping, 5)
    answers = iter([(NOW + timedelta(seconds=7), True), (None, True),
                    (NOW, False), (NOW, False), (NOW - timedelta(seconds=1), True)])
    serve_passes(lambda: next(answers), bell, stopping, lambda: NOW, 30)
    # until the due time; nothing waiting: the tick; due but nothing changed: once at
    # once, then the tick (a refused message is not retried in a tight loop); after
    # progress, at once again.
    assert bell.timeouts == [7.0, 30.0, 0.0, 30.0, 0.0]


def test_committing_new_work_rings_the_bell_and_nothing_else_does(rt: Runtime) -> None:
    bell = work_signal(rt.engine).doorbell()
    write(rt, Heartbeat(name="w", last_seen=NOW, detail=""))
    assert bell.wait(0) is False
    with pytest.raises(RuntimeError), transaction(rt.sessions) as session:
        session.add(queued(NOW))
        session.flush()
        raise RuntimeError("rolled back")
    assert bell.wait(0) is False
    write(rt, queued(NOW))
    assert bell.wait(0) is True
    assert bell.wait(0) is False  # cleared on the way out
    ids = seed_due(rt.engine, 1, NOW + timedelta(hours=1))  # plain SQL: no bell
    assert bell.wait(0) is False
    with transaction(rt.sessions) as session:  # a reminder moved earlier
        reminder = session.get(Reminder, ids[0])
        assert reminder is not None
        reminder.send_at = NOW
    assert bell.wait(0) is True


def wait_until(check: object, stopping: threading.Event) -> bool:
    assert callable(check)
    for _ in range(int(HANG_GUARD / 0.05)):
        if check():
            return True
        stopping.wait(0.05)
    return False


def test_a_commit_wakes_the_sleeping_worker(rt: Runtime, gateway: DevelopmentGateway) -> None:
    rt = open_all_day(rt, tick_seconds=3600)  # without the bell it would sleep an hour
    stopping = threading.Event()
    worker = threading.Thread(target=serve, args=(rt, "woken", stopping))
    worker.start()
    try:
        assert wait_until(lambda: _beat_seen(rt, "woken"), stopping)  # first pass done
        write(rt, queued(datetime.now(UTC)))
        assert wait_until(lambda: len(gateway.sent) == 1, stopping), "the worker slept on"
    finally:
        stopping.set()
        worker.join(HANG_GUARD)
    assert not worker.is_alive()
    assert gateway.sent[0][:2] == ("sms", phone(9000))


def _beat_seen(rt: Runtime, name: str) -> bool:
    with transaction(rt.sessions) as session:
        return session.get(Heartbeat, name) is not None


def test_two_woken_workers_send_a_single_item_once(rt: Runtime,
                                                   gateway: DevelopmentGateway) -> None:
    rt = open_all_day(rt, tick_seconds=3600)
    stopping = threading.Event()
    workers = [threading.Thread(target=serve, args=(rt, f"w{i}", stopping)) for i in (1, 2)]
    for w in workers:
        w.start()
    try:
        assert wait_until(lambda: _beat_seen(rt, "w1") and _beat_seen(rt, "w2"), stopping)
        now = datetime.now(UTC)
        ids = seed_due(rt.engine, 1, now - timedelta(seconds=1), starts_at=now + timedelta(days=3))
        write(rt, queued(now))  # rings both
        assert wait_until(lambda: len(gateway.sent) >= 2 and _settled(rt, ids[0]), stopping)
    finally:
        stopping.set()
        for w in workers:
            w.join(HANG_GUARD)
    assert sorted(to for _, to, _ in gateway.sent) == sorted([phone(0), phone(9000)])


def _settled(rt: Runtime, reminder_id: int) -> bool:
    with transaction(rt.sessions) as session:
        return session.scalar(select(Reminder.state).where(Reminder.id == reminder_id)) \
            == ReminderState.DELIVERED


def other_process_engine(engine: Engine) -> Engine:
    """A second engine on the same schema: what another process would have."""
    with engine.connect() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
    return make_engine(os.environ["DATABASE_URL"],
                       connect_args={"options": f"-csearch_path={schema}"})


def test_postgres_notifies_other_processes_at_commit(rt: Runtime) -> None:
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite runs one process (in-process bell)")
    other = other_process_engine(rt.engine)
    stopping = threading.Event()
    bell = work_signal(other).doorbell()
    try:
        assert listen(other, stopping) is not None
        assert bell.wait(0) is False
        with transaction(rt.sessions) as session:
            session.add(queued(NOW))
            session.flush()  # pg_notify runs here, inside the transaction
        assert bell.wait(HANG_GUARD) is True, "the committed notification never arrived"
    finally:
        stopping.set()
        other.dispose()
