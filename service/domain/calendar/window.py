"""Sending window: when Rinnalla may text or call a client.

Clients' phones are shared and often by the bed, so nothing goes out at night.
The window is a local wall-clock range per kind of day (weekday, Saturday,
Sunday); public holidays count as Sundays. Pure: no I/O and no clock. Every
instant in must be timezone-aware, and every instant out is aware UTC, so a
non-existent or ambiguous local time (DST) never leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = ["SendingWindow", "as_utc", "is_public_holiday", "parse_window"]


# Every day has hours, so only a window lying wholly inside a DST gap can be
# empty on one day; two weeks of search is far more than ever needed.
_SEARCH_DAYS = 14
HELSINKI = ZoneInfo("Europe/Helsinki")  # one instance: a dataclass default is shared
_ONE_US = timedelta(microseconds=1)
_PROBE_STEP = timedelta(hours=1)

_WINDOW_RE = re.compile(
    r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*[-\u2013\u2014]\s*(\d{1,2})(?:[:.](\d{2}))?\s*$"
)


def as_utc(value: datetime, name: str = "datetime") -> datetime:
    """Refuse naive datetimes (they hide a guessed zone) and return the instant in UTC."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def parse_window(text: str) -> tuple[time, time]:
    """Parse a team-written window such as "08:00-20:00", "8-20" or "08.00-20.00".

    Windows never cross midnight: the point is to keep the night quiet.
    """
    match = _WINDOW_RE.match(text)
    if match is None:
        raise ValueError(f"sending window {text!r} is not like '08:00-20:00' (or '8-20')")
    start = _clock_time(text, match.group(1), match.group(2))
    end = _clock_time(text, match.group(3), match.group(4))
    if start >= end:
        raise ValueError(
            f"sending window {text!r}: start {start:%H:%M} must be before end {end:%H:%M}"
            " (a window cannot cross midnight)"
        )
    return start, end


def _clock_time(text: str, hours: str, minutes: str | None) -> time:
    """One end of a window; 24:00 is refused because the night must stay quiet anyway."""
    hour, minute = int(hours), int(minutes or 0)
    if hour > 23 or minute > 59:
        raise ValueError(
            f"sending window {text!r}: {hours}:{minutes or '00'} is not a time of day"
            " (00:00-23:59)"
        )
    return time(hour, minute)


def _check_hours(name: str, hours: object) -> None:
    """Fail when the window is built, not at 3 a.m. when a reminder is due."""
    if not (
        isinstance(hours, tuple)
        and len(hours) == 2
        and all(isinstance(t, time) for t in hours)
    ):
        raise TypeError(f"{name} hours must be a (start, end) tuple of datetime.time")
    start, end = hours
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError(f"{name} hours are local wall-clock times; give them without tzinfo")
    if start >= end:
        raise ValueError(f"{name} hours: start {start} must be before end {end}")


def _fmt(hours: tuple[time, time]) -> str:
    return f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"


@cache
def _holiday_dates(country: str, year: int) -> frozenset[date]:
    """Public holidays of one country and year; building the calendar is slow, so cache it."""
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_public_holiday(day: date, country: str = "FI") -> bool:
    """A public holiday of the country (Finland's includes Midsummer Eve): a recurring
    occurrence on one is flagged for the worker to keep or skip."""
    return day in _holiday_dates(country, day.year)


def _offset_at(tz: tzinfo, utc_naive: datetime) -> timedelta:
    """UTC offset in force at an instant (given as naive UTC)."""
    offset = utc_naive.replace(tzinfo=UTC).astimezone(tz).utcoffset()
    assert offset is not None
    return offset


def _first_change(tz: tzinfo, lo: datetime, hi: datetime, offset: timedelta) -> datetime:
    """Earliest instant in (lo, hi] whose offset is not `offset` (binary search to 1 µs)."""
    while hi - lo > _ONE_US:
        mid = lo + (hi - lo) // 2
        if _offset_at(tz, mid) == offset:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=4096)
def _segments(tz: tzinfo, day: date) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """Constant-offset pieces [start, end) of naive UTC around `day`.

    Working per piece lets us map wall times to instants without ever building
    a local datetime that does not exist (spring) or exists twice (autumn).
    The span covers every instant whose local date can be `day` (|offset| < 1 day).
    """
    span_start = datetime.combine(day - timedelta(days=1), time())
    span_end = span_start + timedelta(days=3)
    pieces: list[tuple[datetime, datetime, timedelta]] = []
    piece_start, offset = span_start, _offset_at(tz, span_start)
    probe = span_start
    while probe < span_end:
        step_end = min(probe + _PROBE_STEP, span_end - _ONE_US)
        if step_end <= probe:
            break
        if _offset_at(tz, step_end) != offset:
            change = _first_change(tz, probe, step_end, offset)
            pieces.append((piece_start, change, offset))
            piece_start, offset = change, _offset_at(tz, change)
            probe = change
        else:
            probe = step_end
    pieces.append((piece_start, span_end, offset))
    return tuple(pieces)


@lru_cache(maxsize=8192)
def _day_intervals(
    tz: tzinfo, day: date, start: time, end: time
) -> tuple[tuple[datetime, datetime], ...]:
    """Closed UTC intervals of instants whose local date is `day` and wall time in [start, end].

    Usually one interval; two on the autumn day when the repeated hour meets the
    hours, and none for the part of the hours that a spring gap swallows.
    """
    first = datetime.combine(day, start.replace(fold=0))
    last = datetime.combine(day, end.replace(fold=0))
    out: list[tuple[datetime, datetime]] = []
    for piece_start, piece_end, offset in _segments(tz, day):
        lo = max(first - offset, piece_start)
        hi = min(last - offset, piece_end - _ONE_US)
        if lo <= hi:
            out.append((lo.replace(tzinfo=UTC), hi.replace(tzinfo=UTC)))
    return tuple(out)


@dataclass(frozen=True)
class SendingWindow:
    """Local hours when texts and calls are allowed; both ends are inclusive.

    Saturday and Sunday default to the weekday hours. Holidays of
    `holidays_country` (Finland by default, which includes Midsummer Eve and
    Christmas Eve) use the Sunday hours, since offices are closed and people rest.
    """

    weekday: tuple[time, time]
    saturday: tuple[time, time] | None = None
    sunday: tuple[time, time] | None = None
    tz: ZoneInfo = HELSINKI
    holidays_country: str | None = "FI"

    def __post_init__(self) -> None:
        _check_hours("weekday", self.weekday)
        if self.saturday is not None:
            _check_hours("saturday", self.saturday)
        if self.sunday is not None:
            _check_hours("sunday", self.sunday)
        if not isinstance(self.tz, tzinfo):
            raise TypeError("tz must be a tzinfo such as ZoneInfo('Europe/Helsinki')")
        if self.holidays_country is not None:
            try:
                _holiday_dates(self.holidays_country, 2025)
            except NotImplementedError as exc:
                raise ValueError(
                    f"holidays_country {self.holidays_country!r} is not known to `holidays`"
                ) from exc

    def hours_on(self, day: date) -> tuple[time, time]:
        """Hours for a local calendar date; a holiday on any weekday gets Sunday hours."""
        if isinstance(day, datetime):
            raise TypeError("hours_on takes a local calendar date, not a datetime")
        if day.weekday() == 6 or self._is_holiday(day):
            return self.sunday if self.sunday is not None else self.weekday
        if day.weekday() == 5:
            return self.saturday if self.saturday is not None else self.weekday
        return self.weekday

    def is_open(self, at: datetime) -> bool:
        """May we text or call at this instant? Judged by the local wall clock."""
        local = as_utc(at, "at").astimezone(self.tz)
        start, end = self.hours_on(local.date())
        return start <= local.time() <= end

    def next_open(self, at: datetime) -> datetime:
        """Earliest allowed instant at or after `at` (`at` itself when open), in UTC."""
        at = as_utc(at, "at")
        if self.is_open(at):
            return at
        first_day = at.astimezone(self.tz).date() - timedelta(days=1)
        best: datetime | None = None
        for i in range(_SEARCH_DAYS):
            for lo, hi in self._intervals(first_day + timedelta(days=i)):
                if hi >= at:
                    candidate = max(lo, at)
                    best = candidate if best is None else min(best, candidate)
            if best is not None and i >= 1:
                return best
        raise RuntimeError(f"no sending hours within {_SEARCH_DAYS} days after {at}")

    def last_open(self, at: datetime) -> datetime:
        """Latest allowed instant at or before `at` (`at` itself when open), in UTC."""
        at = as_utc(at, "at")
        if self.is_open(at):
            return at
        last_day = at.astimezone(self.tz).date() + timedelta(days=1)
        best: datetime | None = None
        for i in range(_SEARCH_DAYS):
            for lo, hi in self._intervals(last_day - timedelta(days=i)):
                if lo <= at:
                    candidate = min(hi, at)
                    best = candidate if best is None else max(best, candidate)
            if best is not None and i >= 1:
                return best
        raise RuntimeError(f"no sending hours within {_SEARCH_DAYS} days before {at}")

    def narrowed(self, daily: tuple[time, time]) -> SendingWindow:
        """A client's own window inside the team's: intersect every kind of day with `daily`.

        Raises ValueError when a kind of day would be left with no hours, so a
        client setting that silently blocks all Sunday reminders is caught early.
        """
        _check_hours("client", daily)

        def cut(name: str, hours: tuple[time, time] | None) -> tuple[time, time] | None:
            if hours is None:
                return None
            start, end = max(hours[0], daily[0]), min(hours[1], daily[1])
            if start >= end:
                raise ValueError(
                    f"client window {_fmt(daily)} leaves no {name} hours"
                    f" inside the team window {_fmt(hours)}"
                )
            return start, end

        weekday = cut("weekday", self.weekday)
        assert weekday is not None  # a window always has weekday hours
        return replace(
            self,
            weekday=weekday,
            saturday=cut("Saturday", self.saturday),
            sunday=cut("Sunday/holiday", self.sunday),
        )

    def _is_holiday(self, day: date) -> bool:
        if self.holidays_country is None:
            return False
        return day in _holiday_dates(self.holidays_country, day.year)

    def _intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        start, end = self.hours_on(day)
        return _day_intervals(self.tz, day, start, end)
