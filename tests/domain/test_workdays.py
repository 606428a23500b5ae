"""Working days and the planner's working_days_before (the Kela taxi is booked on one)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.domain.calendar.window import SendingWindow
from service.domain.calendar.workdays import is_working_day, working_day_before
from service.domain.planning.send_times import Rule, ideal_send_time, plan_send_time

HEL = ZoneInfo("Europe/Helsinki")
BOOK = Rule("book_transport", "starts_at", "transport_booking", working_days_before=1,
            at=time(10), condition="needs_transport")


@pytest.mark.parametrize(("appointment", "expected"), [
    (date(2026, 9, 30), date(2026, 9, 29)),  # Wednesday -> Tuesday
    (date(2026, 9, 28), date(2026, 9, 25)),  # Monday -> Friday
    (date(2026, 9, 27), date(2026, 9, 25)),  # Sunday -> Friday
    (date(2026, 4, 7), date(2026, 4, 2)),  # after Easter: Good Friday and Easter Monday skipped
    (date(2026, 6, 22), date(2026, 6, 18)),  # after Midsummer: Midsummer Eve skipped
    (date(2025, 12, 29), date(2025, 12, 23)),  # Christmas Eve, Christmas, Boxing Day skipped
    (date(2026, 1, 7), date(2026, 1, 5)),  # Epiphany (Tuesday) skipped
    (date(2026, 12, 7), date(2026, 12, 4)),  # Independence Day falls on a Sunday
])
def test_working_day_before(appointment: date, expected: date) -> None:
    assert working_day_before(appointment) == expected


def test_two_working_days_before_and_bad_counts() -> None:
    assert working_day_before(date(2026, 4, 7), 2) == date(2026, 4, 1)
    with pytest.raises(ValueError):
        working_day_before(date(2026, 4, 7), 0)


def test_working_days() -> None:
    assert is_working_day(date(2026, 9, 30))
    assert not is_working_day(date(2026, 10, 3))  # Saturday
    assert not is_working_day(date(2026, 12, 24))  # Christmas Eve
    assert is_working_day(date(2026, 12, 24), country=None)


def test_the_planner_books_on_the_working_day_before() -> None:
    starts = datetime(2026, 4, 7, 9, 0, tzinfo=HEL)
    assert ideal_send_time(starts, BOOK, HEL) == datetime(2026, 4, 2, 10, 0, tzinfo=HEL)
    window = SendingWindow(weekday=(time(8), time(20)), sunday=(time(12), time(16)))
    result = plan_send_time(BOOK, starts, now=datetime(2026, 3, 20, 9, tzinfo=HEL),
                            window=window, latest=starts)
    assert result.send_at == datetime(2026, 4, 2, 10, 0, tzinfo=HEL)


def test_registered_after_the_working_day_it_goes_at_once() -> None:
    starts = datetime(2026, 9, 28, 9, 0, tzinfo=HEL)  # Monday
    window = SendingWindow(weekday=(time(8), time(20)), sunday=(time(12), time(16)))
    now = datetime(2026, 9, 27, 9, 0, tzinfo=HEL)  # Sunday morning: not open yet
    result = plan_send_time(BOOK, starts, now=now, window=window, latest=starts)
    assert result.send_at == datetime(2026, 9, 27, 12, 0, tzinfo=HEL)


@pytest.mark.parametrize(("changes", "message"), [
    ({"working_days_before": 0}, "1 or more"),
    ({"at": None}, "needs 'at'"),
    ({"before": timedelta(days=1)}, "not both"),
])
def test_rule_validation(changes: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"id": "r", "anchor": "starts_at", "template": "t",
                               "working_days_before": 1, "at": time(10)}
    with pytest.raises(ValueError, match=message):
        Rule(**{**base, **changes})  # type: ignore[arg-type]
