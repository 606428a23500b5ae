"""Recurrence rules, pure: weekly, every N weeks, monthly by day or nth weekday, until and
count, across DST changes and public holidays (Hypothesis: no occurrence lost or doubled,
the local wall-clock time kept)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.events import recurrence as rec

HEL = ZoneInfo("Europe/Helsinki")
DAYS = rec.WEEKDAYS


def _series(first: datetime, spec: rec.RuleSpec) -> str:
    return rec.series_text(first, rec.rrule_from_spec(spec))


def test_weekly_keeps_nine_local_across_both_dst_changes() -> None:
    text = _series(datetime(2027, 3, 2, 9, 0), rec.RuleSpec("weekly", byweekday=("TU",)))
    found = rec.occurrences(text, HEL, date(2027, 3, 1), date(2027, 11, 30))
    assert {o.starts_at.astimezone(HEL).time() for o in found} == {time(9, 0)}
    assert {o.starts_at.astimezone(HEL).utcoffset() for o in found} == {
        timedelta(hours=2), timedelta(hours=3)}
    assert all(o.day.weekday() == 1 for o in found)
    assert len(found) == len({o.day for o in found}) == 40


def test_every_second_week_until_a_date() -> None:
    text = _series(datetime(2027, 1, 4, 13, 0),
                   rec.RuleSpec("weekly", interval=2, byweekday=("MO",), until=date(2027, 2, 15)))
    days = [o.day for o in rec.occurrences(text, HEL, date(2027, 1, 1), date(2027, 12, 31))]
    assert days == [date(2027, 1, 4), date(2027, 1, 18), date(2027, 2, 1), date(2027, 2, 15)]


def test_monthly_first_tuesday_with_a_count() -> None:
    text = _series(datetime(2027, 1, 5, 10, 0),
                   rec.RuleSpec("monthly", byweekday=("1TU",), count=3))
    days = [o.day for o in rec.occurrences(text, HEL, date(2027, 1, 1), date(2028, 1, 1))]
    assert days == [date(2027, 1, 5), date(2027, 2, 2), date(2027, 3, 2)]


def test_rent_on_the_fifth() -> None:
    text = _series(datetime(2027, 1, 5, 9, 0), rec.RuleSpec("monthly", bymonthday=5))
    days = [o.day for o in rec.occurrences(text, HEL, date(2027, 1, 1), date(2027, 6, 30))]
    assert days == [date(2027, m, 5) for m in range(1, 7)]


def test_holidays_are_flagged() -> None:
    # Thursdays through Ascension Day (6.5.2027) and Christmas Eve (pe 24.12.2027)
    text = _series(datetime(2027, 4, 29, 9, 0), rec.RuleSpec("weekly", byweekday=("TH", "FR")))
    found = {o.day: o.on_holiday for o in rec.occurrences(text, HEL, date(2027, 4, 29),
                                                           date(2027, 12, 31))}
    assert found[date(2027, 5, 6)] and found[date(2027, 12, 24)]
    assert not found[date(2027, 5, 13)]


def test_an_rrule_string_with_a_utc_until_is_read_in_local_time() -> None:
    value = rec.normalise_rrule("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301T065959Z", HEL)
    assert value == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301T085959"
    days = [o.day for o in rec.occurrences(rec.series_text(datetime(2027, 2, 15, 9, 0), value),
                                           HEL, date(2027, 2, 1), date(2027, 3, 31))]
    assert days == [date(2027, 2, 15), date(2027, 2, 22)]  # 1.3. 09:00 is after UNTIL


@pytest.mark.parametrize("bad", ["FREQ=HOURLY", "FREQ=WEEKLY;COUNT=2;UNTIL=20270101",
                                 "FREQ=WEEKLY;BYDAY=XX", "nonsense", "FREQ=WEEKLY;COUNT=9999"])
def test_bad_rules_are_refused(bad: str) -> None:
    with pytest.raises(rec.RecurrenceError):
        rec.normalise_rrule(bad, HEL)


def test_exdate_and_description() -> None:
    text = _series(datetime(2027, 1, 5, 9, 0), rec.RuleSpec("weekly", interval=2,
                                                           byweekday=("TU",)))
    text = rec.with_exdate(text, date(2027, 1, 19))
    days = [o.day for o in rec.occurrences(text, HEL, date(2027, 1, 1), date(2027, 2, 28))]
    assert days == [date(2027, 1, 5), date(2027, 2, 2), date(2027, 2, 16)]
    assert rec.describe(text) == "joka 2. viikko, ti"
    assert rec.describe(_series(datetime(2027, 1, 5, 9, 0), rec.RuleSpec(
        "monthly", byweekday=("1TU",), count=3))) == "joka kuukausi, kuun 1. ti, 3 kertaa"


RULES = st.one_of(
    st.builds(lambda days, n: rec.RuleSpec("weekly", interval=n, byweekday=tuple(days)),
              st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True),
              st.integers(1, 4)),
    st.builds(lambda day, n: rec.RuleSpec("monthly", interval=n, bymonthday=day),
              st.integers(1, 28), st.integers(1, 3)),
    st.builds(lambda nth, day: rec.RuleSpec("monthly", byweekday=(f"{nth}{day}",)),
              st.sampled_from([1, 2, 3, 4, -1]), st.sampled_from(DAYS)),
)
# Starts around both DST changes of 2027 (28.3. and 31.10.) and the Christmas holidays,
# at times including the hour that does not exist or happens twice on those nights.
FIRSTS = st.builds(lambda day, hour, minute: datetime.combine(day, time(hour, minute)),
                   st.dates(date(2027, 3, 1), date(2027, 12, 31)), st.integers(0, 23),
                   st.sampled_from([0, 15, 30, 45]))


def _weekday(code: str) -> weekday:
    nth = int(code[:-2]) if len(code) > 2 else None
    return rec.WEEKDAY_OBJECTS[code[-2:]](nth) if nth else rec.WEEKDAY_OBJECTS[code[-2:]]


@settings(max_examples=60, deadline=None)
@given(spec=RULES, first=FIRSTS, cut=st.integers(1, 200))
def test_windows_split_anywhere_lose_and_double_nothing(spec: rec.RuleSpec, first: datetime,
                                                        cut: int) -> None:
    """Extending day by day in two parts gives exactly the rule's occurrences, each once,
    at the same local wall-clock time (a time inside the spring gap moves an hour on)."""
    text = _series(first, spec)
    end = first.date() + timedelta(days=400)
    middle = first.date() + timedelta(days=cut)
    parts = (rec.occurrences(text, HEL, first.date(), middle)
             + rec.occurrences(text, HEL, middle + timedelta(days=1), end))
    whole = rec.occurrences(text, HEL, first.date(), end)
    assert parts == whole
    assert len({o.day for o in whole}) == len(whole)
    freq = WEEKLY if spec.freq == "weekly" else MONTHLY
    expected = list(rrule(freq, dtstart=first, interval=spec.interval,
                          byweekday=[_weekday(d) for d in spec.byweekday] or None,
                          bymonthday=spec.bymonthday,
                          until=datetime.combine(end, time(23, 59, 59))))
    assert [o.day for o in whole] == [moment.date() for moment in expected]
    for o in whole:
        local = o.starts_at.astimezone(HEL)
        assert local.date() == o.day
        assert local.time() == first.time() or (local.time().hour == first.hour + 1
                                                and local.utcoffset() == timedelta(hours=3))
