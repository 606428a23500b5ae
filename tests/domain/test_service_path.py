"""Service-path figures against a seeded data set whose answers were worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from service.domain.reports.service_path import (
    TOTAL,
    AgencyWaits,
    Application,
    Appointment,
    AppointmentAnswers,
    AppointmentAttendance,
    Period,
    Reply,
    ReplyWaits,
    application_waits,
    appointment_answers,
    appointment_attendance,
    reply_waits,
    report_rows,
    service_path_report,
)

HEL = ZoneInfo("Europe/Helsinki")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31), HEL)
NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


APPLICATIONS = [
    # Kela
    Application("Kela", date(2026, 2, 1), date(2026, 2, 20), date(2026, 3, 10)),  # 37 d, done
    Application("Kela", date(2026, 3, 5), date(2026, 3, 20), date(2026, 3, 15)),  # 10 d, done
    Application("Kela", date(2026, 2, 15), date(2026, 3, 15), None),  # 44 d waiting, overdue
    Application("Kela", date(2026, 1, 1), None, date(2026, 2, 27)),  # decided before March
    Application("Kela", date(2026, 3, 10), None, None, cancelled=True),  # cancelled
    Application("Kela", date(2026, 4, 5), None, None),  # started after March
    # decided after March: still waiting at its end (11 d), expected after it: not overdue
    Application("Kela", date(2026, 3, 20), date(2026, 4, 10), date(2026, 4, 2)),
    # Debt counselling
    Application("Velkaneuvonta", date(2025, 10, 1), date(2026, 1, 31), None),  # 181 d, overdue
    Application("Velkaneuvonta", date(2026, 1, 10), None, date(2026, 3, 31)),  # 80 d, last day
]


def test_application_waits_per_agency() -> None:
    assert application_waits(APPLICATIONS, MARCH, NOW) == [
        AgencyWaits("Velkaneuvonta", applications=2, decided=1, median_days=80.0,
                    longest_days=181, waiting=1, overdue=1),
        AgencyWaits("Kela", applications=4, decided=2, median_days=23.5, longest_days=44,
                    waiting=2, overdue=1),
    ]


def test_a_period_reaching_past_today_counts_waits_up_to_today() -> None:
    april = Period(date(2026, 4, 1), date(2026, 4, 30), HEL)
    kela = {a.agency: a for a in application_waits(APPLICATIONS, april, NOW)}["Kela"]
    # Feb 15 -> Apr 15 waiting (59 d, overdue), Apr 5 -> Apr 15 waiting (10 d, no
    # expected day), Mar 20 -> Apr 2 decided (13 d).
    assert kela == AgencyWaits("Kela", applications=3, decided=1, median_days=13.0,
                               longest_days=59, waiting=2, overdue=1)


def test_a_decision_on_the_expected_day_is_not_overdue() -> None:
    apps = [Application("Kela", date(2026, 3, 1), date(2026, 3, 31), None)]
    assert application_waits(apps, MARCH, NOW)[0].overdue == 0
    apps = [Application("Kela", date(2026, 3, 1), date(2026, 3, 30), None)]
    assert application_waits(apps, MARCH, NOW)[0].overdue == 1


APPOINTMENTS = [
    Appointment("health", date(2026, 3, 3), "confirmed"),
    Appointment("health", date(2026, 3, 10), "declined"),
    Appointment("health", date(2026, 3, 20), "planned"),
    Appointment("health", date(2026, 3, 25), "done"),
    Appointment("kela", date(2026, 3, 5), "planned"),
    Appointment("kela", date(2026, 3, 6), "cancelled"),
    Appointment("worker", date(2026, 2, 28), "confirmed"),  # before March
    Appointment("worker", date(2026, 3, 31), "confirmed"),
    Appointment("worker", date(2026, 4, 1), "confirmed"),  # after March
]


def test_appointment_answers_by_type_and_total() -> None:
    assert appointment_answers(APPOINTMENTS, MARCH) == [
        AppointmentAnswers("health", confirmed=2, declined=1, unanswered=1),
        AppointmentAnswers("kela", confirmed=0, declined=0, unanswered=1),
        AppointmentAnswers("worker", confirmed=1, declined=0, unanswered=0),
        AppointmentAnswers(TOTAL, confirmed=3, declined=1, unanswered=2),
    ]


def test_no_appointments_means_no_rows_not_a_zero_total() -> None:
    assert appointment_answers([], MARCH) == []


REPLIES = [
    Reply("reply", utc(2026, 3, 2, 10), utc(2026, 3, 2, 12)),  # 2 h
    Reply("reply", utc(2026, 3, 3, 8), utc(2026, 3, 4, 8)),  # 24 h
    Reply("reply", utc(2026, 3, 5, 8), utc(2026, 3, 5, 14)),  # 6 h
    Reply("callback", utc(2026, 3, 10, 9), utc(2026, 3, 10, 9, 30)),  # 0.5 h
    # 31 March 20:00 UTC is 23:00 in Helsinki (summer time since 29 March): in March,
    # unhandled when March ends at 21:00 UTC: waited 1 h.
    Reply("callback", utc(2026, 3, 31, 20), None),
    Reply("stop", utc(2026, 3, 31, 21, 30), None),  # 1 April 00:30 local: not March
    Reply("reply", utc(2026, 2, 28, 21), utc(2026, 3, 1, 9)),  # 28 Feb 23:00 local: not March
    Reply("failed", utc(2026, 3, 6, 8), None),  # not a client's answer
    # handled after March ended: waiting at its end, 11 d 11 h = 275 h
    Reply("reply", utc(2026, 3, 20, 10), utc(2026, 4, 2, 10)),
]


def test_reply_waits_by_kind_and_total() -> None:
    assert reply_waits(REPLIES, MARCH, NOW) == [
        ReplyWaits("reply", received=4, handled=3, median_hours=6.0, longest_hours=275.0,
                   waiting=1),
        ReplyWaits("callback", received=2, handled=1, median_hours=0.5, longest_hours=1.0,
                   waiting=1),
        ReplyWaits(TOTAL, received=6, handled=4, median_hours=4.0, longest_hours=275.0,
                   waiting=2),
    ]


def test_period_bounds_are_local_midnights() -> None:
    assert MARCH.start_at == utc(2026, 2, 28, 22)  # winter time, UTC+2
    assert MARCH.end_at == utc(2026, 3, 31, 21)  # summer time, UTC+3
    with pytest.raises(ValueError):
        Period(date(2026, 3, 2), date(2026, 3, 1), HEL)


def test_csv_rows_carry_every_figure() -> None:
    report = service_path_report(MARCH, NOW, APPLICATIONS, APPOINTMENTS, REPLIES)
    rows = report_rows(report)
    assert ("hakemukset", "Kela", "mediaani_päivää", "23.5") in rows
    assert ("hakemukset", "Velkaneuvonta", "myöhässä", "1") in rows
    assert ("ajat", "health", "ei_vastausta", "1") in rows
    assert ("ajat", TOTAL, "yhteensä", "6") in rows
    assert ("vastaukset", "callback", "mediaani_tuntia", "0.5") in rows
    assert ("vastaukset", TOTAL, "pisin_tuntia", "275.0") in rows
    assert len(rows) == 2 * 6 + 4 * 4 + 3 * 5 + 5 * len(report.attendance)
    assert report.attendance and all(
        ("läsnäolo", t.type, "ei_kirjattu", str(t.not_recorded)) in rows for t in report.attendance)


def test_attendance_counts_no_shows_and_whether_they_had_confirmed() -> None:
    """The answer before attendance closed the event decides "confirmed"; a cancelled
    appointment without a record is ours, not the client's; days after "as of" are not yet."""
    rows = [
        Appointment("health", date(2026, 3, 3), "done", "no_show", "confirmed"),
        Appointment("health", date(2026, 3, 4), "done", "no_show", "planned"),
        Appointment("health", date(2026, 3, 5), "done", "attended", "declined"),
        Appointment("health", date(2026, 3, 6), "cancelled", "cancelled_by_client", "planned"),
        Appointment("health", date(2026, 3, 7), "cancelled"),
        Appointment("kela", date(2026, 3, 9), "confirmed"),
        Appointment("kela", date(2026, 3, 20), "planned"),  # after "as of": not yet
        Appointment("kela", date(2026, 2, 27), "done", "no_show", "confirmed"),  # February
    ]
    now = datetime(2026, 3, 15, 12, tzinfo=UTC)
    assert appointment_attendance(rows, MARCH, now) == [
        AppointmentAttendance("health", 1, 2, 1, 1, 0),
        AppointmentAttendance("kela", 0, 0, 0, 0, 1),
        AppointmentAttendance(TOTAL, 1, 2, 1, 1, 1),
    ]
    assert appointment_attendance([], MARCH, now) == []
    answers = {a.type: a for a in appointment_answers(rows, MARCH)}
    assert (answers["health"].confirmed, answers["health"].declined,
            answers["health"].unanswered) == (1, 1, 1)
