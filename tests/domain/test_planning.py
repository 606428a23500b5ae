"""Planning one reminder: offsets, the sending window, late registration, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.calendar.window import SendingWindow
from service.domain.planning.send_times import (
    SKIP_NO_WINDOW,
    SKIP_REASONS,
    SKIP_TOO_CLOSE,
    SKIP_TOO_LATE,
    PlanResult,
    Rule,
    ideal_send_time,
    parse_offset,
    plan_send_time,
)

HEL = ZoneInfo("Europe/Helsinki")
UTC = UTC
US = timedelta(microseconds=1)

TEAM = SendingWindow(
    weekday=(time(8), time(20)), saturday=(time(10), time(16)), sunday=(time(12), time(16))
)
PLAIN = SendingWindow(weekday=(time(8), time(20)))

WEEK_BEFORE = Rule("week_before", "starts_at", "appointment_week", before=timedelta(days=7),
                   at=time(10))
DAY_BEFORE = Rule("day_before", "starts_at", "appointment_day", before=timedelta(days=1),
                  at=time(18))
TWO_HOURS = Rule("same_morning", "starts_at", "appointment_soon", before=timedelta(hours=2))


def hel(*args: int) -> datetime:
    """An aware Helsinki wall-clock time (only for times that exist unambiguously)."""
    return datetime(*args, tzinfo=HEL)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_midnight(day: date) -> datetime:
    """How a date anchor (documents due, decision expected) arrives: local midnight in UTC."""
    return datetime.combine(day, time(0), tzinfo=HEL).astimezone(UTC)


def plan(
    rule: Rule,
    anchor: datetime,
    now: datetime,
    window: SendingWindow = TEAM,
    latest: datetime | str | None = "anchor",
) -> PlanResult:
    """Plan with `latest` defaulting to the anchor, as for an appointment."""
    return plan_send_time(
        rule, anchor, now=now, window=window, latest=anchor if latest == "anchor" else latest
    )


def sent_at(result: PlanResult) -> datetime:
    assert result.skip_reason is None, result.skip_reason
    assert result.send_at is not None and result.send_at.tzinfo is UTC
    return result.send_at


# --- parse_offset -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("7d", timedelta(days=7)),
        ("36h", timedelta(hours=36)),
        ("90m", timedelta(minutes=90)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1d 12h 30m", timedelta(days=1, hours=12, minutes=30)),
        (" 2H ", timedelta(hours=2)),
        ("0d", timedelta(0)),
    ],
)
def test_parse_offset(text: str, expected: timedelta) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "7x", "-1d", "12h1d", "7 days", "1.5d", "7d7d"])
def test_parse_offset_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="offset"):
        parse_offset(text)


# --- Rule and PlanResult validation -----------------------------------------


def test_rule_refuses_before_and_after_together() -> None:
    with pytest.raises(ValueError, match="not both"):
        Rule("x", "starts_at", "t", before=timedelta(days=1), after=timedelta(days=1))


def test_rule_with_at_needs_whole_days() -> None:
    with pytest.raises(ValueError, match="whole days"):
        Rule("x", "starts_at", "t", before=timedelta(hours=36), at=time(10))
    Rule("x", "starts_at", "t", before=timedelta(days=2), at=time(10))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"anchor": "start"}, "anchor"),
        ({"channel": "email"}, "channel"),
        ({"recipient": "neighbour"}, "recipient"),
        ({"before": timedelta(days=-1)}, "positive"),
        ({"min_days_ahead": -1}, "min_days_ahead"),
        ({"min_lead": timedelta(hours=-1)}, "min_lead"),
        ({"at": time(10, tzinfo=UTC), "before": timedelta(days=1)}, "wall-clock"),
        ({"id": ""}, "id"),
    ],
)
def test_rule_validation(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"id": "x", "anchor": "starts_at", "template": "t"}
    fields.update(changes)
    with pytest.raises(ValueError, match=message):
        Rule(**fields)  # type: ignore[arg-type]


def test_plan_result_has_exactly_one_outcome() -> None:
    with pytest.raises(ValueError):
        PlanResult(None, None)
    with pytest.raises(ValueError):
        PlanResult(utc(2025, 6, 1, 8), SKIP_TOO_LATE)
    with pytest.raises(ValueError):
        PlanResult(None, "because")
    assert PlanResult(None, SKIP_TOO_LATE).skipped


# --- ideal_send_time --------------------------------------------------------


def test_ideal_with_at_counts_local_calendar_days() -> None:
    assert ideal_send_time(hel(2025, 6, 10, 14, 0), WEEK_BEFORE, HEL) == hel(2025, 6, 3, 10, 0)


def test_ideal_without_at_is_absolute() -> None:
    assert ideal_send_time(hel(2025, 6, 11, 8, 30), TWO_HOURS, HEL) == hel(2025, 6, 11, 6, 30)


def test_ideal_of_a_date_anchor_stays_on_its_local_day() -> None:
    # Documents due 12 June: the anchor is 2025-06-11 21:00 UTC, a day earlier in UTC.
    rule = Rule("docs", "documents_due", "documents", before=timedelta(days=2), at=time(10))
    result = ideal_send_time(local_midnight(date(2025, 6, 12)), rule, HEL)
    assert result == hel(2025, 6, 10, 10, 0)
    assert result.tzinfo is UTC


def test_ideal_refuses_naive_anchor() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ideal_send_time(datetime(2025, 6, 10, 14, 0), WEEK_BEFORE, HEL)


def test_ideal_in_the_spring_gap_lands_after_the_jump() -> None:
    # 03:30 on 30 March 2025 does not exist; it becomes 04:30 summer time (01:30 UTC).
    rule = Rule("night", "starts_at", "t", before=timedelta(days=1), at=time(3, 30))
    result = ideal_send_time(hel(2025, 3, 31, 9, 0), rule, HEL)
    assert result == utc(2025, 3, 30, 1, 30)
    assert result.astimezone(HEL).time() == time(4, 30)


def test_ideal_in_the_repeated_autumn_hour_takes_the_first() -> None:
    rule = Rule("night", "starts_at", "t", before=timedelta(days=1), at=time(3, 30))
    assert ideal_send_time(hel(2025, 10, 27, 9, 0), rule, HEL) == utc(2025, 10, 26, 0, 30)


# --- plan_send_time: the usual cases ----------------------------------------


def test_week_before_at_ten() -> None:
    # Appointment Tue 10 June 14:00 -> Tue 3 June 10:00.
    result = plan(WEEK_BEFORE, hel(2025, 6, 10, 14, 0), now=hel(2025, 5, 20, 9, 0))
    assert sent_at(result) == hel(2025, 6, 3, 10, 0)


def test_day_before_at_six_pm() -> None:
    result = plan(DAY_BEFORE, hel(2025, 6, 10, 14, 0), now=hel(2025, 5, 20, 9, 0))
    assert sent_at(result) == hel(2025, 6, 9, 18, 0)


def test_day_before_a_monday_moves_back_into_sundays_hours() -> None:
    # Sunday 18:00 is after Sunday's 12-16; Monday 08:00 would leave less than 2 h
    # before a 09:00 appointment, so the reminder goes at Sunday 16:00.
    result = plan(DAY_BEFORE, hel(2025, 6, 16, 9, 0), now=hel(2025, 6, 1, 9, 0))
    assert sent_at(result) == hel(2025, 6, 15, 16, 0)


def test_day_before_a_late_appointment_moves_forward_to_the_morning() -> None:
    # At 20:01 the window has closed; next morning 08:00 still leaves 6 h before 14:00.
    late_evening = Rule("day_before", "starts_at", "t", before=timedelta(days=1), at=time(20, 1))
    result = plan(late_evening, hel(2025, 6, 10, 14, 0), now=hel(2025, 6, 1, 9, 0))
    assert sent_at(result) == hel(2025, 6, 10, 8, 0)


def test_window_edges_are_inclusive_when_planning() -> None:
    at_end = Rule("day_before", "starts_at", "t", before=timedelta(days=1), at=time(20))
    at_start = Rule("same_day", "starts_at", "t", before=timedelta(days=0), at=time(8))
    appointment = hel(2025, 6, 10, 14, 0)
    assert sent_at(plan(at_end, appointment, now=hel(2025, 6, 1, 9))) == hel(2025, 6, 9, 20, 0)
    assert sent_at(plan(at_start, appointment, now=hel(2025, 6, 1, 9))) == hel(2025, 6, 10, 8, 0)


# --- same morning, 2 h before an 08:30 appointment --------------------------


def test_two_hours_before_an_early_appointment_goes_the_evening_before() -> None:
    # Ideal 06:30 is at night. Waiting for 08:00 would leave 30 min, less than the
    # 2 h min_lead, so the last allowed moment before 06:30 is used: 20:00 the day before.
    result = plan(TWO_HOURS, hel(2025, 6, 11, 8, 30), now=hel(2025, 6, 1, 9, 0))
    assert sent_at(result) == hel(2025, 6, 10, 20, 0)


def test_two_hours_before_with_a_short_lead_waits_for_eight() -> None:
    short_lead = Rule(
        "same_morning", "starts_at", "t", before=timedelta(hours=2), min_lead=timedelta(minutes=30)
    )
    result = plan(short_lead, hel(2025, 6, 11, 8, 30), now=hel(2025, 6, 1, 9, 0))
    assert sent_at(result) == hel(2025, 6, 11, 8, 0)


def test_two_hours_before_registered_after_the_evening_window_is_skipped() -> None:
    result = plan(TWO_HOURS, hel(2025, 6, 11, 8, 30), now=hel(2025, 6, 10, 21, 0))
    assert result == PlanResult(None, SKIP_NO_WINDOW)


def test_two_hours_before_registered_the_same_morning_is_too_late() -> None:
    result = plan(TWO_HOURS, hel(2025, 6, 11, 8, 30), now=hel(2025, 6, 11, 7, 0))
    assert result == PlanResult(None, SKIP_TOO_LATE)


def test_offset_shorter_than_min_lead_is_pulled_back_to_keep_the_lead() -> None:
    # "1 h before" a 14:00 appointment would leave less than min_lead (2 h): 12:00 instead.
    one_hour = Rule("last_call", "starts_at", "t", before=timedelta(hours=1))
    result = plan(one_hour, hel(2025, 6, 10, 14, 0), now=hel(2025, 6, 1, 9))
    assert sent_at(result) == hel(2025, 6, 10, 12, 0)


# --- registered late, and the past ------------------------------------------


def test_registered_too_close_is_skipped() -> None:
    rule = Rule(
        "week_before", "starts_at", "t", before=timedelta(days=7), at=time(10), min_days_ahead=7
    )
    result = plan(rule, hel(2025, 6, 10, 14, 0), now=hel(2025, 6, 5, 9, 0))
    assert result == PlanResult(None, SKIP_TOO_CLOSE)


def test_registered_exactly_min_days_ahead_is_planned() -> None:
    rule = Rule(
        "week_before", "starts_at", "t", before=timedelta(days=7), at=time(10), min_days_ahead=7
    )
    result = plan(rule, hel(2025, 6, 10, 9, 0), now=hel(2025, 6, 3, 9, 0))
    assert sent_at(result) == hel(2025, 6, 3, 10, 0)


def test_ideal_in_the_past_sends_at_once_when_open() -> None:
    result = plan(WEEK_BEFORE, hel(2025, 6, 10, 14, 0), now=hel(2025, 6, 5, 11, 15, 30))
    assert sent_at(result) == hel(2025, 6, 5, 11, 15, 30)


def test_ideal_in_the_past_at_night_sends_next_morning() -> None:
    result = plan(WEEK_BEFORE, hel(2025, 6, 10, 14, 0), now=hel(2025, 6, 5, 21, 30))
    assert sent_at(result) == hel(2025, 6, 6, 8, 0)


def test_too_late_when_at_once_leaves_less_than_min_lead() -> None:
    appointment = hel(2025, 6, 10, 14, 0)
    assert plan(DAY_BEFORE, appointment, now=hel(2025, 6, 10, 13, 0)) == PlanResult(
        None, SKIP_TOO_LATE
    )
    # Exactly min_lead before the appointment is still allowed.
    assert sent_at(plan(DAY_BEFORE, appointment, now=hel(2025, 6, 10, 12, 0))) == hel(
        2025, 6, 10, 12, 0
    )
    assert plan(DAY_BEFORE, appointment, now=hel(2025, 6, 10, 12, 0) + US).skip_reason == (
        SKIP_TOO_LATE
    )


def test_refuses_naive_inputs() -> None:
    aware = hel(2025, 6, 10, 14, 0)
    naive = datetime(2025, 6, 10, 14, 0)
    mixes = [(naive, aware, aware), (aware, naive, aware), (aware, aware, naive)]
    for anchor, now, latest in mixes:
        with pytest.raises(ValueError, match="timezone-aware"):
            plan_send_time(WEEK_BEFORE, anchor, now=now, window=TEAM, latest=latest)


# --- follow-ups and date anchors --------------------------------------------

DECISION_CHECK = Rule(
    "decision_check",
    "decision_expected",
    "task_decision",
    channel="task",
    after=timedelta(days=1),
    at=time(9),
    recipient="worker",
)


def test_follow_up_the_day_after_a_decision_date() -> None:
    result = plan(
        DECISION_CHECK, local_midnight(date(2025, 6, 12)), now=hel(2025, 6, 1, 9), latest=None
    )
    assert sent_at(result) == hel(2025, 6, 13, 9, 0)


def test_follow_up_on_a_saturday_waits_for_saturday_hours() -> None:
    result = plan(
        DECISION_CHECK, local_midnight(date(2025, 6, 13)), now=hel(2025, 6, 1, 9), latest=None
    )
    assert sent_at(result) == hel(2025, 6, 14, 10, 0)


def test_follow_up_without_latest_is_never_too_late() -> None:
    result = plan(
        DECISION_CHECK, local_midnight(date(2025, 6, 12)), now=hel(2025, 7, 1, 22, 0), latest=None
    )
    assert sent_at(result) == hel(2025, 7, 2, 8, 0)


def test_documents_due_reminder_before_the_end_of_the_due_day() -> None:
    rule = Rule("docs_due", "documents_due", "documents", before=timedelta(days=0), at=time(9))
    due = date(2025, 6, 12)
    end_of_day = local_midnight(due + timedelta(days=1))
    result = plan(rule, local_midnight(due), now=hel(2025, 6, 1, 9), latest=end_of_day)
    assert sent_at(result) == hel(2025, 6, 12, 9, 0)


# --- holidays ---------------------------------------------------------------


def test_christmas_day_uses_the_narrower_sunday_window() -> None:
    # 4 days before Mon 29 Dec at 10:00 is Christmas Day (Thu): Sunday hours start at 12.
    rule = Rule("before_holidays", "starts_at", "t", before=timedelta(days=4), at=time(10))
    result = plan(rule, hel(2025, 12, 29, 10, 0), now=hel(2025, 12, 1, 9))
    assert sent_at(result) == hel(2025, 12, 25, 12, 0)


def test_midsummer_eve_uses_the_sunday_window_unless_holidays_are_off() -> None:
    rule = Rule("before_midsummer", "starts_at", "t", before=timedelta(days=3), at=time(9))
    appointment = hel(2025, 6, 23, 10, 0)  # Monday after Midsummer
    assert sent_at(plan(rule, appointment, now=hel(2025, 6, 1, 9))) == hel(2025, 6, 20, 12, 0)
    no_holidays = SendingWindow(
        weekday=(time(8), time(20)), sunday=(time(12), time(16)), holidays_country=None
    )
    result = plan(rule, appointment, now=hel(2025, 6, 1, 9), window=no_holidays)
    assert sent_at(result) == hel(2025, 6, 20, 9, 0)


# --- DST --------------------------------------------------------------------


def test_week_before_across_spring_forward_keeps_the_wall_clock() -> None:
    # Wed 2 April 10:00 summer time; a week earlier is winter time. 10:00 EET = 08:00 UTC,
    # where plain 7 x 24 h would have given 09:00 local.
    result = plan(WEEK_BEFORE, hel(2025, 4, 2, 10, 0), now=hel(2025, 3, 1, 9), window=PLAIN)
    assert sent_at(result) == utc(2025, 3, 26, 8, 0)


def test_week_before_across_autumn_back_keeps_the_wall_clock() -> None:
    # Wed 29 October 10:00 winter time; a week earlier 10:00 EEST = 07:00 UTC.
    result = plan(WEEK_BEFORE, hel(2025, 10, 29, 10, 0), now=hel(2025, 10, 1, 9), window=PLAIN)
    assert sent_at(result) == utc(2025, 10, 22, 7, 0)


def test_absolute_offset_across_spring_forward_is_real_time() -> None:
    # 24 h before Sun 30 March 12:00 EEST (09:00 UTC) is Sat 29 March 11:00 EET.
    day = Rule("day", "starts_at", "t", before=timedelta(hours=24))
    result = plan(day, hel(2025, 3, 30, 12, 0), now=hel(2025, 3, 1, 9), window=PLAIN)
    assert sent_at(result) == utc(2025, 3, 29, 9, 0)
    assert result.send_at is not None and result.send_at.astimezone(HEL).hour == 11


def test_day_before_on_the_spring_forward_sunday() -> None:
    result = plan(DAY_BEFORE, hel(2025, 3, 31, 14, 0), now=hel(2025, 3, 1, 9), window=PLAIN)
    assert sent_at(result) == utc(2025, 3, 30, 15, 0)  # 18:00 EEST


def test_early_morning_on_the_spring_forward_sunday_opens_at_eight_summer_time() -> None:
    short_lead = Rule(
        "same_morning", "starts_at", "t", before=timedelta(hours=2), min_lead=timedelta(minutes=30)
    )
    result = plan(short_lead, hel(2025, 3, 30, 8, 30), now=hel(2025, 3, 1, 9), window=PLAIN)
    assert sent_at(result) == utc(2025, 3, 30, 5, 0)  # 08:00 EEST


def test_day_before_on_the_autumn_back_sunday() -> None:
    result = plan(DAY_BEFORE, hel(2025, 10, 27, 14, 0), now=hel(2025, 10, 1, 9), window=PLAIN)
    assert sent_at(result) == utc(2025, 10, 26, 16, 0)  # 18:00 EET


def test_ideal_in_the_spring_gap_with_a_night_window_never_names_a_missing_time() -> None:
    night_ok = SendingWindow(weekday=(time(0), time(23, 59)))
    rule = Rule("night", "starts_at", "t", before=timedelta(days=1), at=time(3, 30))
    result = plan(rule, hel(2025, 3, 31, 9, 0), now=hel(2025, 3, 1, 9), window=night_ok)
    assert sent_at(result) == utc(2025, 3, 30, 1, 30)  # 04:30 EEST


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
_TRANSITIONS = [utc(2025, 3, 30, 1), utc(2025, 10, 26, 1), utc(2029, 3, 25, 1),
                utc(2029, 10, 28, 1)]
EVENTS = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    st.builds(
        lambda base, delta: base + delta,
        st.sampled_from(_TRANSITIONS),
        st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
    ),
)


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    if draw(st.booleans()):
        offset = timedelta(days=draw(st.integers(0, 30)))
        at = draw(st.none() | _TIMES)
    else:
        offset = draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=72)))
        at = None
    direction = draw(st.sampled_from(["before", "after"]))
    return Rule(
        "r",
        "starts_at",
        "t",
        at=at,
        min_days_ahead=draw(st.none() | st.integers(0, 14)),
        min_lead=draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=12))),
        **{direction: offset},  # type: ignore[arg-type]
    )


@settings(max_examples=300, deadline=None)
@given(
    rule=rules(),
    event=EVENTS,
    window=WINDOWS,
    lead_time=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    with_latest=st.booleans(),
)
def test_a_plan_is_skipped_or_inside_every_bound(
    rule: Rule,
    event: datetime,
    window: SendingWindow,
    lead_time: timedelta,
    with_latest: bool,
) -> None:
    now = event - lead_time
    latest = event if with_latest else None
    limit = None if latest is None else latest - rule.min_lead

    result = plan_send_time(rule, event, now=now, window=window, latest=latest)

    if result.skip_reason is not None:
        assert result.send_at is None
        assert result.skip_reason in SKIP_REASONS
        if result.skip_reason == SKIP_TOO_CLOSE:
            assert rule.min_days_ahead is not None
            assert event - now < timedelta(days=rule.min_days_ahead)
        else:
            # Skipping is honest: there really was no allowed instant in [now, limit].
            assert limit is not None and window.next_open(now) > limit
        return

    send_at = result.send_at
    assert send_at is not None and send_at.tzinfo is UTC
    assert window.is_open(send_at)
    assert send_at >= now
    if limit is not None:
        assert send_at <= limit
    ideal = ideal_send_time(event, rule, window.tz)
    if ideal >= now and window.is_open(ideal) and (limit is None or ideal <= limit):
        assert send_at == ideal
