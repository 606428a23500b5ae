"""Working hours: Monday to Friday 08:00-16:00 local time, public holidays excluded.

Why: an item left unhandled is raised to the whole team after N *working* hours
(a team setting), and a call-back request is due N working hours after it came. A
request that arrives on Friday evening is not late on Saturday morning. Pure: the
time zone and the holiday calendar (workdays.py) are given, nothing is read.

Arithmetic is done in UTC, the working day's edges in local wall time, so a day on
which summer time starts or ends still runs 08:00-16:00 on the office clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from service.domain.calendar.workdays import is_working_day

__all__ = ["DAY_END", "DAY_START", "add_working_hours", "working_time_between"]

DAY_START = time(8, 0)
DAY_END = time(16, 0)
MAX_DAYS = 3 * 366  # a bound on the walk: no real setting comes near it

WorkingDay = Callable[[date], bool]


def _day_span(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The day's working hours as UTC instants (the local wall clock decides)."""
    start = datetime.combine(day, DAY_START, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day, DAY_END, tzinfo=tz).astimezone(UTC)
    return start, end


def _check_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: give an aware (UTC) datetime")
    return moment.astimezone(UTC)


def add_working_hours(start: datetime, hours: float, tz: tzinfo,
                      working_day: WorkingDay = is_working_day) -> datetime:
    """The moment (UTC) when `hours` working hours have passed since `start`.

    A start outside working hours counts from the next working day's 08:00; with
    hours 0 that is the answer (the first working moment at or after `start`)."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    moment = _check_aware(start)
    left = timedelta(hours=hours)
    day = moment.astimezone(tz).date()
    for _ in range(MAX_DAYS):
        if working_day(day):
            opens, closes = _day_span(day, tz)
            begin = max(opens, moment)
            if begin < closes or (begin == closes and not left):
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        day += timedelta(days=1)
    raise ValueError("no working hours found within three years")


def working_time_between(start: datetime, end: datetime, tz: tzinfo,
                         working_day: WorkingDay = is_working_day) -> timedelta:
    """How much working time lies between two moments (zero if end is not later)."""
    first, last = _check_aware(start), _check_aware(end)
    total = timedelta()
    day = first.astimezone(tz).date()
    last_day = last.astimezone(tz).date()
    while day <= last_day:
        if working_day(day):
            opens, closes = _day_span(day, tz)
            begin, finish = max(opens, first), min(closes, last)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total
