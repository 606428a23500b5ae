"""Real processes for fault tests and benchmarks: the Twilio imitation and `rinnalla worker`.

Everything listens on and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from service.store.db import make_engine
from service.store.migrate import upgrade

REPO = Path(__file__).resolve().parents[2]
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "scale-test-auth-token"
FROM_NUMBER = "+358451234567"


def start_peer(workdir: Path, **options: float | int) -> tuple[subprocess.Popen[bytes], int]:
    """Start tests/scale/twilio_fake.py; returns the process and its port."""
    port_file = workdir / f"peer-{secrets.token_hex(3)}.port"
    args = [sys.executable, "-m", "tests.scale.twilio_fake", "--port-file", str(port_file)]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    with open(workdir / "peer.log", "ab") as log:  # the child keeps its own copy
        proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(200):
        if port_file.exists():
            return proc, int(port_file.read_text())
        if proc.poll() is not None:
            raise RuntimeError(f"the Twilio imitation exited ({proc.returncode})")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the Twilio imitation did not start")


def peer_stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=30) as answer:
        stats: dict[str, Any] = json.loads(answer.read())
        return stats


def peer_stats_times(port: int) -> dict[str, float]:
    """StatusCallback token -> wall time (epoch seconds) the peer accepted it."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats?times", timeout=60) as answer:
        times: dict[str, float] = json.loads(answer.read())["first_seen"]
        return times


def write_config(path: Path, peer_port: int, **worker: int | float) -> Path:
    """A config for worker processes: the Twilio gateway against the peer, open all day."""
    lines = ["[gateway]", 'kind = "twilio"', 'public_base_url = "https://rinnalla.example.fi"',
             "[sending]", 'window = "00:00-23:59"', 'saturday_window = "00:00-23:59"',
             'sunday_window = "00:00-23:59"',
             "[team]", 'name = "Kunnan palvelut"', 'phone = "+358 14 123 4567"', "[worker]"]
    lines += [f"{key} = {value}" for key, value in worker.items() if key != "messages_per_second"]
    lines += ["[twilio]", f'from_number = "{FROM_NUMBER}"',
              f'api_base_url = "http://127.0.0.1:{peer_port}"',
              f"messages_per_second = {float(worker.get('messages_per_second', 1000.0))}",
              "calls_per_second = 50.0", "timeout_seconds = 1.5"]
    path.write_text("\n".join(lines) + "\n")
    return path


def worker_env(database_url: str, config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "RINNALLA_"))}
    env.update(DATABASE_URL=database_url, RINNALLA_CONFIG=str(config),
               TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
               RINNALLA_SECRET_KEY="fault-test-secret", PYTHONUNBUFFERED="1")
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(log, "ab"))


def worker_name(proc: subprocess.Popen[bytes]) -> str:
    """The name the worker claims under (service.scheduling.dispatch.default_worker_name)."""
    return f"{socket.gethostname()}:{proc.pid}"


@contextmanager
def postgres_schema(url: str) -> Iterator[tuple[str, Engine]]:
    """A fresh, migrated schema; yields a URL that selects it (for other processes) and
    an engine on it. Dropped afterwards."""
    schema = f"s_{secrets.token_hex(6)}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = url + ("&" if "?" in url else "?") + f"options=-csearch_path={schema}"
    # (The URL form is for other processes; alembic cannot take it, so not here.)
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield scoped, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def stop(proc: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
    """SIGTERM and wait; a process that does not stop is killed (and reported by -9)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
