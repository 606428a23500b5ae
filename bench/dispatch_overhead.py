"""Benchmark 1: what our bookkeeping costs per reminder sent.

The same number of SMS go to the same fast loopback peer twice in one run:
(a) bare twilio SDK calls, messages.create(...) in a loop, nothing else;
(b) our dispatch pass: claim, checks, message row written before the call,
    the call through TwilioGateway (shared rate limiter included), outcome
    recorded, on PostgreSQL.
Both with the same concurrency (1 thread, then 4). Bookkeeping share =
1 - rate(b) / rate(a): the part of our time not spent in the SDK call itself.

Run: .venv/bin/python -m bench.dispatch_overhead [N]
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from twilio.rest import Client

from bench.common import machine, peer, runtime, scratch, twilio_config, with_config
from service.clock import utcnow
from service.gateways.twilio_http import RewritingHttpClient
from service.scheduling.dispatch import tick
from tests.scale import processes as procs
from tests.scale.seed import phone, seed_due


def bare(port: int, count: int, threads: int) -> float:
    """Sends per second with the SDK alone (one client, as the gateway keeps one)."""
    client = Client(procs.ACCOUNT_SID, procs.AUTH_TOKEN,
                    http_client=RewritingHttpClient(f"http://127.0.0.1:{port}", 10.0))

    def send(i: int) -> None:
        client.messages.create(to=phone(i), from_=procs.FROM_NUMBER,
                               body=f"Sosiaalitoimi: muistutus ajasta. Huone {i}",
                               status_callback=f"https://rinnalla.example.fi/twilio/status/b{i}")

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(count)))
    return count / (time.perf_counter() - started)


def ours(port: int, count: int, threads: int) -> float:
    """Reminders per second through one dispatch pass on PostgreSQL."""
    with scratch() as (url, engine, tmp):
        seed_due(engine, count, utcnow() - timedelta(minutes=1))
        config = twilio_config(url, port, tmp, batch_size=100, send_threads=threads,
                               messages_per_second=100_000.0)
        rt = with_config(runtime(config, engine), send_threads=threads)
        started = time.perf_counter()
        result = tick(rt)
        elapsed = time.perf_counter() - started
        assert result.sent == count, result.summary()
        return count / elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with scratch() as (_, _, tmp), peer(tmp) as port:
        bare(port, 200, 1)  # warm up: imports, connections
        print(f"dispatch overhead: {count} SMS to a loopback peer, same run")
        for threads in (1, 4):
            sdk = bare(port, count, threads)
            dispatch = ours(port, count, threads)
            share = 1 - dispatch / sdk
            print(f"  {threads} thread(s): bare SDK {sdk:7.1f}/s, dispatch {dispatch:7.1f}/s, "
                  f"ratio {dispatch / sdk:.2f}, bookkeeping {share:.0%} of our time "
                  f"({(1 / dispatch - 1 / sdk) * 1000:.2f} ms a reminder)")
    print(f"  machine: {machine()}")


if __name__ == "__main__":
    main()
