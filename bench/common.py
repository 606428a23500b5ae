"""What every benchmark needs: a scratch PostgreSQL schema, the Twilio imitation,
a runtime on both, and a few statistics. All traffic stays on 127.0.0.1."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from service.config import Config, load_config
from service.runtime import Runtime, build_runtime
from tests.scale import processes as procs

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def machine() -> str:
    """What the figures were measured on, including how busy it was."""
    load = os.getloadavg()
    return (f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / "
            f"{load[2]:.1f} (1 / 5 / 15 min) at the end of the run")


@contextmanager
def scratch() -> Iterator[tuple[str, Engine, Path]]:
    """A fresh migrated schema (dropped afterwards) and a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="rinnalla-bench-") as tmp, \
            procs.postgres_schema(database_url()) as (url, engine):
        yield url, engine, Path(tmp)


@contextmanager
def peer(workdir: Path, **options: float | int) -> Iterator[int]:
    proc, port = procs.start_peer(workdir, **options)
    try:
        yield port
    finally:
        proc.kill()
        proc.wait()


def twilio_config(url: str, port: int, workdir: Path, **worker: int | float) -> Config:
    """The service's configuration as a worker process would load it."""
    path = procs.write_config(workdir / "config.toml", port, **worker)
    return load_config(env=procs.worker_env(url, path))


def runtime(config: Config, engine: Engine) -> Runtime:
    """The runtime a worker builds (Twilio gateway, shared rate limiter), on `engine`."""
    return build_runtime(config, engine=engine)


def with_config(rt: Runtime, **changes: object) -> Runtime:
    return replace(rt, config=replace(rt.config, **changes))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> str:
    """p50 / p99 / max of durations given in seconds, in milliseconds."""
    p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
    return (f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(values) * 1000:.2f} ms, "
            f"mean {statistics.fmean(values) * 1000:.2f} ms")


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
