"""Working hours: Mon-Fri 08:00-16:00 Helsinki time, public holidays not counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.domain.calendar.dates import HELSINKI
from service.domain.calendar.working_hours import add_working_hours, working_time_between


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def after(start: datetime, hours: float) -> datetime:
    return add_working_hours(start, hours, HELSINKI).astimezone(HELSINKI)


def test_within_one_working_day() -> None:
    assert after(local(2026, 12, 2, 9, 15), 3) == local(2026, 12, 2, 12, 15)  # Wed
    assert after(local(2026, 12, 2, 12, 0), 4) == local(2026, 12, 2, 16, 0)  # to the minute


def test_the_rest_runs_on_the_next_working_day() -> None:
    assert after(local(2026, 12, 2, 15, 0), 4) == local(2026, 12, 3, 11, 0)  # Wed -> Thu


def test_a_weekend_does_not_count() -> None:
    assert after(local(2026, 12, 4, 15, 0), 4) == local(2026, 12, 7, 11, 0)  # Fri -> Mon


def test_a_holiday_on_a_weekday_does_not_count() -> None:
    # Fri 3.12.2027 15:00; Mon 6.12.2027 is Independence Day: Tue 7.12. 11:00.
    assert after(local(2027, 12, 3, 15, 0), 4) == local(2027, 12, 7, 11, 0)
    # Wed 23.12.2026 15:00; Christmas Eve and Day, the weekend: Mon 28.12. 11:00.
    assert after(local(2026, 12, 23, 15, 0), 4) == local(2026, 12, 28, 11, 0)


def test_an_evening_or_night_arrival_counts_from_the_next_morning() -> None:
    assert after(local(2026, 12, 2, 19, 30), 4) == local(2026, 12, 3, 12, 0)
    assert after(local(2026, 12, 3, 6, 45), 4) == local(2026, 12, 3, 12, 0)
    assert after(local(2026, 12, 5, 10, 0), 2) == local(2026, 12, 7, 10, 0)  # Saturday


def test_summer_time_changes_keep_office_hours() -> None:
    # Summer time starts Sun 29.3.2026: Fri 15:00 (UTC+2) -> Mon 11:00 (UTC+3).
    spring = add_working_hours(local(2026, 3, 27, 15, 0), 4, HELSINKI)
    assert spring == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    # ... and ends Sun 25.10.2026: Fri 15:00 (UTC+3) -> Mon 11:00 (UTC+2).
    autumn = add_working_hours(local(2026, 10, 23, 15, 0), 4, HELSINKI)
    assert autumn == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_zero_hours_is_the_first_working_moment() -> None:
    assert after(local(2026, 12, 2, 10, 0), 0) == local(2026, 12, 2, 10, 0)
    assert after(local(2026, 12, 4, 17, 0), 0) == local(2026, 12, 7, 8, 0)


def test_working_time_between_is_the_inverse() -> None:
    start = local(2026, 12, 23, 15, 0)
    for hours in (0.5, 1, 4, 8, 9, 20):
        end = add_working_hours(start, hours, HELSINKI)
        assert working_time_between(start, end, HELSINKI) == timedelta(hours=hours)
    assert working_time_between(local(2026, 12, 5, 9), local(2026, 12, 6, 15),
                                HELSINKI) == timedelta()


def test_refuses_naive_times_and_negative_hours() -> None:
    with pytest.raises(ValueError):
        add_working_hours(datetime(2026, 12, 2, 10, 0), 1, HELSINKI)
    with pytest.raises(ValueError):
        add_working_hours(local(2026, 12, 2, 10, 0), -1, HELSINKI)
