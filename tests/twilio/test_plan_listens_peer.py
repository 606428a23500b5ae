"""A plan that listens, over the Twilio gateway: the real SDK to the Prism peer, Twilio's
signed callbacks and TwiML fetches, a controlled clock, on SQLite and PostgreSQL.

What Twilio says asynchronously (a status callback with an error code) is the path
the development gateway cannot play: it is tested here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.models import Client, InboxItem, Reminder
from tests.conftest import Api, load, load_all, signed_post
from tests.twilio.helpers import (
    ACCOUNT_SID,
    CLIENT_PHONE,
    OUR_NUMBER,
    Registered,
    ScriptedHttpClient,
    local_path,
    messages_of,
    parse_twiml,
    register_appointment,
    spoken,
)

pytestmark = pytest.mark.prism


def _rows(rt: Runtime, client_id: int) -> list[Reminder]:
    return load_all(rt, select(Reminder).where(Reminder.client_id == client_id,
                                               Reminder.recipient == "client")
                    .order_by(Reminder.id))


def _items(rt: Runtime, kind: str) -> list[InboxItem]:
    return load_all(rt, select(InboxItem).where(InboxItem.kind == kind))


def _second_event(api: Api, reg: Registered) -> int:
    appt = api.post("/appointments", {
        "client_id": reg.client_id, "starts_at": (reg.starts_at + timedelta(days=7)).isoformat(),
        "place": "Sosiaalitoimisto, Keskuskatu 5"})
    assert appt.status_code == 201, appt.json
    return int(appt.json["id"])


def _calls_to_twilio(http: ScriptedHttpClient, what: str) -> int:
    return len([e for e in http.exchanges if e.url.endswith(f"/{what}.json")])


def _text_failed_later(rt: Runtime, http: ScriptedHttpClient, api: Api, client: FlaskClient,
                       code: str) -> Registered:
    """A text Twilio accepted, then reported undelivered with `code` (the carrier's word)."""
    reg = register_appointment(api, channel="sms")
    _second_event(api, reg)
    assert tick(rt, now=reg.due()).sent == 1
    [message] = messages_of(rt, reg.reminders["week_before"]["id"])
    clock.freeze(reg.due() + timedelta(minutes=1))
    path = local_path(str(http.exchanges[-1].data["StatusCallback"]))
    params = {"MessageSid": message.gateway_sid or "", "AccountSid": ACCOUNT_SID,
              "MessageStatus": "undelivered", "SmsStatus": "undelivered",
              "From": OUR_NUMBER, "To": CLIENT_PHONE, "ErrorCode": code}
    for _ in range(2):  # Twilio may repeat a callback
        assert signed_post(client, path, params).status_code == 200
    return reg


def test_an_unknown_number_reported_later_stops_texts_for_every_event(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api,
        twilio_client: FlaskClient) -> None:
    reg = _text_failed_later(twilio_rt, peer_http, twilio_api, twilio_client, "30005")
    row = load(twilio_rt, Client, reg.client_id)
    assert row.phone_check_reason == "no_number" and row.sms_blocked_at is not None
    assert twilio_api.get(f"/clients/{reg.client_id}").json["phone_check"] == "no_number"
    rows = _rows(twilio_rt, reg.client_id)
    assert not [r for r in rows if r.channel == "sms" and r.state == "planned"]
    assert len({r.event_id for r in rows if r.reason == "sms_blocked"}) == 2
    [item] = _items(twilio_rt, "failed")
    assert "numeroa ei ole olemassa" in item.summary
    tick(twilio_rt, now=reg.starts_at + timedelta(days=7, hours=-4))
    assert _calls_to_twilio(peer_http, "Messages") == 1


def test_a_landline_reported_later_moves_the_client_to_calls(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api,
        twilio_client: FlaskClient) -> None:
    reg = _text_failed_later(twilio_rt, peer_http, twilio_api, twilio_client, "30006")
    row = load(twilio_rt, Client, reg.client_id)
    assert (row.number_type, row.phone_check_reason) == ("fixed_line", "no_sms")
    planned = [r for r in _rows(twilio_rt, reg.client_id) if r.state == "planned"]
    assert planned and {r.channel for r in planned} == {"voice"}
    assert len(_items(twilio_rt, "failed")) == 1
    first = min(r.send_at for r in planned)
    assert tick(twilio_rt, now=first + timedelta(seconds=1)).sent == 1
    assert _calls_to_twilio(peer_http, "Calls") == 1


def test_an_invalid_number_at_sending_is_not_tried_again(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api) -> None:
    reg = register_appointment(twilio_api, channel="sms")
    _second_event(twilio_api, reg)
    peer_http.answer_error(21211, 400)
    assert tick(twilio_rt, now=reg.due()).failed == 1
    assert load(twilio_rt, Client, reg.client_id).sms_blocked_at is not None
    for days in (3, 6, 9, 13):
        tick(twilio_rt, now=reg.due() + timedelta(days=days))
    assert _calls_to_twilio(peer_http, "Messages") == 1
    assert len(_items(twilio_rt, "failed")) == 1


def test_after_downtime_one_text_goes_not_three(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api) -> None:
    reg = register_appointment(twilio_api, channel="sms")
    result = tick(twilio_rt, now=reg.due("day_before"))
    assert (result.sent, result.skipped) == (1, 2)
    states = {r.rule_id: (r.state, r.reason) for r in _rows(twilio_rt, reg.client_id)}
    assert states["week_before"] == states["what_to_bring"] == ("skipped", "superseded")
    assert states["day_before"][0] == "sent"
    [exchange] = peer_http.exchanges
    assert exchange.url.endswith("/Messages.json") and exchange.status == 201


def _answered_call(rt: Runtime, http: ScriptedHttpClient, api: Api, client: FlaskClient
                   ) -> tuple[Registered, dict[str, Any], str]:
    """A reminder call placed through the peer, answered, its TwiML fetched."""
    reg = register_appointment(api, channel="voice")
    assert tick(rt, now=reg.due()).sent == 1
    [exchange] = http.exchanges
    [message] = messages_of(rt, reg.reminders["week_before"]["id"])
    clock.freeze(reg.due() + timedelta(seconds=40))
    call = {"CallSid": message.gateway_sid or "", "AccountSid": ACCOUNT_SID,
            "From": OUR_NUMBER, "To": CLIENT_PHONE, "CallStatus": "in-progress",
            "Direction": "outbound-api", "AnsweredBy": "human"}
    root = parse_twiml(signed_post(client, local_path(str(exchange.data["Url"])), call).data)
    assert spoken(root)[-1] == "Jos et halua puheluita, paina 3."
    return reg, call, local_path(root.find("Gather").attrib["action"])  # type: ignore[union-attr]


def test_key_2_over_twilio_declines_and_stops_the_automated_calls(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api,
        twilio_client: FlaskClient) -> None:
    reg, call, gather = _answered_call(twilio_rt, peer_http, twilio_api, twilio_client)
    ack = signed_post(twilio_client, gather, {**call, "Digits": "2"})
    assert spoken(parse_twiml(ack.data))[0] == "Kiitos. Sinulle soitetaan."
    assert twilio_api.get(f"/events/{reg.event_id}").json["state"] == "declined"
    [item] = twilio_api.get("/inbox").json["items"]
    assert (item["kind"], item["event_id"]) == ("callback", reg.event_id)
    later = {r.rule_id: (r.state, r.reason) for r in _rows(twilio_rt, reg.client_id)}
    assert later["what_to_bring"] == later["day_before"] == ("skipped", "declined")
    tick(twilio_rt, now=reg.starts_at - timedelta(hours=2))
    assert _calls_to_twilio(peer_http, "Calls") == 1


def test_key_3_twice_over_twilio_stops_the_calls(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api,
        twilio_client: FlaskClient) -> None:
    reg, call, gather = _answered_call(twilio_rt, peer_http, twilio_api, twilio_client)
    ask = parse_twiml(signed_post(twilio_client, gather, {**call, "Digits": "3"}).data)
    stop = local_path(ask.find("Gather").attrib["action"])  # type: ignore[union-attr]
    done = parse_twiml(signed_post(twilio_client, stop, {**call, "Digits": "3"}).data)
    assert "Muistutussoitot on nyt lopetettu. Työntekijäsi saa siitä tiedon." in spoken(done)
    client = twilio_api.get(f"/clients/{reg.client_id}").json
    assert client["opted_out"] is True
    [item] = twilio_api.get("/inbox").json["items"]
    assert (item["kind"], item["intent"]) == ("stop", "stop")
    tick(twilio_rt, now=reg.starts_at - timedelta(hours=2))
    assert _calls_to_twilio(peer_http, "Calls") == 1


def test_a_text_confirm_over_twilio_keeps_only_the_informational_reminder(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api,
        twilio_client: FlaskClient) -> None:
    reg = register_appointment(twilio_api, channel="sms")  # bring: henkilökortti
    assert tick(twilio_rt, now=reg.due()).sent == 1
    clock.freeze(reg.due() + timedelta(hours=1))
    reply = signed_post(twilio_client, "/twilio/sms", {
        "MessageSid": "SM" + "7" * 32, "AccountSid": ACCOUNT_SID, "From": CLIENT_PHONE,
        "To": OUR_NUMBER, "Body": "Kyllä, tulen"})
    assert reply.status_code == 200
    states = {r.rule_id: (r.state, r.reason) for r in _rows(twilio_rt, reg.client_id)}
    assert states["what_to_bring"] == ("planned", None)
    assert states["day_before"] == states["same_morning"] == ("skipped", "confirmed")
    for rule in ("what_to_bring", "day_before", "same_morning"):
        tick(twilio_rt, now=reg.due(rule))
    bodies = [str(e.data["Body"]) for e in peer_http.exchanges if e.url.endswith("/Messages.json")]
    assert len(bodies) == 2 and "henkilökortti" in bodies[1]
