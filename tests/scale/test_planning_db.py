"""Planned send times survive the database unchanged, across Helsinki's DST changes.

The pure properties of planning are in tests/domain/test_planning.py. Here the
planned time is written to SQLite and to PostgreSQL and read back: it must be the
very same instant (aware UTC, to the microsecond), still inside the window and
before the event, and the database must agree that it is due exactly from then on.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from service.domain.calendar.window import SendingWindow
from service.domain.events.lifecycle import apply_plan, plan_event
from service.domain.planning.send_times import Rule, plan_send_time
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Event, Reminder

UTC = UTC
HEL = ZoneInfo("Europe/Helsinki")
US = timedelta(microseconds=1)

# Helsinki's changes (03:00 -> 04:00 in March, 04:00 -> 03:00 in October), in UTC.
TRANSITIONS = [datetime(y, 3, d, 1, tzinfo=UTC) for y, d in
               ((2026, 29), (2027, 28), (2028, 26), (2029, 25), (2030, 31))] + \
              [datetime(y, 10, d, 1, tzinfo=UTC) for y, d in
               ((2026, 25), (2027, 31), (2028, 29), (2029, 28), (2030, 27))]

EVENTS = st.one_of(
    st.builds(lambda base, delta: base + delta, st.sampled_from(TRANSITIONS),
              st.timedeltas(min_value=timedelta(days=-9), max_value=timedelta(days=9))),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31),
                 timezones=st.just(UTC)),
)
HOURS = st.tuples(st.integers(0, 22), st.sampled_from([0, 15, 30, 45]),
                  st.integers(1, 14)).map(
    lambda t: (time(t[0], t[1]), time(min(23, t[0] + t[2]), t[1] if t[0] + t[2] <= 23 else 59)))
WINDOWS = st.builds(SendingWindow, weekday=HOURS, saturday=st.none() | HOURS,
                    sunday=st.none() | HOURS, holidays_country=st.sampled_from(["FI", None]))


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    """A "before" rule: whole local days at a wall-clock time, or an absolute offset."""
    min_lead = draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=6)))
    if draw(st.booleans()):
        return Rule("r", "starts_at", "t", before=timedelta(days=draw(st.integers(0, 21))),
                    at=draw(st.times()), min_lead=min_lead)
    return Rule("r", "starts_at", "t",
                before=draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=80))),
                min_lead=min_lead)


@pytest.fixture
def owner(rt: Runtime) -> tuple[int, int]:
    """One client and event to hang the planned rows on."""
    with transaction(rt.sessions) as session:
        client = Client(name="Asiakas", phone="+358401234567", number_type="mobile")
        session.add(client)
        session.flush()
        event = Event(client_id=client.id, kind="appointment",
                      starts_at=datetime(2026, 6, 1, tzinfo=UTC))
        session.add(event)
        session.flush()
        return client.id, event.id


def _due_count(rt: Runtime, reminder_id: int, at: datetime) -> int:
    with transaction(rt.sessions) as session:
        return session.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.id == reminder_id, Reminder.send_at <= at)) or 0


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rule=rules(), event=EVENTS, window=WINDOWS,
       lead_time=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)))
def test_a_planned_time_is_stored_and_read_back_unchanged(
        rt: Runtime, owner: tuple[int, int], rule: Rule, event: datetime,
        window: SendingWindow, lead_time: timedelta) -> None:
    now = event - lead_time
    result = plan_send_time(rule, event, now=now, window=window, latest=event)
    if result.send_at is None:
        return
    latest_at = event - rule.min_lead
    with transaction(rt.sessions) as session:
        row = Reminder(event_id=owner[1], client_id=owner[0], rule_id="r", template="t",
                       channel="sms", send_at=result.send_at, latest_at=latest_at)
        session.add(row)
        session.flush()
        reminder_id = row.id
    with transaction(rt.sessions) as session:
        stored = session.get(Reminder, reminder_id)
        assert stored is not None
        send_at, stored_latest = stored.send_at, stored.latest_at

    assert send_at == result.send_at and send_at.utcoffset() == timedelta(0)
    assert stored_latest == latest_at
    assert window.is_open(send_at)
    assert now <= send_at <= latest_at <= event
    # The database's "due" agrees with Python's, to the microsecond.
    assert _due_count(rt, reminder_id, send_at) == 1
    assert _due_count(rt, reminder_id, send_at - US) == 0


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(starts=EVENTS.filter(lambda e: e.astimezone(HEL).hour in range(8, 19)),
       lead_time=st.timedeltas(min_value=timedelta(hours=3), max_value=timedelta(days=30)),
       own_window=st.none() | st.sampled_from(["09:00-17:00", "10:00-18:00", "08:30-12:00"]))
def test_the_services_own_plan_is_stored_unchanged(
        rt: Runtime, owner: tuple[int, int], starts: datetime, lead_time: timedelta,
        own_window: str | None) -> None:
    """The real path: the team's schedules, a client's own hours, apply_plan."""
    now = starts - lead_time
    with transaction(rt.sessions) as session:
        client = session.get(Client, owner[0])
        assert client is not None
        client.window = own_window
        event = Event(client_id=client.id, client=client, kind="appointment", state="planned",
                      starts_at=starts, place="Keskuskatu 5", appointment_type="other")
        session.add(event)
        session.flush()
        plan = plan_event(event, client, rt, now)
        rows = apply_plan(session, event, plan, now)
        ids = [(r.id, p) for r, p in zip(rows, plan, strict=False)]
    window = rt.client_window(own_window)
    with transaction(rt.sessions) as session:
        for reminder_id, planned in ids:
            stored = session.get(Reminder, reminder_id)
            assert stored is not None
            if planned.send_at is None:
                assert stored.state == "skipped"
                continue
            assert stored.send_at == planned.send_at
            assert stored.latest_at == planned.latest_at
            if stored.channel != "task":
                assert window.is_open(stored.send_at)
            assert now <= stored.send_at < starts
