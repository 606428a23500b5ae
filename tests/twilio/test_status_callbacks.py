"""Status callbacks, played as Twilio sends them (signed), for texts and calls.

The message is sent for real (SDK -> Prism) by a dispatch tick; its callback URL is
taken from what the SDK sent, and the callbacks are signed with RequestValidator.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Client, InboxItem, Message, Reminder
from tests.conftest import Api, load, load_all, sign, signed_post
from tests.twilio.helpers import (
    ACCOUNT_SID,
    ScriptedHttpClient,
    local_path,
    messages_of,
    register_appointment,
)

pytestmark = pytest.mark.prism


def _sent(rt: Runtime, http: ScriptedHttpClient, api: Api, channel: str,
          **client: str) -> tuple[Reminder, Message, str, datetime]:
    """Register, tick: returns the reminder, its message, the callback path and the time."""
    reg = register_appointment(api, channel=channel, **client)
    now = reg.due()
    assert tick(rt, now=now).claimed == 1
    message = messages_of(rt, reg.reminders["week_before"]["id"])[-1]
    path = local_path(str(http.exchanges[-1].data["StatusCallback"]))
    clock.freeze(now + timedelta(minutes=1))
    return _reminder(rt, message.reminder_id or 0), message, path, now


def _reminder(rt: Runtime, reminder_id: int) -> Reminder:
    return load(rt, Reminder, reminder_id)


def _message(rt: Runtime, message_id: int) -> Message:
    return load(rt, Message, message_id)


def _items(rt: Runtime) -> list[InboxItem]:
    return load_all(rt, select(InboxItem).order_by(InboxItem.id))


def _sms_status(client: FlaskClient, path: str, sid: str, status: str, code: str = "") -> int:
    params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "MessageStatus": status,
              "SmsStatus": status, "From": "+358451234567", "To": "+358401234567"}
    if code:
        params["ErrorCode"] = code
    return int(signed_post(client, path, params).status_code)


def _call_status(client: FlaskClient, path: str, sid: str, status: str,
                 answered_by: str = "", code: str = "") -> int:
    params = {"CallSid": sid, "AccountSid": ACCOUNT_SID, "CallStatus": status,
              "From": "+358451234567", "To": "+358401234567", "Direction": "outbound-api"}
    if answered_by:
        params["AnsweredBy"] = answered_by
    if code:
        params["ErrorCode"] = code
    return int(signed_post(client, path, params).status_code)


def test_text_keeps_the_furthest_status_whatever_the_order(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    reminder, message, path, _ = _sent(twilio_rt, peer_http, api, "sms")
    assert reminder.state == "sent"
    sid = message.gateway_sid or ""
    assert _sms_status(twilio_client, path, sid, "delivered") == 200
    for late in ("sent", "sending", "queued"):  # arriving after "delivered"
        assert _sms_status(twilio_client, path, sid, late) == 200
    assert _message(twilio_rt, message.id).status == "delivered"
    assert _reminder(twilio_rt, reminder.id).state == "delivered"
    assert _items(twilio_rt) == []


def test_undelivered_text_reaches_the_worker_explained_once(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    reminder, message, path, _ = _sent(twilio_rt, peer_http, api, "sms")
    sid = message.gateway_sid or ""
    assert _sms_status(twilio_client, path, sid, "sent") == 200
    assert _sms_status(twilio_client, path, sid, "undelivered", "30006") == 200
    assert _sms_status(twilio_client, path, sid, "undelivered", "30006") == 200  # a replay
    assert _sms_status(twilio_client, path, sid, "sent") == 200  # late, out of order
    row = _message(twilio_rt, message.id)
    assert (row.status, row.error_code) == ("undelivered", 30006)
    assert (_reminder(twilio_rt, reminder.id).state,
            _reminder(twilio_rt, reminder.id).reason) == ("failed", "undelivered")
    [item] = _items(twilio_rt)
    assert item.kind == "failed" and "lankapuhelin" in item.summary
    assert "käytä puhelua" in item.summary


def test_undelivered_with_stop_opts_the_client_out(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    reminder, message, path, _ = _sent(twilio_rt, peer_http, api, "sms")
    assert _sms_status(twilio_client, path, message.gateway_sid or "", "failed", "21610") == 200
    with transaction(twilio_rt.sessions) as session:
        assert session.get(Client, reminder.client_id).opted_out


def test_a_callback_settles_an_uncertain_send(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    """The request timed out, but Twilio had it: its callback tells us, and the question closes."""
    peer_http.script.append(requests.exceptions.ReadTimeout("no answer"))
    reminder, message, path, _ = _sent(twilio_rt, peer_http, api, "sms")
    assert reminder.state == "uncertain" and message.status == "unknown"
    [item] = _items(twilio_rt)
    assert item.kind == "uncertain" and item.state == "new"
    sid = "SM" + "5" * 32
    assert _sms_status(twilio_client, path, sid, "sent") == 200
    assert _reminder(twilio_rt, reminder.id).state == "sent"
    row = _message(twilio_rt, message.id)
    assert (row.status, row.gateway_sid) == ("sent", sid)
    assert _items(twilio_rt)[0].state == "handled"
    assert _sms_status(twilio_client, path, sid, "delivered") == 200
    assert _reminder(twilio_rt, reminder.id).state == "delivered"
    # A later tick does not send it again.
    tick(twilio_rt, now=clock.utcnow() + timedelta(hours=2))
    assert len([e for e in peer_http.exchanges if "Messages" in e.url]) == 1


def test_call_answered_by_a_person_is_delivered(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    reminder, message, path, _ = _sent(twilio_rt, peer_http, api, "voice")
    assert reminder.state == "sent"
    assert _call_status(twilio_client, path, message.gateway_sid or "", "completed",
                        "human") == 200
    assert _reminder(twilio_rt, reminder.id).state == "delivered"
    assert _message(twilio_rt, message.id).answered_by == "human"


def test_unanswered_calls_are_retried_then_the_worker_is_told(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    tw = twilio_rt.config.twilio
    reminder, message, path, now = _sent(twilio_rt, peer_http, api, "voice")
    outcomes = [("completed", "machine_end_beep"), ("no-answer", ""), ("busy", "")]
    assert len(outcomes) == tw.call_attempts
    sids = []
    for attempt, (status, answered_by) in enumerate(outcomes, start=1):
        sids.append(message.gateway_sid)
        assert _call_status(twilio_client, path, message.gateway_sid or "", status,
                            answered_by) == 200
        reminder = _reminder(twilio_rt, reminder.id)
        assert reminder.attempts == attempt
        if attempt == tw.call_attempts:
            break
        assert reminder.state == "planned"
        assert reminder.send_at >= clock.utcnow() + timedelta(minutes=tw.call_retry_minutes)
        assert twilio_rt.window.is_open(reminder.send_at)
        now = reminder.send_at
        assert tick(twilio_rt, now=now).sent == 1
        message = messages_of(twilio_rt, reminder.id)[-1]
        path = local_path(str(peer_http.exchanges[-1].data["StatusCallback"]))
        clock.freeze(now + timedelta(minutes=1))
    assert (reminder.state, reminder.reason) == ("failed", "not_answered")
    assert len(set(sids)) == tw.call_attempts  # three real calls, three sids
    [item] = _items(twilio_rt)
    assert item.kind == "unanswered" and f"{tw.call_attempts} yrityksellä" in item.summary
    # Nothing more is tried.
    assert tick(twilio_rt, now=now + timedelta(days=1)).claimed == 0


def test_a_call_to_a_number_that_cannot_exist_is_not_retried(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    reminder, message, path, _ = _sent(twilio_rt, peer_http, api, "voice")
    assert _call_status(twilio_client, path, message.gateway_sid or "", "failed",
                        code="13224") == 200
    reminder = _reminder(twilio_rt, reminder.id)
    assert (reminder.state, reminder.reason) == ("failed", "invalid_number")
    [item] = _items(twilio_rt)
    assert item.kind == "failed" and "numero ei kelpaa" in item.summary


def test_forged_and_unsigned_callbacks_change_nothing(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    reminder, message, path, _ = _sent(twilio_rt, peer_http, api, "sms")
    params = {"MessageSid": message.gateway_sid or "", "MessageStatus": "undelivered",
              "ErrorCode": "30006"}
    assert twilio_client.post(path, data=params).status_code == 403
    assert signed_post(twilio_client, path, params, token="someone-else").status_code == 403
    tampered = dict(params, MessageStatus="delivered")
    forged = twilio_client.post(path, data=tampered, headers={
        "X-Twilio-Signature": sign(path, params)})
    assert forged.status_code == 403
    assert _message(twilio_rt, message.id).status == message.status
    assert _reminder(twilio_rt, reminder.id).state == "sent"
    assert _items(twilio_rt) == []


def test_callback_for_an_unknown_token_is_answered_and_ignored(
        twilio_client: FlaskClient, twilio_rt: Runtime) -> None:
    assert _sms_status(twilio_client, "/twilio/status/no-such-token", "SM" + "1" * 32,
                       "delivered") == 200
    with transaction(twilio_rt.sessions) as session:
        assert session.scalars(select(Message)).first() is None


def test_delivered_after_undelivered_settles_the_reminder_and_its_item(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, api: Api,
        twilio_client: FlaskClient) -> None:
    """Operators sometimes report a success after a failure: the text did arrive."""
    reminder, message, path, _ = _sent(twilio_rt, peer_http, api, "sms")
    sid = message.gateway_sid or ""
    assert _sms_status(twilio_client, path, sid, "undelivered", "30003") == 200
    [item] = _items(twilio_rt)
    assert (item.kind, item.state) == ("failed", "new")
    assert _reminder(twilio_rt, reminder.id).state == "failed"
    assert _sms_status(twilio_client, path, sid, "delivered") == 200
    settled = _reminder(twilio_rt, reminder.id)
    assert (settled.state, settled.reason) == ("delivered", "delivered_after_all")
    [item] = _items(twilio_rt)
    assert item.state == "handled" and item.handled_at is not None
    assert _message(twilio_rt, message.id).status == "delivered"
    with transaction(twilio_rt.sessions) as session:  # no fallback left to go out
        assert session.scalars(select(Reminder).where(
            Reminder.fallback_of == reminder.id, Reminder.state == "planned")).all() == []
    assert _sms_status(twilio_client, path, sid, "undelivered", "30003") == 200  # late replay
    assert _reminder(twilio_rt, reminder.id).state == "delivered"
    assert len(_items(twilio_rt)) == 1
