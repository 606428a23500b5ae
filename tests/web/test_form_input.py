"""Dates and times as Finnish workers type them (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.web.ui.form_input import (
    input_date,
    input_time,
    local_datetime,
    parse_date_field,
    parse_time_of_day,
)

HEL = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize("typed, expected", [
    ("10.00", time(10, 0)), ("10:00", time(10, 0)), ("9.30", time(9, 30)),
    ("09:05", time(9, 5)), ("10", time(10, 0)), ("klo 14.15", time(14, 15)),
    (" kl. 8:00 ", time(8, 0)), ("0.00", time(0, 0)), ("23:59", time(23, 59)),
])
def test_times_typed_the_finnish_way(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["", "10,00", "10.0", "24.00", "10.60", "kymmenen", "10am",
                                   "1000"])
def test_bad_times_say_how_to_write_them(typed: str) -> None:
    with pytest.raises(ValueError, match=r"10\.00 tai 10:00"):
        parse_time_of_day(typed)


def test_dates() -> None:
    assert parse_date_field("3.6.2026") == date(2026, 6, 3)
    assert parse_date_field("03.06.2026") == date(2026, 6, 3)
    with pytest.raises(ValueError, match="Anna päivämäärä"):
        parse_date_field("  ")
    with pytest.raises(ValueError, match="ei ole kalenterissa"):
        parse_date_field("29.2.2027")


def test_local_time_to_utc_across_summer_time() -> None:
    assert local_datetime(date(2026, 1, 15), time(10, 0), HEL) == datetime(
        2026, 1, 15, 8, 0, tzinfo=UTC)
    assert local_datetime(date(2026, 6, 15), time(10, 0), HEL) == datetime(
        2026, 6, 15, 7, 0, tzinfo=UTC)
    # the hour that does not exist when clocks go forward (last Sunday of March)
    with pytest.raises(ValueError, match="kesäaikaan"):
        local_datetime(date(2026, 3, 29), time(3, 30), HEL)
    # the hour that happens twice in October: the first (summer time) one is taken
    assert local_datetime(date(2026, 10, 25), time(3, 30), HEL) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC)


def test_values_shown_back_in_the_form() -> None:
    assert input_date(date(2026, 6, 3)) == "3.6.2026"
    assert input_time(datetime(2026, 6, 3, 6, 5, tzinfo=UTC), HEL) == "9.05"
