"""End to end on the Twilio gateway: register -> tick -> call through the SDK to the peer ->
Twilio fetches our TwiML -> the client presses 1 -> confirmed, and the worker sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from service import clock
from service.gateways.twilio import ACCEPTED_STATUSES
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from tests.conftest import Api, signed_post
from tests.twilio.helpers import (
    ACCOUNT_SID,
    CLIENT_PHONE,
    OUR_NUMBER,
    ScriptedHttpClient,
    local_path,
    messages_of,
    parse_twiml,
    register_appointment,
    spoken,
)

pytestmark = pytest.mark.prism


def test_voice_reminder_confirmed_with_key_1(twilio_rt: Runtime, peer_http: ScriptedHttpClient,
                                             twilio_api: Api, twilio_client: FlaskClient) -> None:
    reg = register_appointment(twilio_api, channel="voice", phone="040 123 4567")
    assert reg.reminders["week_before"]["channel"] == "voice"

    result = tick(twilio_rt, now=reg.due())
    assert (result.claimed, result.sent) == (1, 1)
    [exchange] = peer_http.exchanges
    assert exchange.url.endswith(f"/Accounts/{ACCOUNT_SID}/Calls.json") and exchange.status == 201
    assert (exchange.data["To"], exchange.data["From"]) == (CLIENT_PHONE, OUR_NUMBER)
    reminders = {r["rule"]: r for r in
                 twilio_api.get(f"/reminders?client_id={reg.client_id}").json["reminders"]}
    assert reminders["week_before"]["state"] == "sent"
    [call_message] = messages_of(twilio_rt, reminders["week_before"]["id"])
    call_sid = call_message.gateway_sid or ""
    assert call_sid.startswith("CA") and call_message.status in ACCEPTED_STATUSES

    # Twilio calls the client, who answers; it fetches our TwiML (signed, as Twilio does).
    clock.freeze(reg.due() + timedelta(seconds=40))
    call = {"CallSid": call_sid, "AccountSid": ACCOUNT_SID, "From": OUR_NUMBER,
            "To": CLIENT_PHONE, "CallStatus": "in-progress", "Direction": "outbound-api",
            "AnsweredBy": "human"}
    twiml = signed_post(twilio_client, local_path(str(exchange.data["Url"])), call)
    assert twiml.status_code == 200
    root = parse_twiml(twiml.data)
    assert any("Keskuskatu 5" in s for s in spoken(root))
    action = root.find("Gather").attrib["action"]  # type: ignore[union-attr]

    # The client presses 1.
    ack = signed_post(twilio_client, local_path(action), {**call, "Digits": "1"})
    assert ack.status_code == 200 and spoken(parse_twiml(ack.data))[0].startswith("Kiitos")

    assert twilio_api.get(f"/events/{reg.event_id}").json["state"] == "confirmed"
    inbox = twilio_api.get("/inbox").json["items"]
    assert len(inbox) == 1
    assert (inbox[0]["intent"], inbox[0]["client_id"], inbox[0]["event_id"]) == (
        "confirm", reg.client_id, reg.event_id)
    # A key pressed means a person heard it, whatever comes in the final status.
    reminders = {r["rule"]: r for r in
                 twilio_api.get(f"/reminders?client_id={reg.client_id}").json["reminders"]}
    assert reminders["week_before"]["state"] == "delivered"
    status = signed_post(twilio_client, local_path(str(exchange.data["StatusCallback"])),
                         {**call, "CallStatus": "completed", "CallDuration": "41"})
    assert status.status_code == 200
    reminders = {r["rule"]: r for r in
                 twilio_api.get(f"/reminders?client_id={reg.client_id}").json["reminders"]}
    assert reminders["week_before"]["state"] == "delivered"
    messages = twilio_api.get(f"/messages?client_id={reg.client_id}").json["messages"]
    assert [(m["direction"], m["channel"]) for m in messages] == [("out", "voice"),
                                                                 ("in", "voice")]
    # The day-before reminder waits on an answer: it is not placed.
    tick(twilio_rt, now=reg.due("day_before"))
    reminders = {r["rule"]: r for r in
                 twilio_api.get(f"/reminders?client_id={reg.client_id}").json["reminders"]}
    assert (reminders["day_before"]["state"], reminders["day_before"]["reason"]) == (
        "skipped", "confirmed")  # skipped when the answer came
