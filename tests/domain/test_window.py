"""Sending window: quiet nights, holidays as Sundays, inclusive edges, both DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.calendar.window import SendingWindow, as_utc, parse_window

HEL = ZoneInfo("Europe/Helsinki")
UTC = UTC
US = timedelta(microseconds=1)

# Team window used in most examples: weekdays 8-20, Saturday 10-16, Sunday/holiday 12-16.
TEAM = SendingWindow(
    weekday=(time(8), time(20)), saturday=(time(10), time(16)), sunday=(time(12), time(16))
)
PLAIN = SendingWindow(weekday=(time(8), time(20)))

# 2025: summer time starts Sun 30 March 01:00 UTC (03:00 -> 04:00 local)
# and ends Sun 26 October 01:00 UTC (04:00 -> 03:00 local).
SPRING_2025 = datetime(2025, 3, 30, 1, tzinfo=UTC)
AUTUMN_2025 = datetime(2025, 10, 26, 1, tzinfo=UTC)


def hel(*args: int) -> datetime:
    """An aware Helsinki wall-clock time (only for times that exist unambiguously)."""
    return datetime(*args, tzinfo=HEL)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def assert_utc(value: datetime) -> None:
    assert value.tzinfo is UTC


# --- parse_window -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("08:00-20:00", (time(8), time(20))),
        ("8-20", (time(8), time(20))),
        ("08.00-20.00", (time(8), time(20))),
        (" 8.30 - 19:45 ", (time(8, 30), time(19, 45))),
        ("08:00\u201320:00", (time(8), time(20))),  # en dash, as word processors write it
        ("0-23:59", (time(0), time(23, 59))),
    ],
)
def test_parse_window_accepts_the_ways_people_write_it(text: str,
                                                       expected: tuple[time, time]) -> None:
    assert parse_window(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("25:00-20:00", "not a time of day"),
        ("08:60-20:00", "not a time of day"),
        ("8-24", "not a time of day"),
        ("20:00-08:00", "must be before end"),
        ("8-8", "must be before end"),
        ("8", "not like"),
        ("aamu-ilta", "not like"),
        ("", "not like"),
        ("8:0-20", "not like"),
    ],
)
def test_parse_window_rejects_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_window(text)


# --- construction -----------------------------------------------------------


def test_window_refuses_start_not_before_end() -> None:
    with pytest.raises(ValueError, match="before end"):
        SendingWindow(weekday=(time(20), time(8)))
    with pytest.raises(ValueError, match="sunday"):
        SendingWindow(weekday=(time(8), time(20)), sunday=(time(12), time(12)))


def test_window_refuses_aware_hours_and_unknown_country() -> None:
    with pytest.raises(ValueError, match="wall-clock"):
        SendingWindow(weekday=(time(8, tzinfo=UTC), time(20, tzinfo=UTC)))
    with pytest.raises(ValueError, match="holidays_country"):
        SendingWindow(weekday=(time(8), time(20)), holidays_country="XX")


# --- hours_on ---------------------------------------------------------------


def test_hours_by_kind_of_day() -> None:
    assert TEAM.hours_on(date(2025, 6, 9)) == (time(8), time(20))  # Monday
    assert TEAM.hours_on(date(2025, 6, 13)) == (time(8), time(20))  # Friday
    assert TEAM.hours_on(date(2025, 6, 14)) == (time(10), time(16))  # Saturday
    assert TEAM.hours_on(date(2025, 6, 15)) == (time(12), time(16))  # Sunday


def test_saturday_and_sunday_default_to_weekday_hours() -> None:
    assert PLAIN.hours_on(date(2025, 6, 14)) == (time(8), time(20))
    assert PLAIN.hours_on(date(2025, 6, 15)) == (time(8), time(20))


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 12, 25),  # Christmas Day, a Thursday
        date(2025, 12, 24),  # Christmas Eve, a Wednesday (a holiday in `holidays` FI)
        date(2025, 6, 20),  # Midsummer Eve, a Friday
        date(2025, 6, 21),  # Midsummer Day, a Saturday: holiday beats Saturday
        date(2025, 12, 6),  # Independence Day, a Saturday
        date(2026, 1, 6),  # Epiphany, a Tuesday
    ],
)
def test_finnish_holidays_count_as_sundays(day: date) -> None:
    assert TEAM.hours_on(day) == (time(12), time(16))


def test_holidays_can_be_switched_off() -> None:
    no_holidays = SendingWindow(
        weekday=(time(8), time(20)), sunday=(time(12), time(16)), holidays_country=None
    )
    assert no_holidays.hours_on(date(2025, 12, 25)) == (time(8), time(20))


def test_hours_on_wants_a_date_not_a_datetime() -> None:
    with pytest.raises(TypeError):
        TEAM.hours_on(hel(2025, 6, 9, 12))


# --- is_open ----------------------------------------------------------------


def test_window_edges_are_inclusive() -> None:
    assert TEAM.is_open(hel(2025, 6, 9, 8, 0))
    assert TEAM.is_open(hel(2025, 6, 9, 20, 0))
    assert not TEAM.is_open(hel(2025, 6, 9, 8, 0) - US)
    assert not TEAM.is_open(hel(2025, 6, 9, 20, 0) + US)


def test_is_open_judges_the_local_clock_whatever_zone_comes_in() -> None:
    # 05:30 UTC is 08:30 in Helsinki in June.
    assert TEAM.is_open(utc(2025, 6, 9, 5, 30))
    assert not TEAM.is_open(utc(2025, 6, 9, 4, 30))


def test_christmas_day_has_the_narrower_sunday_hours() -> None:
    assert not TEAM.is_open(hel(2025, 12, 25, 10, 0))
    assert TEAM.is_open(hel(2025, 12, 25, 12, 0))
    assert TEAM.is_open(hel(2025, 12, 23, 10, 0))


@pytest.mark.parametrize("method", ["is_open", "next_open", "last_open"])
def test_naive_datetimes_are_refused(method: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        getattr(TEAM, method)(datetime(2025, 6, 9, 12, 0))


def test_as_utc_refuses_naive_and_converts_aware() -> None:
    with pytest.raises(ValueError):
        as_utc(datetime(2025, 6, 9, 12, 0))
    converted = as_utc(hel(2025, 6, 9, 12, 0))
    assert converted == utc(2025, 6, 9, 9, 0)
    assert_utc(converted)


# --- next_open / last_open --------------------------------------------------


def test_next_open_returns_the_instant_itself_when_open_in_utc() -> None:
    at = hel(2025, 6, 9, 12, 34, 56)
    result = TEAM.next_open(at)
    assert result == at
    assert_utc(result)


def test_next_open_at_night_is_next_morning() -> None:
    result = TEAM.next_open(hel(2025, 6, 9, 22, 15))
    assert result == hel(2025, 6, 10, 8, 0)
    assert_utc(result)
    assert TEAM.next_open(hel(2025, 6, 10, 6, 0)) == hel(2025, 6, 10, 8, 0)


def test_next_open_friday_night_is_saturday_late_morning() -> None:
    assert TEAM.next_open(hel(2025, 6, 13, 20, 0) + US) == hel(2025, 6, 14, 10, 0)


def test_next_open_over_christmas_uses_sunday_hours_each_day() -> None:
    assert TEAM.next_open(hel(2025, 12, 23, 21, 0)) == hel(2025, 12, 24, 12, 0)
    assert TEAM.next_open(hel(2025, 12, 24, 16, 30)) == hel(2025, 12, 25, 12, 0)
    assert TEAM.next_open(hel(2025, 12, 26, 17, 0)) == hel(2025, 12, 27, 10, 0)


def test_last_open_in_the_early_morning_is_previous_evening_end() -> None:
    result = TEAM.last_open(hel(2025, 6, 10, 6, 30))
    assert result == hel(2025, 6, 9, 20, 0)
    assert_utc(result)
    assert TEAM.last_open(hel(2025, 6, 10, 9, 0)) == hel(2025, 6, 10, 9, 0)


def test_last_open_on_monday_morning_is_sunday_afternoon() -> None:
    assert TEAM.last_open(hel(2025, 6, 16, 7, 0)) == hel(2025, 6, 15, 16, 0)


# --- DST --------------------------------------------------------------------


def test_spring_forward_day_with_default_window() -> None:
    # Sunday 30 March 2025: 08:00 is already summer time (UTC+3).
    assert PLAIN.next_open(utc(2025, 3, 30, 0, 0)) == utc(2025, 3, 30, 5, 0)
    assert PLAIN.last_open(utc(2025, 3, 30, 19, 0)) == utc(2025, 3, 30, 17, 0)
    # The day before is still winter time (UTC+2).
    assert PLAIN.next_open(utc(2025, 3, 29, 0, 0)) == utc(2025, 3, 29, 6, 0)


def test_spring_forward_window_start_in_the_gap_opens_at_the_jump() -> None:
    # 03:30 does not exist on 30 March; the first instant at or after it is 04:00 (01:00 UTC).
    early = SendingWindow(weekday=(time(3, 30), time(20)))
    result = early.next_open(SPRING_2025 - timedelta(minutes=30))
    assert result == SPRING_2025
    assert result.astimezone(HEL).time() == time(4, 0)
    assert not early.is_open(SPRING_2025 - US)  # 02:59:59.999999 local


def test_spring_forward_window_end_in_the_gap_closes_before_the_jump() -> None:
    # Hours 01:00-03:30: the last instant with a wall time <= 03:30 is 02:59:59.999999.
    night = SendingWindow(weekday=(time(1), time(3, 30)))
    assert night.last_open(utc(2025, 3, 30, 2, 0)) == SPRING_2025 - US
    assert not night.is_open(SPRING_2025)


def test_window_wholly_inside_the_spring_gap_moves_to_the_next_day() -> None:
    gap = SendingWindow(weekday=(time(3, 10), time(3, 50)))
    assert gap.next_open(utc(2025, 3, 30, 0, 0)) == hel(2025, 3, 31, 3, 10)
    assert gap.last_open(utc(2025, 3, 30, 12, 0)) == hel(2025, 3, 29, 3, 50)


def test_autumn_back_day_with_default_window() -> None:
    # Sunday 26 October 2025: 08:00 is winter time again (UTC+2).
    assert PLAIN.next_open(utc(2025, 10, 26, 0, 0)) == utc(2025, 10, 26, 6, 0)
    assert PLAIN.next_open(utc(2025, 10, 25, 0, 0)) == utc(2025, 10, 25, 5, 0)


def test_autumn_repeated_hour_is_open_twice() -> None:
    # Hours 03:15-03:45 happen once in summer time and once in winter time.
    twice = SendingWindow(weekday=(time(3, 15), time(3, 45)))
    assert twice.is_open(utc(2025, 10, 26, 0, 30))  # 03:30 EEST
    assert twice.is_open(utc(2025, 10, 26, 1, 30))  # 03:30 EET
    assert not twice.is_open(utc(2025, 10, 26, 1, 0))  # 03:00 EET
    assert twice.next_open(utc(2025, 10, 26, 0, 50)) == utc(2025, 10, 26, 1, 15)
    assert twice.last_open(utc(2025, 10, 26, 1, 10)) == utc(2025, 10, 26, 0, 45)


# --- narrowed ---------------------------------------------------------------


def test_narrowed_intersects_every_kind_of_day() -> None:
    client = TEAM.narrowed((time(9), time(13)))
    assert client.weekday == (time(9), time(13))
    assert client.saturday == (time(10), time(13))
    assert client.sunday == (time(12), time(13))
    assert client.tz == TEAM.tz and client.holidays_country == "FI"
    assert client.hours_on(date(2025, 12, 25)) == (time(12), time(13))


def test_narrowed_keeps_defaulted_days_defaulted() -> None:
    client = PLAIN.narrowed((time(10), time(18)))
    assert client == SendingWindow(weekday=(time(10), time(18)))
    assert client.hours_on(date(2025, 6, 15)) == (time(10), time(18))


def test_narrowed_refuses_a_client_window_leaving_a_day_without_hours() -> None:
    with pytest.raises(ValueError, match="Sunday"):
        TEAM.narrowed((time(6), time(11)))
    with pytest.raises(ValueError, match="before end"):
        TEAM.narrowed((time(11), time(9)))


# --- properties -------------------------------------------------------------

_TIMES = st.times()
_HOURS = st.tuples(_TIMES, _TIMES).filter(lambda pair: pair[0] != pair[1]).map(
    lambda pair: (min(pair), max(pair))
)
WINDOWS = st.builds(
    SendingWindow,
    weekday=_HOURS,
    saturday=st.none() | _HOURS,
    sunday=st.none() | _HOURS,
    holidays_country=st.sampled_from(["FI", None]),
)
_TRANSITIONS = [
    SPRING_2025,
    AUTUMN_2025,
    utc(2026, 3, 29, 1),
    utc(2026, 10, 25, 1),
    utc(2030, 3, 31, 1),
    utc(2030, 10, 27, 1),
]
INSTANTS = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    st.builds(
        lambda base, delta: base + delta,
        st.sampled_from(_TRANSITIONS),
        st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=2)),
    ),
)
FRACTIONS = st.floats(min_value=0, max_value=1, exclude_max=True)


@settings(max_examples=300, deadline=None)
@given(window=WINDOWS, at=INSTANTS, fraction=FRACTIONS)
def test_next_open_is_the_earliest_open_instant(
    window: SendingWindow, at: datetime, fraction: float
) -> None:
    result = window.next_open(at)
    assert_utc(result)
    assert result >= at
    assert window.is_open(result)
    assert (result == at) == window.is_open(at)
    if result > at:
        assert not window.is_open(result - US)
        assert not window.is_open(at + min((result - at) * fraction, result - at - US))


@settings(max_examples=300, deadline=None)
@given(window=WINDOWS, at=INSTANTS, fraction=FRACTIONS)
def test_last_open_is_the_latest_open_instant(
    window: SendingWindow, at: datetime, fraction: float
) -> None:
    result = window.last_open(at)
    assert_utc(result)
    assert result <= at
    assert window.is_open(result)
    assert (result == at) == window.is_open(at)
    if result < at:
        assert not window.is_open(result + US)
        assert not window.is_open(at - min((at - result) * fraction, at - result - US))

