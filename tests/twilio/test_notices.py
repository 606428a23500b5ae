"""Rescheduling and cancellation notices on the Twilio gateway: through the twilio SDK to
the Twilio peer, with the exact form data the SDK sent, and the call's TwiML fetched back
as Twilio would."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from service import clock
from service.runtime import Runtime
from tests.conftest import Api, signed_post
from tests.reach import hel, new_appointment, new_client
from tests.twilio.helpers import (
    ACCOUNT_SID,
    OUR_NUMBER,
    ScriptedHttpClient,
    local_path,
    parse_twiml,
    spoken,
)

pytestmark = pytest.mark.prism

STARTS = hel(2026, 9, 30, 10, 30)
MOVED_TO = hel(2026, 10, 2, 13, 15)
REGISTERED = hel(2026, 9, 21, 9, 0)
DAYTIME = hel(2026, 9, 22, 10, 0)


def test_a_moved_time_is_texted_through_twilio(twilio_api: Api, twilio_rt: Runtime,
                                               peer_http: ScriptedHttpClient) -> None:
    cid = new_client(twilio_api)
    event = new_appointment(twilio_api, cid, STARTS, REGISTERED)
    clock.freeze(DAYTIME)
    r = twilio_api.client.patch(f"/api/v1/events/{event['id']}", headers=twilio_api.headers,
                                json={"starts_at": MOVED_TO.isoformat(), "notify_client": True})
    assert r.status_code == 200 and r.json["notice"]["sent"] is True
    [exchange] = peer_http.exchanges
    assert exchange.url.endswith(f"/Accounts/{ACCOUNT_SID}/Messages.json")
    assert exchange.status == 201 and not exchange.scripted
    assert (exchange.data["To"], exchange.data["From"]) == ("+358401234567", OUR_NUMBER)
    body = str(exchange.data["Body"])
    assert "siirtynyt" in body and "pe 2.10. klo 13.15" in body and "ke 30.9. klo 10.30" in body
    [message] = twilio_api.get(f"/messages?client_id={cid}").json["messages"]
    assert re.fullmatch(r"(SM|MM)[0-9a-fA-F]{32}", message["gateway_sid"]), message
    assert message["body"] == body.strip(), (message["body"], body)


def test_a_cancellation_is_called_to_a_landline_through_twilio(
        twilio_api: Api, twilio_rt: Runtime, twilio_client: FlaskClient,
        peer_http: ScriptedHttpClient) -> None:
    cid = new_client(twilio_api, phone="014 123 4567")
    event = new_appointment(twilio_api, cid, STARTS, REGISTERED)
    clock.freeze(DAYTIME)
    r = twilio_api.post(f"/events/{event['id']}/cancel", {"notify_client": True})
    assert r.status_code == 200 and r.json["notice"]["channel"] == "voice"
    [exchange] = peer_http.exchanges
    assert exchange.url.endswith(f"/Accounts/{ACCOUNT_SID}/Calls.json")
    assert exchange.status == 201 and exchange.data["To"] == "+358141234567"
    [message] = twilio_api.get(f"/messages?client_id={cid}").json["messages"]
    assert message["gateway_sid"].startswith("CA") and message["channel"] == "voice"

    call = {"CallSid": message["gateway_sid"], "AccountSid": ACCOUNT_SID, "From": OUR_NUMBER,
            "To": "+358141234567", "CallStatus": "in-progress", "Direction": "outbound-api",
            "AnsweredBy": "human"}
    twiml = signed_post(twilio_client, local_path(str(exchange.data["Url"])), call)
    assert twiml.status_code == 200
    said = spoken(parse_twiml(twiml.data))
    assert "automaattinen viesti" in said[0]
    assert any("keskiviikkona 30. syyskuuta kello 10 30 on peruttu" in s for s in said)
    status = signed_post(twilio_client, local_path(str(exchange.data["StatusCallback"])),
                         {**call, "CallStatus": "completed", "CallDuration": "25"})
    assert status.status_code == 200
    [message] = twilio_api.get(f"/messages?client_id={cid}").json["messages"]
    assert message["status"] == "completed"
