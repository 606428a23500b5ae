"""Channel choice, transport reminders, holidays and per-client windows, never at night.

Through the real API, planner and dispatch pass, with a controlled clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

import pytest
from sqlalchemy import Engine

from service.config import Config
from service.domain.calendar.window import SendingWindow
from service.domain.errors import ValidationError
from service.domain.events.lifecycle import (
    AppointmentInput,
    build_appointment,
    plan_event,
    resolve_channel,
)
from service.domain.people.clients import ClientInput, create_client
from service.domain.planning import reminder_states as rstate
from service.gateways.base import GatewayError
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime, build_runtime
from service.store.db import transaction
from tests.conftest import Api
from tests.reach import SECOND, by_rule, hel, new_appointment, new_client, run

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 20, 9, 0)


# --- channel choice ----------------------------------------------------------------

@pytest.mark.parametrize(("rule", "number_type", "preference", "expected"), [
    ("auto", "mobile", "auto", "sms"),
    ("auto", "mobile", "sms", "sms"),
    ("auto", "mobile", "voice", "voice"),  # a client who reads poorly may prefer calls
    ("auto", "fixed_line", "auto", "voice"),  # a landline: calls only
    ("auto", "fixed_line", "sms", "voice"),
    ("sms", "fixed_line", "auto", "voice"),
    ("sms", "other", "auto", "voice"),
    ("sms", "mobile", "voice", "sms"),  # the team's rule names the channel
    ("voice", "mobile", "sms", "voice"),
    ("task", "fixed_line", "voice", "task"),
])
def test_resolve_channel(rule: str, number_type: str, preference: str, expected: str) -> None:
    assert resolve_channel(rule, number_type, preference) == expected


@pytest.mark.parametrize(("phone", "channel", "expected"), [
    ("040 123 4567", "auto", "sms"),
    ("040 123 4567", "voice", "voice"),
    ("014 123 4567", "auto", "voice"),
    ("014 123 4567", "voice", "voice"),
])
def test_every_client_reminder_uses_the_resolved_channel(
        api: Api, rt: Runtime, gateway: DevelopmentGateway, phone: str, channel: str,
        expected: str) -> None:
    cid = new_client(api, phone=phone, channel=channel)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    channels = {r["rule"]: r["channel"] for r in event["reminders"]}
    assert channels.pop("call_the_client") == "task"
    assert set(channels.values()) == {expected}
    run(rt, hel(2026, 9, 23, 10, 0) + SECOND)
    assert gateway.sent[-1][0] == expected


def test_a_landline_cannot_be_set_to_texts(api: Api) -> None:
    r = api.post("/clients", {"name": "Aino", "phone": "014 123 4567", "channel": "sms"})
    assert r.status_code == 422 and "lankapuhelin" in r.json["errors"]["channel"]


# --- transport ------------------------------------------------------------------------

def test_transport_is_booked_the_working_day_before_with_the_booking_number(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    # Tuesday after Easter: Good Friday, the weekend and Easter Monday are skipped.
    event = new_appointment(api, cid, hel(2026, 4, 7, 9, 0), hel(2026, 3, 20, 9, 0),
                            needs_transport=True)
    booking = by_rule(rt, event["id"])["book_transport"]
    assert booking.send_at == hel(2026, 4, 2, 10, 0)
    assert run(rt, hel(2026, 3, 31, 10, 0) + SECOND).delivered == 1  # the week before
    assert run(rt, hel(2026, 4, 2, 10, 0) + SECOND).delivered == 1
    text = gateway.sent[-1][2]
    # Issue 14: the text says which taxi (Kela-taksi is what the client books), no benefit.
    assert "0800 123 456" in text and "Kela-taksi" in text


def test_no_transport_reminder_without_the_need(api: Api, rt: Runtime) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    assert "book_transport" not in by_rule(rt, event["id"])
    with_need = new_appointment(api, cid, hel(2026, 9, 28, 9, 0), REGISTERED,
                                needs_transport=True)
    assert by_rule(rt, with_need["id"])["book_transport"].send_at == hel(2026, 9, 25, 10, 0)


# --- holidays and per-client windows ----------------------------------------------------

@pytest.fixture
def holiday_rt(config: Config, engine: Engine, gateway: DevelopmentGateway) -> Runtime:
    """The team texts on Sundays and holidays only 13-16."""
    cfg = replace(config, database_url=str(engine.url), sunday_window="13:00-16:00")
    return build_runtime(cfg, engine=engine, gateway=gateway)


def _day_before(rt: Runtime, starts: datetime, window: str | None = None) -> object:
    now = hel(2025, 12, 1, 9, 0)
    with transaction(rt.sessions) as session:
        client = create_client(session, ClientInput("Matti", "040 123 4567", window=window),
                               now, team_window=rt.window)
        with session.no_autoflush:  # a preview: the event is never saved
            event = build_appointment(session, AppointmentInput(client.id, starts), now)
            plan = {p.rule_id: p for p in plan_event(event, client, rt, now)}
        session.rollback()
    return plan["day_before"].send_at


def test_a_public_holiday_gets_the_sunday_hours(holiday_rt: Runtime) -> None:
    # Day before on Epiphany (Tuesday 6 January 2026): 12.00 is outside holiday hours.
    assert _day_before(holiday_rt, hel(2026, 1, 7, 10, 0)) == hel(2026, 1, 6, 13, 0)
    # An ordinary Tuesday keeps 12.00.
    assert _day_before(holiday_rt, hel(2026, 1, 14, 10, 0)) == hel(2026, 1, 13, 12, 0)
    # Christmas Day (Thursday).
    assert _day_before(holiday_rt, hel(2025, 12, 26, 15, 0)) == hel(2025, 12, 25, 13, 0)


def test_a_clients_own_hours_narrow_the_plan(holiday_rt: Runtime) -> None:
    starts = hel(2026, 1, 14, 16, 0)
    assert _day_before(holiday_rt, starts, window="14:00-15:30") == hel(2026, 1, 13, 14, 0)


def test_a_clients_own_hours_must_leave_time_on_every_kind_of_day(holiday_rt: Runtime) -> None:
    with transaction(holiday_rt.sessions) as session:
        with pytest.raises(ValidationError) as caught:
            create_client(session, ClientInput("Matti", "040 123 4567", window="08:00-12:00"),
                          hel(2026, 1, 1, 9), team_window=holiday_rt.window)
        assert "sunnuntaisin ja pyhäpäivinä" in caught.value.errors["window"]
        assert "arkipäivinä" not in caught.value.errors["window"]
        create_client(session, ClientInput("Matti", "040 123 4567", window="12:00-18:00"),
                      hel(2026, 1, 1, 9), team_window=holiday_rt.window)


def test_the_api_refuses_own_hours_outside_the_team_window(api: Api) -> None:
    r = api.post("/clients", {"name": "Matti", "phone": "040 123 4567",
                              "window": "20:30-23:00"})
    assert r.status_code == 422 and "window" in r.json["errors"]
    assert api.post("/clients", {"name": "Matti", "phone": "040 123 4567",
                                 "window": "09:00-18:00"}).status_code == 201


def test_a_team_window_change_after_saving_falls_back_to_the_team_hours() -> None:
    team = SendingWindow(weekday=(time(8), time(20)), sunday=(time(12), time(16)))
    rt = Runtime.__new__(Runtime)
    rt.window = team
    assert rt.client_window("08:00-11:00") is team
    assert rt.client_window("09:00-18:00").hours_on(hel(2026, 1, 13).date()) == (time(9),
                                                                                time(18))


# --- never at night, even when late ----------------------------------------------------

def test_a_late_worker_defers_to_the_morning_instead_of_sending_at_night(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, hel(2026, 9, 25, 9, 0))
    result = run(rt, hel(2026, 9, 29, 23, 0))  # the worker process was down since noon
    assert (result.deferred, result.sent, result.delivered) == (1, 0, 0)
    assert by_rule(rt, event["id"])["day_before"].send_at == hel(2026, 9, 30, 8, 0)
    assert gateway.sent == []
    assert run(rt, hel(2026, 9, 30, 7, 59)).claimed == 0
    assert run(rt, hel(2026, 9, 30, 8, 0)).delivered >= 1


def test_a_reminder_that_would_only_fit_after_the_event_is_skipped(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, hel(2026, 9, 30, 9, 0), hel(2026, 9, 25, 9, 0))
    assert run(rt, hel(2026, 9, 29, 23, 0)).skipped >= 1
    row = by_rule(rt, event["id"])["day_before"]
    assert (row.state, row.reason) == (rstate.SKIPPED, "too_late")
    assert gateway.sent == []


def test_a_retry_after_a_gateway_error_waits_for_the_morning(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, hel(2026, 9, 25, 9, 0))
    gateway.fail_next.append(GatewayError("busy", code=20429, retry_after=600))
    assert run(rt, hel(2026, 9, 29, 19, 55)).retried == 1
    assert by_rule(rt, event["id"])["day_before"].send_at == hel(2026, 9, 30, 8, 0)
