"""Recurrence rules: on which local days, at what local time, a series falls.

Pure: no database, no clock. The rules are RFC 5545 and are read by dateutil's rrule
(never hand-written date arithmetic). A series is stored as RFC 5545 lines in the
team's local wall-clock time without a zone, e.g.

    DTSTART:20270105T090000
    RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU
    EXDATE:20270119T090000

so the 09:00 group stays at 09:00 local in summer and in winter; an occurrence becomes
an aware UTC instant only here (`occurrences`). A wall-clock time that does not exist
on the spring-forward night is read with the offset before the change (one hour later
on the clock), as zoneinfo does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import FR, MO, SA, SU, TH, TU, WE, rruleset, rrulestr

from service.domain.calendar.window import is_public_holiday

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_OBJECTS = dict(zip(WEEKDAYS, (MO, TU, WE, TH, FR, SA, SU), strict=True))
FREQUENCIES = ("weekly", "monthly")
# Frequencies an imported calendar may bring; anything more often than daily is refused.
ALLOWED_FREQ = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
MAX_COUNT = 500
MAX_INTERVAL = 52
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"UNTIL=([0-9]{8})(T[0-9]{6})?(Z?)")
_STAMP = "%Y%m%dT%H%M%S"


class RecurrenceError(ValueError):
    """A rule that cannot be used; the message says why, in Finnish."""


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the form and the API's object give it: weekly on weekdays ("TU"),
    monthly on a day of the month or on an nth weekday ("1TU", "-1FR")."""

    freq: str
    interval: int = 1
    byweekday: tuple[str, ...] = ()
    bymonthday: int | None = None
    until: date | None = None
    count: int | None = None


@dataclass(frozen=True)
class Occurrence:
    day: date  # the rule's own local date
    starts_at: datetime  # aware UTC
    on_holiday: bool


def rrule_from_spec(spec: RuleSpec) -> str:
    """The RRULE value of a form's or the API's rule; RecurrenceError if it is not one."""
    if spec.freq not in FREQUENCIES:
        raise RecurrenceError("Valitse toistuminen: viikoittain tai kuukausittain.")
    if not 1 <= spec.interval <= MAX_INTERVAL:
        raise RecurrenceError(f"Toistoväli on 1–{MAX_INTERVAL}.")
    parts = [f"FREQ={spec.freq.upper()}", f"INTERVAL={spec.interval}"]
    days = [d.upper() for d in spec.byweekday]
    if any(_BYDAY.match(d) is None for d in days):
        raise RecurrenceError("Tuntematon viikonpäivä (MO, TU, ... tai 1TU).")
    if spec.freq == "weekly" and any(d not in WEEKDAYS for d in days):
        raise RecurrenceError("Viikoittain toistuvalle anna pelkät viikonpäivät (MO, TU, ...).")
    if days:
        parts.append("BYDAY=" + ",".join(days))
    if spec.bymonthday is not None:
        if spec.freq != "monthly" or not 1 <= spec.bymonthday <= 31:
            raise RecurrenceError("Kuukauden päivä on 1–31, ja vain kuukausittain.")
        parts.append(f"BYMONTHDAY={spec.bymonthday}")
    if spec.until is not None:
        parts.append(f"UNTIL={spec.until:%Y%m%d}T235959")
    if spec.count is not None:
        parts.append(f"COUNT={spec.count}")
    return normalise_rrule(";".join(parts), ZoneInfo("UTC"))


def normalise_rrule(text: str, tz: ZoneInfo) -> str:
    """An RRULE value as stored: "RRULE:" dropped, UNTIL in local wall-clock time (a UTC
    "Z" UNTIL converted to `tz`, a date-only one to the end of that day); checked."""
    value = text.strip()
    if value.upper().startswith("RRULE:"):
        value = value[6:]
    value = _UNTIL.sub(lambda m: "UNTIL=" + _local_until(m, tz), value.upper())
    parts = dict(part.split("=", 1) for part in value.split(";") if "=" in part)
    if parts.get("FREQ") not in ALLOWED_FREQ:
        raise RecurrenceError("Toistuminen voi olla päivittäin, viikoittain, kuukausittain "
                              "tai vuosittain.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("Anna joko päättymispäivä tai kertojen määrä, ei molempia.")
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and
                                 1 <= int(parts["COUNT"]) <= MAX_COUNT):
        raise RecurrenceError(f"Kertoja on 1–{MAX_COUNT}.")
    try:
        rrulestr(value, dtstart=datetime(2027, 1, 1, 9, 0))
    except (ValueError, TypeError, KeyError) as exc:
        raise RecurrenceError("Toistosääntö ei kelpaa (RFC 5545 RRULE).") from exc
    return value


def _local_until(match: re.Match[str], tz: ZoneInfo) -> str:
    day, clock, zulu = match.group(1), match.group(2), match.group(3)
    if not clock:
        return f"{day}T235959"
    moment = datetime.strptime(day + clock, _STAMP)
    if zulu:
        moment = moment.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
    return moment.strftime(_STAMP)


def series_text(first: datetime, rrule: str, exdates: Iterable[datetime] = ()) -> str:
    """The stored lines of a series: its first local start (naive), the rule and the
    local starts left out."""
    lines = [f"DTSTART:{first:{_STAMP}}", f"RRULE:{rrule}"]
    lines += [f"EXDATE:{day:{_STAMP}}" for day in sorted(set(exdates))]
    return "\n".join(lines)


def with_exdate(text: str, day: date) -> str:
    """The series with the occurrence of that local day left out (beyond the horizon)."""
    return series_text(first_local(text), rule_of(text),
                       [*exdates_of(text), datetime.combine(day, first_local(text).time())])


def first_local(text: str) -> datetime:
    return datetime.strptime(_line(text, "DTSTART"), _STAMP)


def rule_of(text: str) -> str:
    return _line(text, "RRULE")


def exdates_of(text: str) -> list[datetime]:
    return [datetime.strptime(line[7:], _STAMP) for line in text.splitlines()
            if line.startswith("EXDATE:")]


def _line(text: str, name: str) -> str:
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return line[len(name) + 1:]
    raise RecurrenceError(f"{name} puuttuu toistosäännöstä.")


def has_occurrence(text: str) -> bool:
    """Whether the series falls on any day at all (its rule, count and EXDATEs)."""
    return _rules(text).after(first_local(text), inc=True) is not None


@lru_cache(maxsize=4096)  # the daily job reads every series' rule; parsing is the cost
def _rules(text: str) -> rruleset:
    result = rrulestr(text, forceset=True)
    assert isinstance(result, rruleset)
    return result


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive local wall-clock time as an aware UTC instant."""
    return local.replace(tzinfo=tz).astimezone(UTC)


def occurrences(text: str, tz: ZoneInfo, start: date, end: date,
                holidays_country: str | None = "FI") -> list[Occurrence]:
    """The series' occurrences on local days start..end (both included), in order."""
    low = datetime.combine(start, time(0, 0))
    high = datetime.combine(end + timedelta(days=1), time(0, 0))
    return [Occurrence(day=moment.date(), starts_at=to_utc(moment, tz),
                       on_holiday=holidays_country is not None
                       and is_public_holiday(moment.date(), holidays_country))
            for moment in _rules(text).between(low, high, inc=True) if moment < high]


def is_rule_day(text: str, day: date) -> bool:
    """Whether the series falls on this local day (skipping another day means nothing)."""
    return bool(occurrences(text, ZoneInfo("UTC"), day, day, None))


_FI_DAYS = dict(zip(WEEKDAYS, ("ma", "ti", "ke", "to", "pe", "la", "su"), strict=True))


def _day_words(code: str) -> str:
    match = _BYDAY.match(code)
    if match is None:
        return code
    nth, day = match.group(1), _FI_DAYS[match.group(2)]
    if nth is None:
        return day
    return f"kuun viimeinen {day}" if nth == "-1" else f"kuun {int(nth)}. {day}"


def weekly_days(text: str) -> tuple[tuple[int, ...], time]:
    """The weekdays (0 = Monday) the series falls on and its local time, as a notice to
    the client names them ("ti klo 10.00"): the rule's BYDAY ("1TU" counts as Tuesday),
    else for a weekly rule the first occurrence's weekday, else none (a monthly day)."""
    first = first_local(text)
    parts = dict(part.split("=", 1) for part in rule_of(text).split(";"))
    codes = [m.group(2) for m in (_BYDAY.match(code) for code in
                                  parts.get("BYDAY", "").split(",")) if m is not None]
    if codes:
        days = sorted({WEEKDAYS.index(code) for code in codes})
    else:
        days = [first.weekday()] if parts.get("FREQ") == "WEEKLY" else []
    return tuple(days), first.time()


def describe(text: str) -> str:
    """The rule in a worker's Finnish words, e.g. "joka 2. viikko, ti" (for lists)."""
    parts = dict(part.split("=", 1) for part in rule_of(text).split(";"))
    every = {"DAILY": "päivä", "WEEKLY": "viikko", "MONTHLY": "kuukausi",
             "YEARLY": "vuosi"}[parts["FREQ"]]
    interval = int(parts.get("INTERVAL", "1"))
    words = [f"joka {interval}. {every}" if interval > 1 else f"joka {every}"]
    if "BYDAY" in parts:
        words.append(", ".join(_day_words(day) for day in parts["BYDAY"].split(",")))
    if "BYMONTHDAY" in parts:
        words.append(f"{parts['BYMONTHDAY']}. päivä")
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], _STAMP)
        words.append(f"{until.day}.{until.month}.{until.year} asti")
    if "COUNT" in parts:
        words.append(f"{parts['COUNT']} kertaa")
    return ", ".join(words)
