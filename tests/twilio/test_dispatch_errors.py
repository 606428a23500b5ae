"""Twilio's error answers, injected at the SDK's HTTP boundary, through a real dispatch tick.

Each error is in Twilio's JSON error shape; the rest of the way (SDK exception, gateway,
dispatch, database, inbox) is the real one, and a retry goes to the Prism peer.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Client, InboxItem, Message, Reminder
from tests.conftest import Api, load, load_all
from tests.twilio.helpers import ScriptedHttpClient, messages_of, register_appointment

pytestmark = pytest.mark.prism
TWILIO_TEXT_WITH_NUMBER = "The 'To' number +358401234567 is not a valid phone number."


def _reminder(rt: Runtime, reminder_id: int) -> Reminder:
    return load(rt, Reminder, reminder_id)


def _inbox(rt: Runtime) -> list[InboxItem]:
    return load_all(rt, select(InboxItem).order_by(InboxItem.id))


@pytest.mark.parametrize("code,channel,reason,words", [
    (21211, "sms", "invalid_number", "numero ei kelpaa"),
    (21614, "sms", "not_a_mobile", "tekstiviestejä"),
    (30006, "sms", "not_a_mobile", "tekstiviestejä"),
    (21610, "sms", "unsubscribed", "estänyt"),
    (21211, "voice", "invalid_number", "numero ei kelpaa"),
])
def test_permanent_errors_fail_at_once_and_say_why(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        caplog: pytest.LogCaptureFixture,
        code: int, channel: str, reason: str, words: str) -> None:
    caplog.set_level(logging.DEBUG)
    reg = register_appointment(api, channel=channel)
    peer_http.answer_error(code, 400, TWILIO_TEXT_WITH_NUMBER)
    result = tick(twilio_rt, now=reg.due())
    assert result.failed == 1 and result.retried == 0
    reminder = _reminder(twilio_rt, reg.reminders["week_before"]["id"])
    assert (reminder.state, reminder.reason) == ("failed", reason)
    [message] = messages_of(twilio_rt, reminder.id)
    assert (message.status, message.error_code) == ("failed", code)
    [item] = _inbox(twilio_rt)
    assert item.kind == "failed" and words in item.summary
    # Twilio's own text names the number: it reaches neither the database nor the log.
    for text in (message.error_message or "", item.summary, caplog.text):
        assert "+358401234567" not in text and "0401234567" not in text
    # Nothing is tried again, however late it gets.
    tick(twilio_rt, now=reg.due() + timedelta(days=1))
    assert len(peer_http.exchanges) == 1


def test_stop_at_the_operator_opts_the_client_out(twilio_rt: Runtime,
                                                  peer_http: ScriptedHttpClient, api: Api) -> None:
    reg = register_appointment(api, channel="sms")
    peer_http.answer_error(21610)
    tick(twilio_rt, now=reg.due())
    with transaction(twilio_rt.sessions) as session:
        client = session.get(Client, reg.client_id)
        assert client.opted_out and client.opted_out_at is not None


@pytest.mark.parametrize("code,status", [(20429, 429), (30001, 400), (21611, 400), (None, 500),
                                         (None, 503)])
def test_transient_errors_are_retried_later_and_then_go_through(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api, code: int | None,
        status: int) -> None:
    reg = register_appointment(api, channel="sms")
    peer_http.answer_error(code, status, "Too many requests")
    first = tick(twilio_rt, now=reg.due())
    assert first.retried == 1
    reminder = _reminder(twilio_rt, reg.reminders["week_before"]["id"])
    assert reminder.state == "planned" and reminder.attempts == 1
    assert reminder.send_at > reg.due()
    assert _inbox(twilio_rt) == []
    # Not before its time...
    assert tick(twilio_rt, now=reminder.send_at - timedelta(seconds=1)).claimed == 0
    # ...and then through the SDK to the peer, which accepts it.
    second = tick(twilio_rt, now=reminder.send_at)
    assert second.sent == 1
    reminder = _reminder(twilio_rt, reminder.id)
    assert reminder.state == "sent" and reminder.attempts == 2
    failed, sent = messages_of(twilio_rt, reminder.id)
    assert failed.status == "failed" and failed.error_code == code
    assert sent.gateway_sid and sent.gateway_sid[:2] in ("SM", "MM")
    assert [e.scripted for e in peer_http.exchanges] == [True, False]
    assert peer_http.exchanges[1].status == 201


def test_backoff_grows_and_ends_with_the_worker_told(twilio_rt: Runtime,
                                                     peer_http: ScriptedHttpClient,
                                                     api: Api) -> None:
    reg = register_appointment(api, channel="sms")
    attempts = twilio_rt.config.max_attempts
    for _ in range(attempts):
        peer_http.answer_error(20429, 429, "Too many requests")
    now, gaps = reg.due(), []
    for _ in range(attempts):
        tick(twilio_rt, now=now)
        reminder = _reminder(twilio_rt, reg.reminders["week_before"]["id"])
        if reminder.state != "planned":
            break
        gaps.append(reminder.send_at - now)
        now = reminder.send_at
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]
    assert (reminder.state, reminder.reason, reminder.attempts) == ("failed", "gateway_error",
                                                                    attempts)
    [item] = _inbox(twilio_rt)
    assert item.kind == "failed" and str(attempts) in item.summary
    assert len(peer_http.exchanges) == attempts and not peer_http.script


def test_an_unknown_refusal_is_not_retried(twilio_rt: Runtime, peer_http: ScriptedHttpClient,
                                           api: Api) -> None:
    reg = register_appointment(api, channel="sms")
    peer_http.answer_error(21999, 400, "Something new")
    tick(twilio_rt, now=reg.due())
    reminder = _reminder(twilio_rt, reg.reminders["week_before"]["id"])
    assert reminder.state == "failed"
    [message] = messages_of(twilio_rt, reminder.id)
    assert message.error_message == "virhekoodi 21999"


def test_message_row_exists_before_the_gateway_is_asked(twilio_rt: Runtime,
                                                        peer_http: ScriptedHttpClient,
                                                        api: Api) -> None:
    """The status callback URL Twilio gets names a message the database already has."""
    reg = register_appointment(api, channel="sms")
    tick(twilio_rt, now=reg.due())
    [exchange] = peer_http.exchanges
    token = str(exchange.data["StatusCallback"]).rsplit("/", 1)[1]
    with transaction(twilio_rt.sessions) as session:
        message = session.scalars(select(Message).where(Message.callback_token == token)).one()
        assert message.reminder_id == reg.reminders["week_before"]["id"]
        assert len(token) >= 32  # unguessable
