"""Three real worker processes, a misbehaving gateway peer, and a kill -9 mid-run.

5,000 reminders are due at once. The peer (tests/scale/twilio_fake.py, spoken to by
the real TwilioGateway through the twilio SDK) fails a fifth of the requests with
Twilio's transient errors, delays the others, and holds a few past the client's
timeout. One worker is killed with SIGKILL while it holds claims and started again;
another is stopped with SIGTERM while it holds claims. Afterwards every reminder
has reached the peer exactly once (sent), or at most once and is marked uncertain
for the worker to check; none is left behind, none went twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from service.clock import utcnow
from service.store.models import InboxItem, Message, Reminder
from tests.conftest import _postgres_problem, service_missing
from tests.scale import processes as procs
from tests.scale.seed import seed_due

REMINDERS = 5_000
RATE = 250.0  # messages per second for the whole account, shared by all workers
DEADLINE = 600.0  # generous: the machine may be shared; CI runs alone


def _count(engine: Engine, *where: object) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Reminder).where(*where)) or 0


def _wait_until(condition: object, what: str, timeout: float = DEADLINE) -> None:
    end = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


def _holding(engine: Engine, name: str) -> int:
    return _count(engine, Reminder.state == "sending", Reminder.claimed_by == name)


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        service_missing("the fault test needs PostgreSQL (DATABASE_URL)")
    problem = _postgres_problem(url)
    if problem:
        service_missing(problem)
    return url


@pytest.mark.slow
def test_kill_and_faults_lose_nothing_and_send_nothing_twice(pg_url: str,
                                                             tmp_path: Path) -> None:
    peer, port = procs.start_peer(tmp_path, fail_rate=0.2, delay_ms=20, slow_rate=0.003,
                                  slow_ms=2500, max_failures_in_row=3)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        with procs.postgres_schema(pg_url) as (url, engine):
            ids = seed_due(engine, REMINDERS, utcnow() - timedelta(minutes=1))
            config = procs.write_config(tmp_path / "config.toml", port, tick_seconds=1,
                                        batch_size=20, lease_seconds=8, retry_seconds=1,
                                        max_attempts=6, send_threads=4,
                                        messages_per_second=RATE)
            env = procs.worker_env(url, config)
            workers = [procs.start_worker(env, tmp_path / f"worker{i}.log") for i in range(3)]
            finished = (Reminder.state.notin_(("planned", "sending")),)
            _wait_until(lambda: _count(engine, *finished) >= REMINDERS // 4, "a quarter sent")

            # kill -9 the first worker while it holds claims, then start it again.
            victim = workers[0]
            victim_name = procs.worker_name(victim)
            _wait_until(lambda: _holding(engine, victim_name) > 0, "the victim holds claims")
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            orphaned = _holding(engine, victim_name)
            workers[0] = procs.start_worker(env, tmp_path / "worker0-again.log")

            # SIGTERM the second one while it holds claims: it finishes them and exits.
            polite = workers[1]
            polite_name = procs.worker_name(polite)
            _wait_until(lambda: _holding(engine, polite_name) > 0, "the second holds claims")
            polite.send_signal(signal.SIGTERM)
            assert polite.wait(60) == 0
            assert _holding(engine, polite_name) == 0  # nothing left half-done

            _wait_until(lambda: _count(engine, Reminder.state.in_(("planned", "sending"))) == 0,
                        "every reminder settled")
            codes = [procs.stop(w) for w in (workers[0], workers[2])]
            stats = procs.peer_stats(port)
            with engine.connect() as conn:
                reminders = dict(conn.execute(select(Reminder.id, Reminder.state)).all())
                tokens = dict(conn.execute(select(Message.callback_token, Message.reminder_id)
                                           .where(Message.direction == "out")).all())
                uncertain_items = conn.scalar(select(func.count()).select_from(InboxItem)
                                              .where(InboxItem.kind == "uncertain"))
    finally:
        for proc in [*workers, peer]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    assert codes == [0, 0]
    # Every request the peer accepted belongs to a message row we wrote first.
    reached: Counter[int] = Counter()
    for token, count in stats["accepted"].items():
        assert token in tokens, "the peer accepted a message the database does not know"
        reached[tokens[token]] += count
    by_state = Counter(reminders.values())
    assert set(reminders) == set(ids)
    assert set(by_state) <= {"sent", "uncertain"}, by_state  # none lost, none failed
    for reminder_id, state in reminders.items():
        if state == "sent":
            assert reached[reminder_id] == 1, (reminder_id, reached[reminder_id])
        else:
            assert reached[reminder_id] <= 1, (reminder_id, reached[reminder_id])
    assert uncertain_items == by_state["uncertain"]  # the worker is told of each
    # The faults really happened, and the kill really interrupted claims.
    assert stats["failures"] >= REMINDERS // 10 and stats["slow"] > 0
    assert orphaned > 0
    # One rate for the account, though three processes sent (25 % slack for jitter).
    assert stats["busiest_2s"] <= RATE * 2 * 1.25, stats["busiest_2s"]
