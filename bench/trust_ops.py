"""Benchmark: what the trust-and-operations jobs cost on a large team's database.

Seeds (in a scratch PostgreSQL schema) CLIENTS clients, two appointments each with
reminders, MESSAGES messages spread over two and a half years (so most bodies are
past 90 days) and an inbox item for every twentieth message; a tenth of the clients
have had no activity for over two years. Then measures:
- one retention run (the daily 03:00 job) and a second, idempotent one;
- /metrics rendering (what each Prometheus scrape costs);
- the service-path report for 90 days;
- one client's export and erasure.

Run: .venv/bin/python -m bench.trust_ops [CLIENTS] [MESSAGES]
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from prometheus_client.exposition import generate_latest
from sqlalchemy import Engine, insert

from bench.common import machine, scratch, summary_ms
from service.clock import utcnow
from service.domain.privacy.erasure import erase_client
from service.domain.privacy.export import client_export, to_csv
from service.domain.privacy.retention import run_retention
from service.domain.reports.service_path import Period
from service.domain.reports.service_path_data import build_report
from service.operations.metrics import metrics_registry
from service.store.db import make_session_factory, transaction
from service.store.models import Client, Event, InboxItem, Message, Reminder

HEL = ZoneInfo("Europe/Helsinki")


def seed(engine: Engine, clients: int, messages: int) -> None:
    now = utcnow()
    with engine.begin() as conn:
        client_rows = []
        for i in range(clients):
            last = now - timedelta(days=800 if i % 10 == 0 else i % 300)
            client_rows.append({"name": f"Asiakas {i}", "phone": f"+358{400000000 + i}",
                                "number_type": "mobile", "language": "fi", "channel": "auto",
                                "opted_out": False, "created_at": now - timedelta(days=900),
                                "updated_at": last, "last_activity_at": last})
        ids = conn.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True),
                           client_rows).all()
        event_rows = []
        for n, cid in enumerate(ids):
            base = now - timedelta(days=820 if n % 10 == 0 else n % 200)
            for k in range(2):
                starts = base + timedelta(days=7 * k)
                event_rows.append({"client_id": cid, "kind": "appointment",
                                   "state": ("confirmed", "declined", "planned")[(n + k) % 3],
                                   "appointment_type": ("health", "kela", "worker")[n % 3],
                                   "starts_at": starts, "place": f"Katu {n}",
                                   "bring": "henkilökortti", "needs_transport": False,
                                   "created_at": starts - timedelta(days=20),
                                   "updated_at": starts - timedelta(days=20)})
        events = conn.execute(insert(Event).returning(Event.id, Event.client_id,
                                                      Event.starts_at,
                                                      sort_by_parameter_order=True),
                              event_rows).all()
        conn.execute(insert(Reminder), [
            {"event_id": eid, "client_id": cid, "rule_id": "r", "template": "t",
             "channel": "sms", "recipient": "client", "send_at": starts - timedelta(days=1),
             "sent_at": starts - timedelta(days=1, seconds=-5), "state": "delivered",
             "attempts": 1, "created_at": starts, "updated_at": starts}
            for eid, cid, starts in events])
        message_rows = []
        for m in range(messages):
            n = m % len(ids)
            cid = ids[n]
            at = now - timedelta(minutes=(m * 1307) % (900 * 24 * 60))
            if n % 10 == 0:  # the inactive tenth: nothing in the last two years
                at = now - timedelta(days=760 + m % 60)
            inbound = m % 4 == 0
            message_rows.append({
                "direction": "in" if inbound else "out", "channel": "sms", "client_id": cid,
                "to_number": "+358451234567" if inbound else f"+358{400000000 + cid}",
                "from_number": f"+358{400000000 + cid}" if inbound else "+358451234567",
                "body": f"viesti {m}", "intent": "confirm" if inbound else None,
                "gateway": "twilio", "status": "received" if inbound else "delivered",
                "error_code": 30003 if m % 97 == 0 else None, "created_at": at,
                "updated_at": at})
        message_ids = conn.scalars(insert(Message).returning(Message.id,
                                                             sort_by_parameter_order=True),
                                   message_rows).all()
        conn.execute(insert(InboxItem), [
            {"client_id": message_rows[k]["client_id"], "message_id": mid, "kind": "reply",
             "intent": "confirm", "summary": "Asiakas vahvisti.",
             "state": "handled" if k % 3 else "new", "created_at": message_rows[k]["created_at"],
             "handled_at": (message_rows[k]["created_at"] + timedelta(hours=k % 48))
             if k % 3 else None}
            for k, mid in enumerate(message_ids) if k % 20 == 0])


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    messages = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    with scratch() as (_url, engine, _tmp):
        started = time.perf_counter()
        seed(engine, clients, messages)
        print(f"seeded {clients} clients, {2 * clients} events and reminders, {messages} "
              f"messages in {time.perf_counter() - started:.1f} s")
        sessions = make_session_factory(engine)
        now = utcnow()
        result = None

        def retention() -> None:
            nonlocal result
            result = run_retention(sessions, now, 90, 730)

        first = timed(retention)
        print(f"retention, first run: {first:.2f} s ({result.summary() if result else ''})")
        again = timed(retention)
        print(f"retention, second run (nothing left to do): {again:.2f} s")
        registry = metrics_registry(sessions, clock=lambda: now)
        scrapes = [timed(lambda: generate_latest(registry)) for _ in range(10)]
        print(f"/metrics render, 10 scrapes: {summary_ms(scrapes)}")
        today = now.astimezone(HEL).date()
        period = Period(today - timedelta(days=89), today, HEL)
        reports = []
        for _ in range(5):
            with transaction(sessions) as session:
                reports.append(timed(lambda: build_report(session, period, now)))
        print(f"service-path report, 90 days, 5 runs: {summary_ms(reports)}")
        with transaction(sessions) as session:
            export = timed(lambda: to_csv(client_export(session, 2) or {}))
        with transaction(sessions) as session:
            erase = timed(lambda: erase_client(session, 2, now, None))
        print(f"one client: export (CSV) {export * 1000:.1f} ms, erasure {erase * 1000:.1f} ms")
        print(machine())


if __name__ == "__main__":
    main()
