"""The Twilio peer: Stoplight Prism serving Twilio's own OpenAPI spec on loopback.

Loaded from tests/conftest.py (pytest_plugins). The `twilio_peer` fixture installs
Prism from this folder's package-lock.json on first use (`npm ci`), starts it on a
free loopback port for the whole test session and stops it at the end. Prism refuses
any request that does not fit Twilio's schema with 422, so a test that gets an answer
knows its request was one real Twilio would accept.

Prism runs in dynamic mode (-d): each answer is random data valid by the schema, so
every message and call gets its own sid, as with Twilio. (The spec's static example
gives every call the same sid, which the unique messages.gateway_sid rightly refuses.)
Tests must therefore not rely on the status in an answer; the gateway only ever
reports "accepted" statuses from a create request anyway.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SPEC = HERE / "twilio_api_v2010.json"
PRISM = HERE / "node_modules" / ".bin" / "prism"
INSTALL_SECONDS = 600
START_SECONDS = 60


def _missing(reason: str) -> None:
    from tests.conftest import service_missing

    service_missing(reason)


def _install() -> None:
    """npm ci into this folder, exactly the versions in package-lock.json.

    Under pytest-xdist every worker process may get here at once on a fresh clone: a
    file lock lets one install while the others wait, then find Prism installed.
    """
    if PRISM.exists():
        return
    with open(HERE / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not PRISM.exists():
                _npm_ci()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _npm_ci() -> None:
    if not (shutil.which("node") and shutil.which("npm")):
        _missing("the Twilio peer needs Node.js and npm (apt-get install nodejs npm)")
    try:
        subprocess.run(["npm", "ci", "--no-fund", "--no-audit", "--loglevel=error"], cwd=HERE,
                       check=True, capture_output=True, text=True, timeout=INSTALL_SECONDS)
    except subprocess.CalledProcessError as exc:
        _missing(f"npm ci for the Twilio peer failed: {exc.stderr.strip()[-300:]}")
    except subprocess.TimeoutExpired:
        _missing("npm ci for the Twilio peer did not finish")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True  # any HTTP answer (Prism says 404 at /) means it is up
    except OSError:
        return False
    return True


def _start(log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(PRISM), "mock", "-d", "-h", "127.0.0.1", "-p", str(port), "-v", "warn", str(SPEC)],
            cwd=HERE, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _answers(base + "/"):
            return process, base
        time.sleep(0.1)
    _stop(process)
    tail = log_path.read_text(errors="replace")[-500:]
    pytest.fail(f"the Twilio peer (Prism) did not start on {base}: {tail}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def twilio_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running Prism (e.g. http://127.0.0.1:40123), for twilio.api_base_url."""
    _install()
    process, base = _start(tmp_path_factory.mktemp("twilio_peer") / "prism.log")
    try:
        yield base
    finally:
        _stop(process)
