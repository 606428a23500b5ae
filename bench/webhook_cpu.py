"""Benchmark 4b: what one signed inbound SMS costs, in CPU and in statements.

bench.webhooks measures throughput through gunicorn, where the load generator,
gunicorn and PostgreSQL share the cores, so its figures move with the machine's load.
This one serves the same requests in-process (Flask's test client, no HTTP) and reads
what a request costs: this process's CPU (thread time), PostgreSQL's backends' CPU
(from /proc), and the SQL statements it runs. CPU time hardly moves with the load.
The same requests go to the bench-only ceiling (bench/webhook_ceiling.py) for comparison.
The webhook stores a text; the worker reads it (scheduling/text_reading.py), so the
reading's cost is measured too, as the worker spends it: read_waiting over the texts the
requests stored.

Run: .venv/bin/python -m bench.webhook_cpu [requests]
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from twilio.request_validator import RequestValidator

from bench.common import machine, scratch
from bench.webhook_ceiling import CEILING_PATH, create_app
from bench.webhooks import CLIENTS, REPLIES, seed_sent
from service.clock import utcnow
from service.runtime import Runtime
from service.scheduling.text_reading import read_waiting
from tests.scale import processes as procs
from tests.scale.seed import phone, seed_due

BASE = "http://localhost"


def postgres_cpu() -> float:
    """Seconds of CPU all PostgreSQL processes on this machine have used (Linux /proc)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().startswith("postgres"):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def statements(engine: Engine) -> Iterator[Counter[str]]:
    """Each statement run meanwhile, by its verb and first table."""
    seen: Counter[str] = Counter()

    def note(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        words = sql.split()
        verb = words[0].upper()
        table = {"INSERT": 2, "UPDATE": 1}.get(verb)
        if verb == "SELECT":  # its first table (a sub-select's, for the team-files check)
            table = next((i + 1 for i, w in enumerate(words) if w.upper() == "FROM"), None)
        seen[f"{verb} {words[table].strip('()')}" if table else verb] += 1

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def signed(path: str, n: int) -> list[tuple[dict[str, str], str]]:
    validator = RequestValidator(procs.AUTH_TOKEN)
    out = []
    for i in range(n):
        params = {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": procs.ACCOUNT_SID,
                  "From": phone((i * 7919) % CLIENTS), "To": procs.FROM_NUMBER,
                  "Body": REPLIES[i % len(REPLIES)]}
        out.append((params, validator.compute_signature(BASE + path, params)))
    return out


def serve(app: Flask, path: str, n: int) -> tuple[float, float, float]:
    """CPU of this thread and of PostgreSQL, and wall time, per request, in ms."""
    requests = signed(path, n)  # signed beforehand: the client's work is not counted
    client = app.test_client()
    cpu, pg, wall = time.thread_time(), postgres_cpu(), time.perf_counter()
    for params, signature in requests:
        response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.status_code
    return ((time.thread_time() - cpu) * 1000 / n, (postgres_cpu() - pg) * 1000 / n,
            (time.perf_counter() - wall) * 1000 / n)


def read_all(rt: Runtime, n: int) -> tuple[float, float, float]:
    """CPU of this thread and of PostgreSQL, and wall time, per text read, in ms."""
    cpu, pg, wall = time.thread_time(), postgres_cpu(), time.perf_counter()
    assert read_waiting(rt).read == n
    return ((time.thread_time() - cpu) * 1000 / n, (postgres_cpu() - pg) * 1000 / n,
            (time.perf_counter() - wall) * 1000 / n)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with scratch() as (url, engine, tmp):
        seed_sent(engine, seed_due(engine, CLIENTS, utcnow() + timedelta(days=1)))
        config = tmp / "web.toml"
        config.write_text(f'[gateway]\nkind = "development"\npublic_base_url = "{BASE}"\n')
        os.environ.update(procs.worker_env(url, config))
        app = create_app()
        serve(app, CEILING_PATH, 100)  # warm up: caches, prepared statements, the pool
        rt = app.extensions["rinnalla"]
        serve(app, "/twilio/sms", 200)
        read_all(rt, 200)
        figures = {path: serve(app, path, n) for path in (CEILING_PATH, "/twilio/sms")}
        figures["reading (worker)"] = read_all(rt, n)
        engine = rt.sessions.kw["bind"]
        with statements(engine) as seen:
            serve(app, "/twilio/sms", 60)
        with statements(engine) as seen_reading:
            read_all(rt, 60)
    print(f"inbound webhooks in-process: {n} signed requests a side, PostgreSQL")
    for path, (cpu, pg, wall) in figures.items():
        print(f"  {path:17}: this process {cpu:.2f} ms CPU, PostgreSQL {pg:.2f} ms CPU, "
              f"wall {wall:.2f} ms a request")
    real, bare = figures["/twilio/sms"][0], figures[CEILING_PATH][0]
    print(f"  /twilio/sms costs {real / bare:.1f} x the ceiling's CPU in this process")
    print("  statements a request, the webhook (mean of 60):")
    for name, count in seen.most_common():
        print(f"    {count / 60:5.2f}  {name}")
    print("  statements a text, the worker's reading (mean of 60; 1 in 6 a call-back, "
          "the rest answers):")
    for name, count in seen_reading.most_common():
        print(f"    {count / 60:5.2f}  {name}")
    print(f"  machine: {machine()}")


if __name__ == "__main__":
    main()
