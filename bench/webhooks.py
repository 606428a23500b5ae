"""Benchmark 4: signed inbound SMS under concurrent load, through gunicorn.

gunicorn serves the real app (the Procfile's command, 2 sync workers for 2 cores)
on PostgreSQL. Client threads POST /twilio/sms as Twilio does: form-encoded, signed
with X-Twilio-Signature, a new MessageSid each time, from numbers of known clients
(so each reply is interpreted, stored and put in an inbox). Every answer must be 200.

Each client is as in production: a worker of the team holds them, and the reminder of
their appointment was sent by text, so a reply is read against that question ("joo"
confirms, "en pääse" declines and stops the remaining reminders, "soita" asks for a
call-back due in working hours) and lands in that worker's inbox.

The webhook stores each text and answers; a worker process (`rinnalla worker`, as in
the Procfile) runs on the same cores throughout and reads the texts as they come
(scheduling/text_reading.py). After each round the benchmark waits until every text
stored has been read and reports how many were waiting when the load stopped and how
long the rest took: the sustained rate counts a text only once it is read.

In the same run, against the same gunicorn, the same load goes to a bare ceiling
(bench/webhook_ceiling.py: same Flask app and signature check, empty TwiML, no
database); the real endpoint's throughput is reported as a share of it. The two
alternate in rounds (ceiling, real, ceiling, real, ...), so drift in the machine's
speed falls on both; a ceiling round starts only once the worker has read everything.

Run: .venv/bin/python -m bench.webhooks [seconds] [concurrency] [gunicorn_workers] [threads]
     [alongside|after]   (the worker reads during the load, or is paused and reads after)
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import Engine, func, insert, select, update
from twilio.request_validator import RequestValidator

from bench.common import machine, percentile, scratch
from bench.webhook_ceiling import CEILING_PATH
from service.clock import utcnow
from service.store.models import Client, InboundText, Message, Reminder, TeamMember, Worker
from tests.scale import processes as procs
from tests.scale.seed import phone, seed_due

REPLIES = ["Kyllä tulen", "en pääse", "ok", "soita", "joo", "Kiitos, tulen 👍"]
CLIENTS = 2000


def seed_sent(engine: Engine, reminder_ids: list[int]) -> None:
    """Give every seeded client a worker, and send each one's reminder (its message
    stored as delivered an hour ago), as the dispatch would have."""
    now = utcnow()
    with engine.begin() as conn:
        worker_id = conn.scalar(insert(Worker).returning(Worker.id).values(
            name="Mittari Työntekijä", email="bench@example.invalid", active=True,
            created_at=now))
        conn.execute(insert(TeamMember).values(team_id=1, worker_id=worker_id))
        conn.execute(update(Client).values(worker_id=worker_id, team_id=1))
        sent = conn.execute(select(Reminder.id, Reminder.client_id, Reminder.event_id,
                                   Client.phone).join(Client, Client.id == Reminder.client_id)
                            .where(Reminder.id.in_(reminder_ids))).all()
        conn.execute(update(Reminder).where(Reminder.id.in_(reminder_ids))
                     .values(state="sent", sent_at=now - timedelta(hours=1)))
        conn.execute(insert(Message), [
            {"direction": "out", "channel": "sms", "client_id": r.client_id,
             "reminder_id": r.id, "event_id": r.event_id, "to_number": r.phone,
             "from_number": procs.FROM_NUMBER, "body": "Muistutus: aikasi on ylihuomenna.",
             "gateway": "twilio", "gateway_sid": "SM" + secrets.token_hex(16),
             "status": "delivered", "created_at": now - timedelta(hours=1),
             "updated_at": now - timedelta(hours=1)} for r in sent])


def stored_as_messages(engine: Engine) -> int:
    """Replies the worker read and filed (inbound messages)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Message)
                               .where(Message.direction == "in")) or 0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(port: int, base: str, seconds: float, concurrency: int,
         path: str = "/twilio/sms") -> tuple[list[float], int]:
    validator = RequestValidator(procs.AUTH_TOKEN)
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        mine: list[float] = []
        bad = 0
        i = 0
        while time.monotonic() < stop_at:
            params = {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": procs.ACCOUNT_SID,
                      "From": phone((n * 7919 + i) % CLIENTS), "To": procs.FROM_NUMBER,
                      "Body": REPLIES[i % len(REPLIES)]}
            body = urlencode(params)
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "X-Twilio-Signature": validator.compute_signature(base + path, params)}
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body=body, headers=headers)
            status = conn.getresponse().status
            conn.close()
            mine.append(time.perf_counter() - started)
            bad += status != 200
            i += 1
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures[0]


ROUNDS = 3  # alternating ceiling / real rounds; `seconds` is each side's total


@dataclass
class Reading:
    """The worker's reading of what a round stored."""

    waiting_at_end: list[int] = field(default_factory=list)  # a round's backlog
    catch_up: list[float] = field(default_factory=list)  # seconds until all were read

    def wait(self, engine: Engine) -> None:
        started = time.perf_counter()
        self.waiting_at_end.append(waiting(engine))
        while waiting(engine):
            time.sleep(0.05)
        self.catch_up.append(time.perf_counter() - started)


def waiting(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(InboundText)) or 0)


@dataclass
class Side:
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    elapsed: float = 0.0

    def run(self, port: int, base: str, seconds: float, concurrency: int, path: str) -> None:
        started = time.perf_counter()
        latencies, failures = load(port, base, seconds, concurrency, path)
        self.elapsed += time.perf_counter() - started
        self.latencies += latencies
        self.failures += failures

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def line(self, label: str) -> str:
        lat = self.latencies
        return (f"  {label}: {len(lat)} requests, {self.failures} not 200: {self.rate:.0f} "
                f"requests/s; latency p50 {percentile(lat, 0.5) * 1000:.1f} ms, "
                f"p99 {percentile(lat, 0.99) * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms")


def start_server(env: dict[str, str], tmp: Path, port: int, workers: int, threads: int = 1
                 ) -> subprocess.Popen[bytes]:
    with open(tmp / "gunicorn.log", "ab") as log:  # the child keeps its own copy
        server = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--workers",
             str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
             "--timeout", "20", "bench.webhook_ceiling:create_app()"],
            cwd=procs.REPO, env=env,
            stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 1  # >1: gunicorn's gthread workers
    # "alongside": the worker reads while the load runs; "after": it is paused (SIGSTOP)
    # during each round and reads the backlog after it, so the endpoint is measured alone
    mode = sys.argv[5] if len(sys.argv) > 5 else "alongside"
    ceiling, real, reading = Side(), Side(), Reading()
    with scratch() as (url, engine, tmp):
        seed_sent(engine, seed_due(engine, CLIENTS, utcnow() + timedelta(days=1)))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        config = tmp / "web.toml"
        config.write_text(f'[gateway]\nkind = "development"\npublic_base_url = "{base}"\n')
        env = procs.worker_env(url, config)
        env["RINNALLA_SECRET_KEY"] = secrets.token_hex(16)
        server = start_server(env, tmp, port, workers, threads)
        reader = procs.start_worker(env, tmp / "worker.log")
        try:
            load(port, base, 3.0, 4)  # warm up every gunicorn worker, both paths
            load(port, base, 1.0, 4, CEILING_PATH)
            Reading().wait(engine)
            for _ in range(ROUNDS):
                ceiling.run(port, base, seconds / ROUNDS, concurrency, CEILING_PATH)
                if mode == "after":
                    os.kill(reader.pid, signal.SIGSTOP)
                real.run(port, base, seconds / ROUNDS, concurrency, "/twilio/sms")
                os.kill(reader.pid, signal.SIGCONT)
                reading.wait(engine)
            read = stored_as_messages(engine)
        finally:
            reader.terminate()
            server.terminate()
            server.wait(30)
            reader.wait(30)
    print(f"inbound webhooks: signed POST, gunicorn --workers {workers} --threads {threads}, "
          f"{concurrency} "
          f"concurrent clients, {seconds:.0f} s a side in {ROUNDS} alternating rounds, PostgreSQL")
    print(real.line("/twilio/sms    "))
    print(ceiling.line("bare ceiling   "))
    print(f"  real endpoint at {real.rate / ceiling.rate:.0%} of the ceiling's throughput")
    sustained = len(real.latencies) / (real.elapsed + sum(reading.catch_up))
    print(f"  read by the worker ({mode}): {read} replies filed; waiting when each round's "
          f"load stopped {reading.waiting_at_end}, all read "
          f"{', '.join(f'{s:.1f}' for s in reading.catch_up)} s later; sustained "
          f"(stored and read) {sustained:.0f} replies/s")
    print(f"  machine: {machine()}")


if __name__ == "__main__":
    main()
