"""Working days: Monday to Friday that are not public holidays.

Why: some things can only be done on a working day (booking the Kela taxi by phone
before the trip), so a reminder "the working day before" must skip weekends and
holidays backwards. Pure; the holiday calendar comes from the `holidays` library.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

__all__ = ["is_working_day", "working_day_before"]


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_working_day(day: date, country: str | None = "FI") -> bool:
    """Monday to Friday and not a public holiday (Midsummer Eve and Christmas Eve count)."""
    if day.weekday() >= 5:
        return False
    return country is None or day not in _holidays(country, day.year)


def working_day_before(day: date, count: int = 1, country: str | None = "FI") -> date:
    """The `count`-th working day before `day` (never `day` itself)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    found = 0
    current = day
    while found < count:
        current -= timedelta(days=1)
        if is_working_day(current, country):
            found += 1
    return current
