"""A series in the database, on both databases: occurrences made on the rolling horizon,
the daily extension exactly once (also with two sessions racing), skip, keep on a
holiday, pause and resume, cancel, and reminders only inside the sending window."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from service.domain.events import lifecycle as ev
from service.domain.events import recurrence as rec
from service.domain.events import series
from service.domain.people.clients import ClientInput, create_client
from service.runtime import Runtime
from service.scheduling.daily import extend_horizon_now
from service.store.db import transaction
from service.store.models import Event, Reminder
from service.store.states import EventState, ReminderState

HEL = ZoneInfo("Europe/Helsinki")
HORIZON = 60
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=HEL)  # a Monday morning


def _client(rt: Runtime, phone: str = "040 123 4567") -> int:
    with transaction(rt.sessions) as session:
        return create_client(session, ClientInput(name="Matti Mäkinen", phone=phone),
                             NOW).id


def _series(rt: Runtime, client_id: int, first: datetime, spec: rec.RuleSpec,
            now: datetime = NOW) -> int:
    with transaction(rt.sessions) as session:
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=first, place="Kirjasto", appointment_type="worker"),
            now)
        return series.create_series(session, rt, event, rec.rrule_from_spec(spec), now,
                                    HORIZON).id


def _children(rt: Runtime, series_id: int) -> list[Event]:
    with transaction(rt.sessions) as session:
        rows = series.occurrence_rows(session, session.get_one(Event, series_id))
        session.expunge_all()
        return rows


def test_a_weekly_group_is_made_for_the_horizon_only(rt: Runtime) -> None:
    sid = _series(rt, _client(rt), datetime(2027, 3, 2, 9, 0, tzinfo=HEL),
                  rec.RuleSpec("weekly", byweekday=("TU",)))
    rows = _children(rt, sid)
    assert [r.occurrence_date for r in rows] == [date(2027, 3, 2) + timedelta(weeks=n)
                                                 for n in range(9)]  # up to 30.4.
    assert {r.starts_at.astimezone(HEL).hour for r in rows if r.starts_at} == {9}
    with transaction(rt.sessions) as session:
        parent = session.get_one(Event, sid)
        assert parent.starts_at is None and parent.planned_until == date(2027, 4, 30)
        assert session.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.event_id == sid)) == 0  # the series itself is reminded of by nobody
        assert session.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.event_id.in_([r.id for r in rows]))) > 0


def test_extension_daily_exactly_once(rt: Runtime) -> None:
    sid = _series(rt, _client(rt), datetime(2027, 3, 2, 9, 0, tzinfo=HEL),
                  rec.RuleSpec("weekly", byweekday=("TU", "TH")))
    before = len(_children(rt, sid))
    day = NOW + timedelta(days=7)
    assert extend_horizon_now(rt, day) == 2  # ti 4.5. and to 6.5.
    assert extend_horizon_now(rt, day) == 0
    assert extend_horizon_now(rt, day + timedelta(hours=3)) == 0
    rows = _children(rt, sid)
    assert len(rows) == before + 2 == len({r.occurrence_date for r in rows})


def test_two_sessions_racing_make_each_occurrence_once(rt: Runtime) -> None:
    sid = _series(rt, _client(rt), datetime(2027, 3, 2, 9, 0, tzinfo=HEL),
                  rec.RuleSpec("weekly", byweekday=("MO", "TU", "WE", "TH", "FR")))
    later = NOW + timedelta(days=14)
    barrier, made = threading.Barrier(2), []

    def one() -> None:
        with transaction(rt.sessions) as session:
            row = session.get_one(Event, sid)
            barrier.wait()
            made.append(series.extend(session, rt, row, later, HORIZON))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(made) == [0, 10]
    rows = _children(rt, sid)
    assert len(rows) == len({r.occurrence_date for r in rows})
    # a stale copy of the series (read before the other's commit) changes nothing either
    with transaction(rt.sessions) as session:
        stale = session.get_one(Event, sid)
        stale.planned_until = date(2027, 4, 30)
        assert series.extend(session, rt, stale, later, HORIZON) == 0
        session.rollback()


def test_skip_keep_pause_resume_cancel(rt: Runtime) -> None:
    # Thursdays from Ascension Day (to 6.5.2027), a public holiday
    now = datetime(2027, 4, 26, 8, 0, tzinfo=HEL)
    sid = _series(rt, _client(rt), datetime(2027, 4, 29, 9, 0, tzinfo=HEL),
                  rec.RuleSpec("weekly", byweekday=("TH",)), now)
    with transaction(rt.sessions) as session:
        parent = session.get_one(Event, sid)
        views = series.upcoming(session, rt, parent, now, HORIZON)
        assert [v.day for v in views if v.on_holiday] == [date(2027, 5, 6)]
        kept = series.keep_holiday(session, parent, date(2027, 5, 6), now)
        assert kept.holiday_kept_at is not None
        skipped = series.skip(session, parent, date(2027, 5, 13), now)
        assert skipped is not None and skipped.state == EventState.CANCELLED
        assert {r.state for r in skipped.reminders} <= {ReminderState.CANCELLED}
        assert series.skip(session, parent, date(2027, 9, 2), now) is None  # beyond
        assert "EXDATE:20270902T090000" in (parent.recurrence or "")
        assert series.pause(session, parent, now) > 0
    assert extend_horizon_now(rt, now + timedelta(days=30)) == 0  # paused: nothing made
    with transaction(rt.sessions) as session:
        parent = session.get_one(Event, sid)
        pending = session.scalar(select(func.count()).select_from(Reminder).join(Event).where(
            Event.series_id == sid, Reminder.state == ReminderState.PLANNED))
        assert pending == 0
        series.resume(session, rt, parent, now + timedelta(days=100), HORIZON)
    rows = {r.occurrence_date: r for r in _children(rt, sid)}
    assert rows[date(2027, 5, 13)].state == EventState.CANCELLED  # still skipped
    assert date(2027, 9, 2) not in rows and date(2027, 8, 26) in rows  # the EXDATE held
    with transaction(rt.sessions) as session:
        cancelled = series.cancel_series(session, session.get_one(Event, sid),
                                         now + timedelta(days=100))
        assert cancelled > 0
    later = [r for r in _children(rt, sid) if r.starts_at and
             r.starts_at > now + timedelta(days=100)]
    assert later and {r.state for r in later} == {EventState.CANCELLED}


SPECS = st.one_of(
    st.builds(lambda days, n: rec.RuleSpec("weekly", interval=n, byweekday=tuple(days)),
              st.lists(st.sampled_from(rec.WEEKDAYS), min_size=1, max_size=2, unique=True),
              st.integers(1, 3)),
    st.builds(lambda nth, day: rec.RuleSpec("monthly", byweekday=(f"{nth}{day}",)),
              st.sampled_from([1, 2, -1]), st.sampled_from(rec.WEEKDAYS)),
)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=SPECS, start=st.dates(date(2027, 3, 10), date(2027, 12, 20)),
       hour=st.integers(6, 21), days=st.integers(1, 20))
def test_daily_extension_over_dst_and_holidays(rt: Runtime, spec: rec.RuleSpec, start: date,
                                               hour: int, days: int) -> None:
    """Made on the first day and then extended daily (twice a day): exactly the rule's
    days in the horizon, each once, and every planned reminder inside the window."""
    now = datetime.combine(start, datetime.min.time(), tzinfo=HEL).replace(hour=7)
    first = now.replace(hour=hour) + timedelta(days=1)
    sid = _series(rt, _client(rt), first, spec, now)
    for n in range(1, days + 1):
        for repeat in (0, 5):
            extend_horizon_now(rt, now + timedelta(days=n, hours=repeat))
    last = now + timedelta(days=days, hours=5)
    with transaction(rt.sessions) as session:
        parent = session.get_one(Event, sid)
        expected = [o.day for o in rec.occurrences(parent.recurrence or "", HEL, first.date(),
                                                   series.horizon_end(last, rt, HORIZON))]
        rows = series.occurrence_rows(session, parent)
        assert [r.occurrence_date for r in rows] == expected
        window = rt.client_window(None)
        planned = session.scalars(select(Reminder).join(Event).where(
            Event.series_id == sid, Reminder.state == ReminderState.PLANNED))
        for reminder in planned:
            if reminder.channel != "task":
                assert window.is_open(reminder.send_at), reminder.send_at


def test_rent_due_monthly_says_no_place_and_no_appointment(rt: Runtime) -> None:
    """A bill or rent due recurs without a place: its reminders name the due day, not an
    appointment, and no amount or creditor (the team's template would have to say it)."""
    with transaction(rt.sessions) as session:
        client_id = create_client(session, ClientInput(name="Matti Mäkinen",
                                                       phone="040 123 4567"), NOW).id
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=datetime(2027, 3, 5, 9, 0, tzinfo=HEL),
            appointment_type="bill_due"), NOW)
        parent = series.create_series(session, rt, event, rec.rrule_from_spec(
            rec.RuleSpec("monthly", bymonthday=5)), NOW, HORIZON)
        first = series.occurrence_rows(session, parent)[0]
        plan = ev.plan_event(first, first.client, rt, NOW)
        texts = [p.text for p in plan if p.channel == "sms"]
    assert texts and all("eräpäivä" in t and "aikasi" not in t for t in texts)
    assert any("Vastaa 1 = selvä" in t for t in texts)


def test_two_workers_share_the_nightly_job_and_make_each_occurrence_once(rt: Runtime) -> None:
    client_id = _client(rt)
    ids = [_series(rt, client_id, datetime(2027, 3, 2, 9, 0, tzinfo=HEL) + timedelta(days=n),
                   rec.RuleSpec("weekly", byweekday=(rec.WEEKDAYS[(1 + n) % 7],)))
           for n in range(6)]
    later = NOW + timedelta(days=10)
    made: list[int] = []
    threads = [threading.Thread(target=lambda: made.append(extend_horizon_now(rt, later)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = 0
    with transaction(rt.sessions) as session:
        for sid in ids:
            text = session.get_one(Event, sid).recurrence or ""
            expected += len(rec.occurrences(text, HEL, date(2027, 5, 1),
                                            series.horizon_end(later, rt, HORIZON)))
    assert expected == 8 and sum(made) == expected  # 1..10.5.: sa, su twice
    for sid in ids:
        rows = _children(rt, sid)
        assert len(rows) == len({r.occurrence_date for r in rows})
    assert extend_horizon_now(rt, later) == 0
