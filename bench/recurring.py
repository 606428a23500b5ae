"""Benchmark: recurring events on a rolling horizon, 10,000 series.

Seeds CLIENTS clients and SERIES recurring appointments (weekly, every second week,
monthly by day, monthly on the first Tuesday; times across the day), each saved with
domain/events/series.create_series: the series row, its occurrences within the
60-day horizon and their reminders. Then measures the worker's daily job
(scheduling/daily.extend_horizon_now) for seven nights, the last night again (nothing
to do) and the tenth night (four days behind) with two workers racing (threads, each
its own session): the occurrences must be made exactly once. SQLite (a temporary file)
and PostgreSQL (a scratch schema).

Run: .venv/bin/python -m bench.recurring [SERIES] [CLIENTS]
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, select

from bench.common import database_url, machine
from service.config import load_config
from service.domain.events import lifecycle as ev
from service.domain.events import recurrence as rec
from service.domain.events import series
from service.runtime import Runtime, build_runtime
from service.scheduling.daily import extend_horizon_now
from service.store.db import make_engine, transaction
from service.store.migrate import upgrade
from service.store.models import Client, Event, Reminder
from tests.scale import processes as procs

HEL = ZoneInfo("Europe/Helsinki")
START = datetime(2027, 3, 1, 6, 0, tzinfo=HEL)  # a Monday, before DST starts
RULES = (rec.RuleSpec("weekly", byweekday=("TU",)),
         rec.RuleSpec("weekly", interval=2, byweekday=("MO", "TH")),
         rec.RuleSpec("monthly", bymonthday=5),
         rec.RuleSpec("monthly", byweekday=("1TU",)))


def runtime(engine: Engine) -> Runtime:
    config = load_config(env={}, database_url=str(engine.url), team_name="Kunnan palvelut",
                         team_phone="+358401111111")
    return build_runtime(replace(config, database_url=str(engine.url)), engine=engine)


def seed_clients(engine: Engine, clients: int) -> list[int]:
    rows = [{"name": f"Asiakas {i}", "phone": f"+358{400000000 + i}", "number_type": "mobile",
             "language": ("fi", "sv", "en", "selko", "uk")[i % 5], "channel": "auto",
             "opted_out": False, "created_at": START, "updated_at": START,
             "last_activity_at": START} for i in range(clients)]
    with engine.begin() as conn:
        return list(conn.scalars(insert(Client).returning(Client.id,
                                                          sort_by_parameter_order=True), rows))


def plan_all(rt: Runtime, client_ids: list[int], count: int) -> float:
    """Create `count` series, 200 a transaction; seconds taken."""
    began = time.perf_counter()
    for chunk in range(0, count, 200):
        with transaction(rt.sessions) as session:
            for n in range(chunk, min(count, chunk + 200)):
                first = START + timedelta(days=1 + n % 7, hours=2 + n % 9)
                event = ev.build_appointment(session, ev.AppointmentInput(
                    client_id=client_ids[n % len(client_ids)], starts_at=first,
                    place="Kirjasto", appointment_type="worker"), START)
                series.create_series(session, rt, event, rec.rrule_from_spec(RULES[n % 4]),
                                     START, rt.config.horizon_days)
    return time.perf_counter() - began


def counts(rt: Runtime) -> tuple[int, int]:
    with transaction(rt.sessions) as session:
        events = session.scalar(select(func.count()).select_from(Event).where(
            Event.series_id.is_not(None))) or 0
        reminders = session.scalar(select(func.count()).select_from(Reminder)) or 0
    return events, reminders


def timed(rt: Runtime, at: datetime) -> tuple[float, int]:
    began = time.perf_counter()
    made = extend_horizon_now(rt, at)
    return time.perf_counter() - began, made


def racing(rt: Runtime, at: datetime) -> tuple[float, list[int]]:
    made: list[int] = []
    began = time.perf_counter()
    threads = [threading.Thread(target=lambda: made.append(extend_horizon_now(rt, at)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began, made


def run(name: str, engine: Engine, count: int, clients: int) -> None:
    rt = runtime(engine)
    ids = seed_clients(engine, clients)
    took = plan_all(rt, ids, count)
    occurrences, reminders = counts(rt)
    print(f"[{name}] planning {count} series: {took:.1f} s ({took / count * 1000:.2f} ms a "
          f"series); {occurrences} occurrences, {reminders} reminders within the horizon")
    night = START + timedelta(days=1, hours=-3.5)  # 02:30 the next night
    nights = [timed(rt, night + timedelta(days=n)) for n in range(7)]
    took = [t for t, _ in nights]
    print(f"[{name}] daily extension, 7 nights: {sum(m for _, m in nights)} occurrences made "
          f"({', '.join(str(m) for _, m in nights)}); a night {min(took):.2f}-{max(took):.2f} s, "
          f"mean {sum(took) / 7:.2f} s")
    last = night + timedelta(days=6, hours=1)
    took_again, again = timed(rt, last)
    print(f"[{name}] the last night again: {took_again:.2f} s, {again} made (nothing to do)")
    before, _ = counts(rt)
    took, made_each = racing(rt, night + timedelta(days=10))  # catching up four days
    after, _ = counts(rt)
    print(f"[{name}] two workers racing, 10th night (4 days to catch up): {took:.2f} s, "
          f"made {made_each} (sum {sum(made_each)}; occurrences {before} -> {after})")
    with transaction(rt.sessions) as session:
        doubled = session.scalar(select(func.count()).select_from(
            select(Event.series_id, Event.occurrence_date).where(Event.series_id.is_not(None))
            .group_by(Event.series_id, Event.occurrence_date)
            .having(func.count() > 1).subquery()))
    print(f"[{name}] occurrences made twice: {doubled}")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    with tempfile.TemporaryDirectory(prefix="rinnalla-bench-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        upgrade(engine)
        run("sqlite", engine, count, clients)
        engine.dispose()
    with procs.postgres_schema(database_url()) as (_url, pg):
        run("postgresql", pg, count, clients)
    print(machine())


if __name__ == "__main__":
    main()
