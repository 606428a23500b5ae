"""Benchmark 5: immediacy. Worker replies written at random moments, tick-based vs woken.

One `rinnalla worker` process (real process, TwilioGateway against the loopback
peer) per side. This process writes N worker replies (queued outbound texts, as the
inbox writes them) at uniformly random moments over S seconds, each in its own
committed transaction, and notes the moment each commit returned. Lateness = accepted
at the peer - committed. The two sides run one after the other in the same run:
- tick-based: [worker] listen = false, so the worker finds a reply at its next
  safety tick (as every pass did before issue 19);
- woken: listen = true, the commit's pg_notify wakes the worker.
The rate limit is high (1000/s), so it never holds a reply back.

Run: .venv/bin/python -m bench.immediacy [N] [seconds] [tick_seconds]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from bench.common import machine, peer, percentile, runtime, scratch, twilio_config
from service.domain.messages.outbound import new_outbound_message
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Heartbeat, Message
from service.store.states import MessageStatus
from tests.scale import processes as procs
from tests.scale.seed import phone


def write_replies(rt: Runtime, count: int, seconds: float) -> dict[str, float]:
    """Write `count` replies at random moments; callback token -> commit time."""
    rng = random.Random(19)
    offsets = sorted(rng.uniform(0, seconds) for _ in range(count))
    start = time.monotonic()
    committed: dict[str, float] = {}
    for i, offset in enumerate(offsets):
        delay = start + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        with transaction(rt.sessions) as session:
            message = new_outbound_message(
                channel="sms", to=phone(i % 500), body="Kiitos viestistä, nähdään torstaina.",
                from_number=rt.from_number, gateway=rt.gateway_name,
                status=MessageStatus.QUEUED, now=datetime.now(UTC))
            session.add(message)
        committed[message.callback_token or ""] = time.time()
    return committed


def wait_until_sent(engine: Engine, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            # (Twilio's own first answer is also "queued": a row it took has its sid.)
            left = conn.scalar(select(Message.id).where(
                Message.status.in_((MessageStatus.QUEUED, MessageStatus.SENDING)),
                Message.gateway_sid.is_(None)).limit(1))
        if left is None:
            return
        time.sleep(0.2)


def side(url: str, engine: Engine, tmp: Path, port: int, listen: bool, count: int,
         seconds: float, tick: int) -> tuple[list[float], int]:
    """One worker process; returns the replies' lateness and its exit code."""
    config = procs.write_config(tmp / f"config-{listen}.toml", port, tick_seconds=tick)
    config.write_text(config.read_text().replace(
        "[worker]\n", f"[worker]\nlisten = {'true' if listen else 'false'}\n"))
    env = procs.worker_env(url, config)
    rt = runtime(twilio_config(url, port, tmp), engine)
    worker = procs.start_worker(env, tmp / f"worker-{listen}.log")
    try:
        name = procs.worker_name(worker)
        for _ in range(600):  # until its first pass has run
            with transaction(rt.sessions) as session:
                if session.get(Heartbeat, name) is not None:
                    break
            time.sleep(0.1)
        committed = write_replies(rt, count, seconds)
        wait_until_sent(engine, tick * 2 + 60)
    finally:
        code = procs.stop(worker)
    seen = procs.peer_stats_times(port)
    return [seen[token] - at for token, at in committed.items() if token in seen], code


def report(label: str, late: list[float], count: int) -> None:
    print(f"  {label:10s} sent {len(late)} of {count}; lateness p50 "
          f"{percentile(late, 0.5) * 1000:.0f} ms, p99 {percentile(late, 0.99) * 1000:.0f} ms, "
          f"max {max(late) * 1000:.0f} ms")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    tick = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    with scratch() as (url, engine, tmp), peer(tmp) as port:
        ticked, code_t = side(url, engine, tmp, port, False, count, seconds, tick)
        woken, code_w = side(url, engine, tmp, port, True, count, seconds, tick)
    print(f"immediacy: {count} worker replies written at random moments over {seconds:.0f} s, "
          f"1 worker process, tick_seconds={tick}, PostgreSQL")
    report("tick-based", ticked, count)
    report("woken", woken, count)
    print(f"  workers stopped with {[code_t, code_w]}")
    print(f"  machine: {machine()}")


if __name__ == "__main__":
    main()
