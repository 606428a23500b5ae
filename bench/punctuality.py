"""Benchmark 3: punctuality. 10,000 reminders due in the same minute, 2 worker processes.

The reminders are spread over one minute starting ~20 s after the workers start.
Two `rinnalla worker` processes (real processes, TwilioGateway, shared rate limit)
send them to the loopback peer, which notes when it accepted each one. Lateness =
accepted at the peer - planned send_at. The rate limit is set high here
(messages_per_second, default 500) so that what is measured is the dispatch itself;
with Twilio's limit of R messages/s, N reminders need at least N / R seconds.
Lateness beyond the rate-limit floor: each reminder is compared with the earliest
moment the rate allows it (in send_at order, one every 1/R s, never before its own
send_at), so what is left is the dispatch's own delay.

Run: .venv/bin/python -m bench.punctuality [N] [tick_seconds] [messages_per_second] [batch_size]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bench.common import machine, peer, percentile, scratch
from service.store.models import Message, Reminder
from tests.scale import processes as procs
from tests.scale.seed import seed_due


def beyond_floor(planned_seen: list[tuple[float, float]], rate: float) -> list[float]:
    """Each send's lateness beyond the earliest moment rate R allows it: in send_at
    order (ties in the order they went), one every 1/R s, never before its send_at."""
    floor = float("-inf")
    out = []
    for planned, seen in sorted(planned_seen):
        floor = max(planned, floor + 1.0 / rate)
        out.append(seen - floor)
    return out


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    tick_seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 500.0
    batch = {"batch_size": int(sys.argv[4])} if len(sys.argv) > 4 else {}
    with scratch() as (url, engine, tmp), peer(tmp) as port:
        start = datetime.now(UTC) + timedelta(seconds=20)
        ids = seed_due(engine, count, start)
        with engine.begin() as conn:  # spread over the minute: i-th at start + (i % 60) s
            for second in range(60):
                conn.execute(update(Reminder).where(Reminder.id.in_(ids[second::60]))
                             .values(send_at=start + timedelta(seconds=second)))
        config = procs.write_config(tmp / "config.toml", port, tick_seconds=tick_seconds,
                                    messages_per_second=rate, **batch)
        env = procs.worker_env(url, config)
        workers = [procs.start_worker(env, tmp / f"w{i}.log") for i in range(2)]
        try:
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    left = conn.scalar(select(Reminder.id).where(
                        Reminder.state.in_(("planned", "sending"))).limit(1))
                if left is None:
                    break
                time.sleep(0.5)
        finally:
            codes = [procs.stop(w) for w in workers]
        seen = procs.peer_stats_times(port)
        with engine.connect() as conn:
            rows = conn.execute(select(Message.callback_token, Reminder.send_at)
                                .join(Reminder, Reminder.id == Message.reminder_id)).all()
    late = [seen[token] - send_at.timestamp() for token, send_at in rows if token in seen]
    beyond = beyond_floor([(send_at.timestamp(), seen[token]) for token, send_at in rows
                           if token in seen], rate)
    print(f"punctuality: {count} reminders due within one minute, 2 worker processes, "
          f"tick_seconds={tick_seconds}, rate limit {rate:.0f}/s"
          + (f", batch_size={batch['batch_size']}" if batch else ""))
    print(f"  sent {len(late)} of {count}; workers stopped with {codes}")
    print(f"  lateness: p50 {percentile(late, 0.5):.2f} s, p99 {percentile(late, 0.99):.2f} s, "
          f"max {max(late):.2f} s, earliest {min(late):.2f} s")
    print(f"  beyond the rate-limit floor: p50 {percentile(beyond, 0.5):.2f} s, "
          f"p99 {percentile(beyond, 0.99):.2f} s, max {max(beyond):.2f} s")
    print(f"  machine: {machine()}")


if __name__ == "__main__":
    main()
