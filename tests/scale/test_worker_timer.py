"""The worker process's timer: APScheduler wakes a dispatch pass; the stop flag ends it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime, team_window
from service.scheduling.worker import run_worker, settle_heap
from service.store.db import transaction
from service.store.models import Heartbeat, Reminder
from tests.scale.seed import seed_due


@pytest.fixture(autouse=True)
def _thaw() -> Iterator[None]:
    """run_worker freezes the heap as a worker process does; a test process thaws it."""
    yield
    gc.unfreeze()

def test_worker_passes_on_its_timer_and_stops_on_the_flag(rt: Runtime,
                                                          gateway: DevelopmentGateway) -> None:
    # The worker runs on the real clock: reminders already due, a window open all day.
    now = datetime.now(UTC)
    ids = seed_due(rt.engine, 3, now - timedelta(minutes=1),
                   starts_at=now + timedelta(days=3))
    rt = replace(rt, config=replace(rt.config, tick_seconds=1, window="00:00-23:59",
                                    saturday_window="00:00-23:59",
                                    sunday_window="00:00-23:59"))
    rt = replace(rt, window=team_window(rt.config))
    stopping = threading.Event()
    worker = threading.Thread(target=run_worker, args=(rt, "timer-test", stopping))
    worker.start()
    try:
        for _ in range(200):
            with transaction(rt.sessions) as session:
                states = set(session.scalars(select(Reminder.state).where(
                    Reminder.id.in_(ids))))
            if states == {"delivered"}:
                break
            stopping.wait(0.05)
    finally:
        stopping.set()
        worker.join(timeout=30)
    assert not worker.is_alive(), "the worker did not stop when its flag was set"
    assert states == {"delivered"}
    assert len([s for s in gateway.sent if s[0] == "sms"]) == 3
    with transaction(rt.sessions) as session:
        assert session.get(Heartbeat, "timer-test") is not None


def test_start_up_objects_are_kept_out_of_the_collectors_rounds() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    settle_heap()
    try:
        # The imports, SQLAlchemy and the SDK: far more than a handful of objects.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
