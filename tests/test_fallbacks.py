"""Fallback paths end to end: the real schedule, the development gateway, a controlled clock.

The appointment is on Wednesday 30 September 2026 at 10.30, registered five days
before. schedules/appointment.toml: the day-before reminder on Tuesday at 12.00;
no answer in 2 h -> a call; the call unanswered after every try -> a text; nothing
has worked by 15.30 -> a task "call the client" in the worker's inbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient

from service.domain.planning import fallbacks
from service.domain.planning import reminder_states as rstate
from service.gateways.base import GatewayError
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Reminder
from tests.conftest import Api
from tests.reach import (
    SECOND,
    by_rule,
    call_status,
    hel,
    inbox,
    last_message,
    new_appointment,
    new_client,
    reminders,
    run,
    sms_reply,
)

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 25, 9, 0)  # too close for the week-before reminder
DAY_BEFORE = hel(2026, 9, 29, 12, 0)


def _unanswered_calls(rt: Runtime, client: FlaskClient, first: datetime,
                      attempts: int = 3) -> None:
    """Let every try of the current call ring out; each retry is planned 30 min later."""
    at = first
    for attempt in range(attempts):
        result = run(rt, at)
        assert result.sent == 1, (attempt, result)
        message = last_message(rt, "voice")
        call_status(client, message, "no-answer", at + 40 * SECOND)
        with transaction(rt.sessions) as session:
            reminder = session.get(Reminder, message.reminder_id)
            assert reminder is not None
            if attempt < attempts - 1:
                assert reminder.state == rstate.PLANNED
                assert reminder.send_at == at + 40 * SECOND + timedelta(minutes=30)
            at = reminder.send_at


def test_unconfirmed_text_then_call_then_text_then_worker_task(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    gateway.call_status = "queued"  # like Twilio: the call's outcome comes by callback

    assert run(rt, DAY_BEFORE + SECOND).delivered == 1
    assert gateway.sent[-1][0] == "sms" and "Keskuskatu 5" in gateway.sent[-1][2]
    call = by_rule(rt, event["id"])["day_before_call"]
    assert call.state == rstate.PLANNED and call.channel == "voice"
    assert call.send_at == (DAY_BEFORE + timedelta(hours=2) + SECOND)
    assert call.fallback_of == by_rule(rt, event["id"])["day_before"].id

    # Nothing before the wait is over.
    assert run(rt, DAY_BEFORE + timedelta(hours=1)).claimed == 0
    _unanswered_calls(rt, client, call.send_at)
    rows = by_rule(rt, event["id"])
    assert rows["day_before_call"].state == rstate.FAILED
    assert rows["day_before_call"].reason == "not_answered"
    assert rows["day_before_call"].attempts == 3
    assert [i.kind for i in inbox(rt, "unanswered")] == ["unanswered"]

    text = rows["day_before_call_text"]
    assert text.channel == "sms" and text.state == rstate.PLANNED
    result = run(rt, text.send_at)
    assert result.delivered == 1
    assert [kind for kind, _, _ in gateway.sent] == ["sms", "voice", "voice", "voice", "sms"]

    # 15.30: nothing has worked -> the worker is asked to call.
    assert run(rt, hel(2026, 9, 29, 15, 30) + SECOND).tasks == 1
    task = inbox(rt, "task")[0]
    assert "Matti Mäkinen" in task.summary and "Soita asiakkaalle" in task.summary
    assert task.event_id == event["id"]


def test_an_answer_before_the_wait_stops_the_call_and_the_task(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, DAY_BEFORE + SECOND)
    sms_reply(client, "+358401234567", "kylla tulen", DAY_BEFORE + timedelta(minutes=30))

    # The confirm itself skips what waited for it (domain/planning/answers.py).
    rows = by_rule(rt, event["id"])
    for rule in ("day_before_call", "call_the_client", "same_morning"):
        assert (rows[rule].state, rows[rule].reason) == (rstate.SKIPPED, "confirmed"), rule
    result = run(rt, DAY_BEFORE + timedelta(hours=2, seconds=2))
    assert (result.claimed, result.sent, result.delivered) == (0, 0, 0)
    assert run(rt, hel(2026, 9, 29, 15, 31)).tasks == 0
    assert [kind for kind, _, _ in gateway.sent] == ["sms"]
    assert inbox(rt, "task") == []


def test_a_client_who_prefers_calls_gets_a_text_when_calls_go_unanswered(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api, channel="voice")
    event = new_appointment(api, cid, STARTS, REGISTERED)
    gateway.call_status = "queued"
    _unanswered_calls(rt, client, DAY_BEFORE + SECOND)
    rows = by_rule(rt, event["id"])
    assert rows["day_before"].channel == "voice" and rows["day_before"].state == rstate.FAILED
    assert "day_before_call" not in rows  # a call backing up a call would help nobody
    assert rows["day_before_text"].channel == "sms"
    assert run(rt, rows["day_before_text"].send_at).delivered == 1
    assert gateway.sent[-1][0] == "sms" and gateway.sent[-1][1] == "+358401234567"


def test_a_landline_gets_no_text_only_the_worker_task(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api, phone="014 123 4567")
    event = new_appointment(api, cid, STARTS, REGISTERED)
    gateway.call_status = "queued"
    _unanswered_calls(rt, client, DAY_BEFORE + SECOND)
    rows = by_rule(rt, event["id"])
    assert rows["day_before"].channel == "voice"
    assert not {"day_before_text", "day_before_call", "day_before_call_text"} & set(rows)
    assert run(rt, hel(2026, 9, 29, 15, 31)).tasks == 1
    assert {kind for kind, _, _ in gateway.sent} == {"voice"}


def test_a_client_who_chose_texts_only_is_never_called(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api, channel="sms")
    event = new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, DAY_BEFORE + SECOND)
    assert "day_before_call" not in by_rule(rt, event["id"])
    assert run(rt, hel(2026, 9, 29, 15, 31)).tasks == 1
    assert {kind for kind, _, _ in gateway.sent} == {"sms"}


def test_a_text_that_cannot_be_delivered_is_followed_by_a_call_at_once(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    gateway.fail_next.append(GatewayError("not a mobile", code=21614, permanent=True))
    assert run(rt, DAY_BEFORE + SECOND).failed == 1
    call = by_rule(rt, event["id"])["day_before_call"]
    assert call.send_at == DAY_BEFORE + SECOND  # no point waiting for an answer
    assert run(rt, DAY_BEFORE + 2 * SECOND).delivered == 1
    assert gateway.sent[-1][0] == "voice"


def test_a_fallback_never_goes_at_night_and_never_too_late(rt: Runtime, api: Api) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, hel(2026, 9, 30, 9, 30), REGISTERED)
    original = by_rule(rt, event["id"])["day_before"]
    with transaction(rt.sessions) as session:
        row = session.get(Reminder, original.id)
        assert row is not None
        row.state, row.sent_at = rstate.SENT, hel(2026, 9, 29, 19, 30)
        made = fallbacks.after_sent(session, rt, row, hel(2026, 9, 29, 19, 30))
        assert [r.rule_id for r in made] == ["day_before_call"]
        assert made[0].send_at == hel(2026, 9, 30, 8, 0)  # 21.30 is night: next morning
        assert made[0].latest_at == hel(2026, 9, 30, 7, 30)  # 2 h before the appointment
        assert made[0].state == rstate.SKIPPED and made[0].reason == "too_late"
        # Asked again (a second attempt of the same original): nothing new.
        assert fallbacks.after_sent(session, rt, row, hel(2026, 9, 29, 19, 31)) == []


def test_trusted_persons_reminders_get_no_fallbacks(api: Api, rt: Runtime) -> None:
    cid = new_client(api)
    r = api.post(f"/clients/{cid}/trusted-persons", {
        "name": "Liisa Mäkinen", "phone": "050 765 4321", "consent_method": "in_person"})
    assert r.status_code == 201
    event = new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, DAY_BEFORE + SECOND)
    rows = reminders(rt, event["id"])
    assert [r.rule_id for r in rows if r.fallback_of is not None] == ["day_before_call"]
    assert {r.recipient for r in rows if r.rule_id == "day_before"} == {"client", "trusted"}


@pytest.mark.parametrize(("rule_channel", "number_type", "preference", "expected"), [
    ("voice", "mobile", "auto", "voice"),
    ("voice", "mobile", "voice", "voice"),
    ("voice", "mobile", "sms", None),
    ("voice", "fixed_line", "auto", "voice"),
    ("sms", "mobile", "auto", "sms"),
    ("sms", "mobile", "voice", "sms"),
    ("sms", "fixed_line", "auto", None),
    ("sms", "other", "voice", None),
    ("task", "fixed_line", "sms", "task"),
    ("auto", "mobile", "auto", None),
])
def test_fallback_channel(rule_channel: str, number_type: str, preference: str,
                          expected: str | None) -> None:
    assert fallbacks.fallback_channel(rule_channel, number_type, preference) == expected
