"""Benchmark 5: the naive design, for comparison. One APScheduler job per reminder.

APScheduler 3 with its SQLAlchemyJobStore on the same PostgreSQL: every reminder a
pickled `date` job added with scheduler.add_job. Measured: the rate of adding, the
start-up time and peak memory of a fresh process that opens a store of N jobs and
starts the scheduler, and the same for our worker with N reminders stored.
(APScheduler 3 cannot share one job store between processes; ours can: see
docs/performance.md.)

Run: .venv/bin/python -m bench.naive_apscheduler [N]
     (internally also: python -m bench.naive_apscheduler --serve URL)
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.common import machine, peak_rss_mib, scratch
from bench.scale import store_bulk, worker_memory
from service.store.db import make_engine
from tests.scale import processes as procs


def send_reminder(reminder_id: int) -> None:
    """What each naive job would run (never reached here: all jobs are in the future)."""
    print("send", reminder_id)


def _scheduler(url: str):  # type: ignore[no-untyped-def]
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    engine = make_engine(url.split("?")[0], connect_args={
        "options": url.split("options=", 1)[1].replace("%3D", "=")})
    return BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=engine)},
                               timezone="UTC")


def add_jobs(url: str, count: int) -> float:
    """Jobs added per second through scheduler.add_job (paused scheduler, real store)."""
    scheduler = _scheduler(url)
    scheduler.start(paused=True)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for i in range(count):
        scheduler.add_job(send_reminder, "date", args=[i], id=f"r{i}",
                          run_date=now + timedelta(days=1 + i % 90, seconds=i % 3600),
                          misfire_grace_time=3600)
    elapsed = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    return count / elapsed


def serve(url: str) -> None:
    """The naive worker process: open the store, start, report, idle."""
    scheduler = _scheduler(url)
    scheduler.start()
    print("started", flush=True)
    time.sleep(8)
    scheduler.shutdown(wait=False)


def naive_process(url: str) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.naive_apscheduler", "--serve", url],
                            cwd=procs.REPO, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    up = time.perf_counter() - started
    assert line.strip() == b"started", line
    time.sleep(6)
    peak = peak_rss_mib(proc.pid)
    proc.wait(60)
    return up, peak


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        return serve(sys.argv[2])
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"naive design: one APScheduler job per reminder, {count} reminders, PostgreSQL")
    with scratch() as (url, engine, tmp):
        up0, mem0 = naive_process(url)
        rate = add_jobs(url, count)
        with engine.connect() as conn:
            size = conn.execute(text(
                "SELECT pg_total_relation_size('apscheduler_jobs')")).scalar_one()
        up1, mem1 = naive_process(url)
    print(f"  APScheduler: add_job {rate:.0f} jobs/s ({count / rate:.0f} s for {count}); "
          f"store {size / 2**20:.0f} MiB")
    print(f"  APScheduler process, empty store: start-up {up0:.2f} s, peak RSS {mem0:.1f} MiB")
    print(f"  APScheduler process, {count} jobs: start-up {up1:.2f} s, peak RSS {mem1:.1f} MiB")
    with scratch() as (url, engine, tmp):
        up0, mem0 = worker_memory(url, engine, tmp)
        seconds = store_bulk(engine, count)
        up1, mem1 = worker_memory(url, engine, tmp)
    print(f"  ours: {count} reminders stored in bulk in {seconds:.1f} s "
          f"(planning rate: see bench.scale)")
    print(f"  our worker, nothing stored: start-up {up0:.2f} s, peak RSS {mem0:.1f} MiB")
    print(f"  our worker, {count} stored: start-up {up1:.2f} s, peak RSS {mem1:.1f} MiB")
    print(f"  machine: {machine()}")
    return None


if __name__ == "__main__":
    main()
