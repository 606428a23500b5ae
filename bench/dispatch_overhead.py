"""Benchmark 1: what our bookkeeping costs per reminder sent.

The same number of SMS go to the same fast loopback peer twice in one run:
(a) bare twilio SDK calls, messages.create(...) in a loop, nothing else, with the
    same texts (same template and values) and callback addresses that (b) sends;
(b) our dispatch pass: claim, checks, message row written before the call,
    the call through TwilioGateway (shared rate limiter included), outcome
    recorded, on PostgreSQL.
Both with the same concurrency (1 thread, then 4), in alternating rounds (the
machine's speed drifts; the median of each side is compared). Bookkeeping share =
1 - rate(b) / rate(a): the part of our time not spent in the SDK call itself.
Also printed: this process's CPU time per send on each side (the SDK is CPU-bound
in Python, so the CPU difference is what our bookkeeping costs).

Run: .venv/bin/python -m bench.dispatch_overhead [N] [ROUNDS] [BATCH_SIZE]
(BATCH_SIZE: [worker] batch_size; by default the worker's default, 500)
"""

from __future__ import annotations

import gc
import resource
import secrets
import statistics
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from twilio.rest import Client

from bench.common import machine, peer, runtime, scratch, twilio_config, with_config
from service.clock import utcnow
from service.domain.texts.rendering import render_text
from service.gateways.twilio_http import RewritingHttpClient
from service.runtime import Runtime
from service.scheduling.dispatch import batch_limit, tick
from service.scheduling.worker import settle_heap
from service.store.models import Event
from tests.scale import processes as procs
from tests.scale.seed import phone, seed_due

WARM_UP = 200


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def started_up() -> Iterator[None]:
    """Each side measured as a started worker process runs: what start-up built is
    frozen (worker.settle_heap); thawed afterwards, so the rounds do not pile up."""
    settle_heap()
    try:
        yield
    finally:
        gc.unfreeze()


def texts(rt: Runtime, count: int) -> list[tuple[str, str]]:
    """(body, StatusCallback) as the dispatch pass will send them: the same template,
    values and token length, so both sides send the same bytes to the peer."""
    starts_at = utcnow() + timedelta(days=2)
    def event(i: int) -> Event:  # not stored: only what a reminder's text reads
        return Event(place=f"Huone {i}", starts_at=starts_at, appointment_type="other")

    return [(render_text(rt.templates, "sms", "appointment_reminder", "fi", event(i),
                         rt.sender),
             rt.public_url(f"/twilio/status/{secrets.token_urlsafe(24)}"))
            for i in range(count)]


def bare(port: int, prepared: list[tuple[str, str]], threads: int) -> tuple[float, float]:
    """Sends per second with the SDK alone (one client, as the gateway keeps one),
    and this process's CPU milliseconds per send."""
    client = Client(procs.ACCOUNT_SID, procs.AUTH_TOKEN,
                    http_client=RewritingHttpClient(f"http://127.0.0.1:{port}", 10.0))
    count = len(prepared)

    def send(i: int) -> None:
        body, callback = prepared[i]
        client.messages.create(to=phone(i), from_=procs.FROM_NUMBER, body=body,
                               status_callback=callback)

    def sender(queue: deque[int]) -> None:
        # As the dispatch's senders do: a few threads take from one queue, so neither
        # side pays for a future per message.
        while True:
            try:
                i = queue.popleft()
            except IndexError:
                return
            send(i)

    with started_up():
        started, cpu = time.perf_counter(), cpu_seconds()
        queue = deque(range(count))
        with ThreadPoolExecutor(threads) as pool:
            for future in [pool.submit(sender, queue) for _ in range(threads)]:
                future.result()
        return count / (time.perf_counter() - started), (cpu_seconds() - cpu) / count * 1000


def ours(port: int, count: int, threads: int, batch: dict[str, int]) -> tuple[float, float]:
    """Reminders per second through one dispatch pass on PostgreSQL, and this
    process's CPU milliseconds per reminder (the pass only, not the seeding).

    A first pass of WARM_UP reminders runs before, as in a worker that has been
    running for a while: statements compiled, connections open, calendars built.
    `batch` may set batch_size; by default the worker's own default applies.
    """
    with scratch() as (url, engine, tmp):
        config = twilio_config(url, port, tmp, send_threads=threads,
                               messages_per_second=100_000.0, **batch)
        rt = with_config(runtime(config, engine), send_threads=threads)
        seed_due(engine, WARM_UP, utcnow() - timedelta(minutes=1), first=count)
        assert tick(rt).sent == WARM_UP
        seed_due(engine, count, utcnow() - timedelta(minutes=1))
        with started_up():
            started, cpu = time.perf_counter(), cpu_seconds()
            result = tick(rt)
            elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        assert result.sent == count, result.summary()
        return count / elapsed, cpu / count * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    batch = {"batch_size": int(sys.argv[3])} if len(sys.argv) > 3 else {}
    with scratch() as (url, engine, tmp), peer(tmp) as port:
        rt = runtime(twilio_config(url, port, tmp, messages_per_second=100_000.0, **batch),
                     engine)
        prepared = texts(rt, count)
        bare(port, prepared[:200], 1)  # warm up: imports, connections
        print(f"dispatch overhead: {count} SMS to a loopback peer, {rounds} alternating rounds, "
              f"batches of {batch_limit(rt)}")
        for threads in (1, 4):
            sdk_runs, our_runs = [], []
            for _ in range(rounds):
                sdk_runs.append(bare(port, prepared, threads))
                our_runs.append(ours(port, count, threads, batch))
            sdk = statistics.median(r for r, _ in sdk_runs)
            dispatch = statistics.median(r for r, _ in our_runs)
            sdk_cpu = statistics.median(c for _, c in sdk_runs)
            our_cpu = statistics.median(c for _, c in our_runs)
            print(f"  {threads} thread(s): bare SDK {sdk:6.1f}/s "
                  f"({min(r for r, _ in sdk_runs):.0f}-{max(r for r, _ in sdk_runs):.0f}), "
                  f"dispatch {dispatch:6.1f}/s "
                  f"({min(r for r, _ in our_runs):.0f}-{max(r for r, _ in our_runs):.0f}), "
                  f"ratio {dispatch / sdk:.2f}, bookkeeping {1 - dispatch / sdk:.0%} of our time")
            print(f"      CPU of this process per send: bare {sdk_cpu:.2f} ms, "
                  f"dispatch {our_cpu:.2f} ms (+{our_cpu - sdk_cpu:.2f} ms, "
                  f"{(our_cpu - sdk_cpu) / our_cpu:.0%} of ours)")
    print(f"  machine: {machine()}")


if __name__ == "__main__":
    main()
