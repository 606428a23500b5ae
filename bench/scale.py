"""Benchmark 2: scale. Planning rate, 1,000,000 reminders stored, the idle pass, memory.

1. The real planning path (build_appointment + register_event: rules, windows,
   templates rendered for the preview, rows written) for N appointments.
2. 1,000,000 reminders written in bulk (server-side INSERT ... SELECT): 200,000
   clients, 200,000 appointments, five reminders each, a fifth of them history.
3. The idle pass (nothing due) timed with nothing stored and with 1M stored.
4. A real `rinnalla worker` process's peak memory (VmHWM), nothing stored vs 1M.

Run: .venv/bin/python -m bench.scale [appointments_to_plan] [reminders_to_store]
"""

from __future__ import annotations

import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, event, text

from bench.common import machine, peak_rss_mib, scratch, summary_ms
from service.config import load_config
from service.domain.events.lifecycle import AppointmentInput, build_appointment, register_event
from service.runtime import Runtime, build_runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Heartbeat
from tests.scale import processes as procs
from tests.scale.seed import seed_due

NOW = datetime.now(UTC)


def dev_config(tmp: Path, url: str) -> Path:
    path = tmp / "dev.toml"
    path.write_text('[gateway]\nkind = "development"\n[worker]\ntick_seconds = 1\n')
    return path


def planning_rate(rt: Runtime, count: int) -> tuple[float, float]:
    """Appointments and reminders planned per second through the service's own code."""
    seed_due(rt.engine, 1, NOW + timedelta(days=400))  # one client to plan for
    planned = 0
    started = time.perf_counter()
    for start in range(0, count, 100):
        with transaction(rt.sessions) as session:
            for i in range(start, min(count, start + 100)):
                when = (NOW + timedelta(days=10 + i % 60)).replace(hour=8 + i % 8, minute=0)
                event = build_appointment(session, AppointmentInput(
                    client_id=1, starts_at=when, place=f"Huone {i}", bring="henkilökortti"), NOW)
                planned += len(register_event(session, rt, event, NOW))
    elapsed = time.perf_counter() - started
    return count / elapsed, planned / elapsed


def store_bulk(engine: Engine, reminders: int) -> float:
    """Seconds to write `reminders` rows (and their clients and events) server-side."""
    events = reminders // 5
    sql = [
        f"""INSERT INTO clients (name, phone, number_type, language, channel, opted_out,
                created_at, updated_at, last_activity_at, team_id)
            SELECT 'Asiakas ' || g, '+358' || (500000000 + g), 'mobile', 'fi', 'auto', false,
                   now(), now(), now(), (SELECT min(id) FROM teams)
            FROM generate_series(1, {events}) g""",
        """INSERT INTO events (client_id, kind, state, appointment_type, starts_at, place,
                needs_transport, created_at, updated_at)
            SELECT id, 'appointment', 'planned', 'other',
                   now() + (id % 90 + 1) * interval '1 day', 'Huone ' || id, false, now(), now()
            FROM clients WHERE name LIKE 'Asiakas %'""",
        """INSERT INTO reminders (event_id, client_id, rule_id, template, channel, recipient,
                send_at, latest_at, state, attempts, created_at, updated_at)
            SELECT e.id, e.client_id, 'r' || k, 'appointment_reminder', 'sms', 'client',
                   CASE WHEN k = 1 THEN now() - interval '3 days'
                        ELSE e.starts_at - k * interval '1 day' + interval '1 hour' END,
                   e.starts_at - interval '2 hours',
                   CASE WHEN k = 1 THEN 'delivered' ELSE 'planned' END, 0, now(), now()
            FROM events e CROSS JOIN generate_series(1, 5) k""",
        "ANALYZE",
    ]
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in sql:
            conn.execute(text(statement))
    return time.perf_counter() - started


def sizes(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND relkind = 'r'
            ORDER BY 2 DESC LIMIT 4""")).all()
        due = conn.execute(text("SELECT pg_relation_size('ix_reminders_due')")).scalar_one()
    parts = [f"{name} {total / 2**20:.0f} MiB (table {table / 2**20:.0f})"
             for name, total, table in rows]
    return ", ".join(parts) + f"; partial index ix_reminders_due {due / 2**20:.1f} MiB"


def idle_ticks(rt: Runtime, rounds: int = 200) -> list[float]:
    """Wall time of each idle pass, as the worker runs it (its look also reads when the
    next thing is due: how long the worker may sleep); also prints its CPU time and
    its SQL statements."""
    tick(rt, worker_name="bench")  # warm up: prepared statements, pool
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(rt.engine, "before_cursor_execute", count)
    times = []
    cpu = time.process_time()
    for _ in range(rounds):
        started = time.perf_counter()
        result = tick(rt, worker_name="bench")
        times.append(time.perf_counter() - started)
        assert result.found_nothing, result.summary()
    cpu = time.process_time() - cpu
    event.remove(rt.engine, "before_cursor_execute", count)
    print(f"    (per idle pass: {statements[0] / rounds:.0f} SQL statements in one transaction, "
          f"{cpu / rounds * 1000:.2f} ms CPU in this process)")
    return times


def worker_memory(url: str, engine: Engine, tmp: Path, seconds: float = 8.0) -> tuple[float, float]:
    """(start-up seconds until its first heartbeat, peak RSS MiB) of a real worker process."""
    env = procs.worker_env(url, dev_config(tmp, url))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM heartbeats"))
    started = time.perf_counter()
    proc = procs.start_worker(env, tmp / "worker.log")
    up = None
    try:
        while time.perf_counter() - started < 120:
            with engine.connect() as conn:
                if conn.execute(text(f"SELECT count(*) FROM {Heartbeat.__tablename__}")).scalar():
                    up = time.perf_counter() - started
                    break
            time.sleep(0.02)
        time.sleep(seconds)  # several idle passes
        peak = peak_rss_mib(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    return (up or float("nan")), peak


def main() -> None:
    to_plan = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    to_store = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    print(f"scale: plan {to_plan} appointments; store {to_store} reminders (PostgreSQL)")
    with scratch() as (url, engine, tmp):
        rt = build_runtime(load_config(env={"DATABASE_URL": url}), engine=engine)
        events, reminders = planning_rate(rt, to_plan)
        print(f"  planning (real path): {events:.0f} appointments/s, {reminders:.0f} reminders/s")
    with scratch() as (url, engine, tmp):
        rt = build_runtime(load_config(env={"DATABASE_URL": url}), engine=engine)
        empty = idle_ticks(rt)
        up0, mem0 = worker_memory(url, engine, tmp)
        seconds = store_bulk(engine, to_store)
        print(f"  bulk storage: {to_store} reminders in {seconds:.1f} s "
              f"({to_store / seconds:.0f} rows/s)")
        print(f"  database size: {sizes(engine)}")
        full = idle_ticks(rt)
        up1, mem1 = worker_memory(url, engine, tmp)
        print(f"  idle pass, nothing stored: {summary_ms(empty)}")
        print(f"  idle pass, {to_store} stored, none due: {summary_ms(full)}")
        print(f"  worker process, nothing stored: start-up {up0:.2f} s, peak RSS {mem0:.1f} MiB")
        print(f"  worker process, {to_store} stored: start-up {up1:.2f} s, peak RSS {mem1:.1f} MiB")
    print(f"  machine: {machine()}")


if __name__ == "__main__":
    main()
