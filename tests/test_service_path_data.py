"""The service-path report read from a real database: local days, anonymised rows counted."""

from __future__ import annotations

from datetime import UTC, date, datetime

from service.domain.privacy.retention import run_retention
from service.domain.reports.service_path import (
    TOTAL,
    AgencyWaits,
    AppointmentAnswers,
    Period,
    ReplyWaits,
)
from service.domain.reports.service_path_data import build_report
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Event, InboxItem

NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_report_from_the_database(rt: Runtime) -> None:
    with transaction(rt.sessions) as s:
        c = Client(name="Matti", phone="+358401234567", number_type="mobile",
                   created_at=utc(2026, 1, 1), updated_at=utc(2026, 1, 1),
                   last_activity_at=utc(2026, 1, 1))
        s.add(c)
        s.flush()
        s.add_all([
            # decided 9 March 22:30 UTC = 10 March 00:30 in Helsinki: a 37-day wait
            Event(client_id=c.id, kind="application", agency="Kela", state="decided",
                  submitted_on=date(2026, 2, 1), decided_at=utc(2026, 3, 9, 22, 30),
                  created_at=utc(2026, 2, 1, 10), updated_at=utc(2026, 3, 9, 22, 30)),
            # no submission day: counted from the day it was registered (local), still waiting
            Event(client_id=c.id, kind="application", agency="Kela", state="planned",
                  decision_expected=date(2026, 3, 1), created_at=utc(2026, 2, 28, 23),
                  updated_at=utc(2026, 2, 28, 23)),
            Event(client_id=c.id, kind="application", agency="Kela", state="cancelled",
                  submitted_on=date(2026, 3, 2), created_at=utc(2026, 3, 2),
                  updated_at=utc(2026, 3, 2)),
            # decided with no timestamp but a state change: that is when
            Event(client_id=c.id, kind="application", agency="Ulosotto", state="decided",
                  submitted_on=date(2026, 3, 1), state_changed_at=utc(2026, 3, 11, 8),
                  created_at=utc(2026, 3, 1), updated_at=utc(2026, 3, 11, 8)),
            # 31 March 21:30 UTC is already 1 April locally: not in March
            Event(client_id=c.id, kind="appointment", appointment_type="kela", state="confirmed",
                  starts_at=utc(2026, 3, 31, 21, 30), place="x", created_at=utc(2026, 3, 1),
                  updated_at=utc(2026, 3, 1)),
            Event(client_id=c.id, kind="appointment", appointment_type="kela", state="declined",
                  starts_at=utc(2026, 3, 31, 20, 30), place="y", created_at=utc(2026, 3, 1),
                  updated_at=utc(2026, 3, 1)),
            InboxItem(client_id=c.id, kind="reply", created_at=utc(2026, 3, 3, 8),
                      handled_at=utc(2026, 3, 3, 11), state="handled"),
            InboxItem(client_id=c.id, kind="task", created_at=utc(2026, 3, 3, 8)),
        ])
    # Anonymising everything (a retention run far in the future) keeps the figures.
    run_retention(rt.sessions, utc(2030, 1, 1), 90, 730)
    with transaction(rt.sessions) as s:
        assert s.get(Client, c.id).anonymised_at is not None
        report = build_report(s, Period(date(2026, 3, 1), date(2026, 3, 31), rt.config.tz), NOW)
    assert report.applications == [
        AgencyWaits("Kela", applications=2, decided=1, median_days=37.0, longest_days=37,
                    waiting=1, overdue=1),
        AgencyWaits("Ulosotto", applications=1, decided=1, median_days=10.0, longest_days=10,
                    waiting=0, overdue=0),
    ]
    assert report.appointments == [AppointmentAnswers("kela", 0, 1, 0),
                                   AppointmentAnswers(TOTAL, 0, 1, 0)]
    assert report.replies == [ReplyWaits("reply", 1, 1, 3.0, 3.0, 0),
                              ReplyWaits(TOTAL, 1, 1, 3.0, 3.0, 0)]
