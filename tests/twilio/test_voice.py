"""The reminder call's TwiML and key presses, played as Twilio requests them (signed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from service import clock
from service.app import create_app
from service.config import Config
from service.domain.calendar.dates import spoken_datetime
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime, build_runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Event, InboxItem, Message
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE_URL, Api, load_all, sign, signed_post
from tests.twilio.helpers import (
    ACCOUNT_SID,
    Registered,
    local_path,
    parse_twiml,
    register_appointment,
    spoken,
)

CALL_SID = "CA" + "7" * 32
VOICES = {"fi": ("fi-FI", "Polly.Suvi-Neural"), "selko": ("fi-FI", "Polly.Suvi-Neural"),
          "sv": ("sv-SE", "Polly.Elin-Neural"), "en": ("en-GB", "Polly.Amy-Neural")}


def _call(api: Api, rt: Runtime, gateway: DevelopmentGateway, language: str = "fi",
          **client: Any) -> tuple[Registered, str]:
    """A voice reminder placed by a dispatch tick; returns the TwiML path Twilio would fetch."""
    reg = register_appointment(api, channel="voice", language=language, **client)
    assert tick(rt, now=reg.due()).claimed == 1
    kind, _, twiml_url = gateway.sent[-1]
    assert kind == "voice"
    clock.freeze(reg.due() + timedelta(seconds=30))
    return reg, local_path(twiml_url)


def _call_params(**extra: str) -> dict[str, str]:
    return {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "From": "+358451234567",
            "To": "+358401234567", "CallStatus": "in-progress", "Direction": "outbound-api",
            "AnsweredBy": "human", **extra}


def _fetch(client: FlaskClient, path: str, **extra: str) -> ET.Element:
    response = signed_post(client, path, _call_params(**extra))
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return parse_twiml(response.data)


def _press(client: FlaskClient, gather_path: str, digits: str) -> ET.Element:
    return _fetch(client, gather_path, Digits=digits, FinishedOnKey="")


def _gather_path(root: ET.Element) -> str:
    gather = root.find("Gather")
    assert gather is not None
    return local_path(gather.attrib["action"])


def _inbox(rt: Runtime) -> list[InboxItem]:
    return load_all(rt, select(InboxItem).order_by(InboxItem.id))


def _event_state(rt: Runtime, event_id: int) -> str:
    with transaction(rt.sessions) as session:
        event = session.get(Event, event_id)
        assert event is not None
        return event.state


@pytest.mark.parametrize("language", ["fi", "sv", "en", "selko"])
def test_the_reminder_is_spoken_in_the_clients_language(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway,
        language: str) -> None:
    reg, path = _call(api, rt, gateway, language)
    root = _fetch(client, path)
    gather = root.find("Gather")
    assert gather is not None
    token = path.rsplit("/", 1)[1]
    assert gather.attrib == {"input": "dtmf", "numDigits": "1", "method": "POST",
                             "action": f"{PUBLIC_BASE_URL}/twilio/voice/{token}/gather",
                             "timeout": gather.attrib["timeout"]}
    says = list(root.iter("Say"))
    assert says and all((s.attrib["language"], s.attrib["voice"]) == VOICES[language]
                        for s in says)
    assert all(s.find("prosody") is not None and s.find("prosody").attrib["rate"] == "90%"
               for s in says)
    sentences = spoken(root)
    lang = "fi" if language == "selko" else language
    when = spoken_datetime(reg.starts_at, lang, rt.config.tz)  # type: ignore[arg-type]
    assert any(when in s for s in sentences), (when, sentences)
    assert any("Keskuskatu 5" in s for s in sentences)
    assert any("9" in s for s in sentences)  # the key menu is part of the reminder
    # a pause between sentences
    assert len(list(says[0].iter("break"))) == len(list(says[0].iter("s"))) - 1


def test_finnish_dates_are_written_for_the_voice(api: Api, client: FlaskClient, rt: Runtime,
                                                 gateway: DevelopmentGateway) -> None:
    _, path = _call(api, rt, gateway, "fi")
    text = " ".join(spoken(_fetch(client, path)))
    assert "kello" in text and "klo" not in text
    assert any(month in text for month in ("kuuta",))


def test_the_configured_voice_is_used(config: Config, engine: Engine, api: Api,
                                      gateway: DevelopmentGateway) -> None:
    cfg = replace(config, database_url=str(engine.url),
                  twilio=replace(config.twilio, voice_fi="Google.fi-FI-Wavenet-B"))
    rt = build_runtime(cfg, engine=engine, gateway=gateway)
    client = create_app(runtime=rt, TESTING=True, SECRET_KEY="x").test_client()
    _, path = _call(api, rt, gateway, "fi")
    assert {s.attrib["voice"] for s in _fetch(client, path).iter("Say")} == {
        "Google.fi-FI-Wavenet-B"}


def test_no_key_repeats_once_then_says_goodbye(api: Api, client: FlaskClient, rt: Runtime,
                                               gateway: DevelopmentGateway) -> None:
    _, path = _call(api, rt, gateway)
    first = _fetch(client, path)
    redirect = first.find("Redirect")
    assert redirect is not None and redirect.attrib["method"] == "POST"
    assert first.find("Hangup") is None
    second = _fetch(client, local_path(redirect.text or ""))
    assert second.find("Redirect") is None and second.find("Gather") is not None
    assert [child.tag for child in second][-2:] == ["Say", "Hangup"]
    assert spoken(second)[:len(spoken(first))] == spoken(first)  # the same reminder again
    goodbye = spoken(second)[len(spoken(first)):]
    # The team's number in its groups, said twice.
    assert goodbye[-1] == "Näkemiin."
    assert sum("0 4 0, 1 1 1, 1 1 1 1" in line for line in goodbye) == 2


def test_twiml_holds_nothing_personal_beyond_the_reminder(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    _, path = _call(api, rt, gateway, name="Matti Mäkinen", phone="040 123 4567")
    body = signed_post(client, path, _call_params()).data.decode()
    for personal in ("Matti", "Mäkinen", "123 4567", "1234567", "+35840"):
        assert personal not in body
    with transaction(rt.sessions) as session:
        message = session.scalars(select(Message).where(Message.direction == "out")).one()
        reminder_lines = {line.strip() for line in (message.body or "").splitlines()}
    goodbye = {"Jos haluat, soita numeroon 0 4 0, 1 1 1, 1 1 1 1.",
               "Numero uudelleen: 0 4 0, 1 1 1, 1 1 1 1.", "Näkemiin."}
    assert set(spoken(parse_twiml(body.encode()))) <= reminder_lines | goodbye
    token = path.rsplit("/", 1)[1]
    assert body.count(token) == 2  # in the gather action and the redirect only


def test_key_1_confirms_like_a_text_reply_once(api: Api, client: FlaskClient, rt: Runtime,
                                               gateway: DevelopmentGateway) -> None:
    reg, path = _call(api, rt, gateway)
    gather_path = _gather_path(_fetch(client, path))
    ack = _press(client, gather_path, "1")
    assert [child.tag for child in ack] == ["Say", "Hangup"]
    assert spoken(ack)[0].startswith("Kiitos")
    assert _event_state(rt, reg.event_id) == "confirmed"
    again = _press(client, gather_path, "1")  # Twilio retried the same request
    assert spoken(again) == spoken(ack)
    [item] = _inbox(rt)
    assert (item.kind, item.intent, item.client_id) == ("reply", "confirm", reg.client_id)
    with transaction(rt.sessions) as session:
        reply = session.get(Message, item.message_id)
        assert (reply.direction, reply.channel, reply.intent) == ("in", "voice", "confirm")
        assert reply.gateway_sid == f"{CALL_SID}:1"
    inbox = api.get("/inbox").json["items"]
    assert inbox[0]["intent"] == "confirm" and inbox[0]["body"] == "Näppäin 1"


def test_key_2_asks_the_worker_to_call(api: Api, client: FlaskClient, rt: Runtime,
                                       gateway: DevelopmentGateway) -> None:
    reg, path = _call(api, rt, gateway, "sv")
    ack = _press(client, _gather_path(_fetch(client, path)), "2")
    assert spoken(ack) == ["Tack. Vi ringer dig.", "Hej då."]
    [item] = _inbox(rt)
    assert (item.kind, item.intent) == ("callback", "callback")
    assert _event_state(rt, reg.event_id) == "declined"  # "I can't come, or call me"


def test_key_9_repeats_and_records_nothing(api: Api, client: FlaskClient, rt: Runtime,
                                           gateway: DevelopmentGateway) -> None:
    _, path = _call(api, rt, gateway)
    first = _fetch(client, path)
    again = _press(client, _gather_path(first), "9")
    assert again.find("Gather") is not None and spoken(again) == spoken(first)
    assert _inbox(rt) == []


def test_another_key_says_so_and_offers_the_keys_again(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    _, path = _call(api, rt, gateway)
    first = _fetch(client, path)
    root = _press(client, _gather_path(first), "5")
    sentences = spoken(root)
    assert sentences[0] == "Tätä näppäintä ei voi käyttää."
    assert sentences[1:len(spoken(first)) + 1] == spoken(first)
    assert root.find("Gather") is not None and root.find("Hangup") is not None
    assert _inbox(rt) == []


@pytest.mark.parametrize("answered_by", ["machine_start", "machine_end_beep", "fax"])
def test_a_machine_hears_nothing(api: Api, client: FlaskClient, rt: Runtime,
                                 gateway: DevelopmentGateway, answered_by: str) -> None:
    _, path = _call(api, rt, gateway)
    root = _fetch(client, path, AnsweredBy=answered_by)
    assert [child.tag for child in root] == ["Hangup"]
    with transaction(rt.sessions) as session:
        message = session.scalars(select(Message).where(Message.direction == "out")).one()
        assert message.answered_by == answered_by


def test_a_cancelled_appointment_is_not_spoken(api: Api, client: FlaskClient, rt: Runtime,
                                               gateway: DevelopmentGateway) -> None:
    reg, path = _call(api, rt, gateway)
    assert api.post(f"/events/{reg.event_id}/cancel").status_code == 200
    assert [child.tag for child in _fetch(client, path)] == ["Hangup"]


def test_unknown_token_hangs_up(client: FlaskClient) -> None:
    assert [c.tag for c in _fetch(client, "/twilio/voice/no-such-token")] == ["Hangup"]
    assert [c.tag for c in _press(client, "/twilio/voice/no-such-token/gather", "1")] == [
        "Hangup"]


def test_a_call_to_our_number_is_put_through_to_the_team(
        api: Api, client: FlaskClient, rt: Runtime) -> None:
    api.post("/clients", {"name": "Greta", "phone": "050 765 4321", "language": "sv"})
    root = _fetch(client, "/twilio/voice/incoming", From="+358507654321", To="+358451234567",
                  Direction="inbound")
    assert [c.tag for c in root] == ["Say", "Dial"]
    assert root.find("Say").attrib["language"] == "sv-SE"
    assert root.find("Dial").text == "+358401111111"  # team.phone in E.164
    unknown = _fetch(client, "/twilio/voice/incoming", From="+358409999999")
    assert unknown.find("Say").attrib["language"] == "fi-FI"


def test_every_twilio_endpoint_refuses_unsigned_and_forged_requests(app: Flask,
                                                                    client: FlaskClient) -> None:
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/twilio/")]
    assert len(rules) >= 5
    for rule in rules:
        path = rule.rule.replace("<token:token>", "some-token").replace("<token>", "some-token")
        params = _call_params(Digits="1")
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            assert client.open(path, method=method, data=params).status_code == 403, path
            forged = client.open(path, method=method, data=params,
                                 headers={"X-Twilio-Signature": sign(path, params, "wrong")})
            assert forged.status_code == 403, path


def test_signature_is_checked_against_the_public_url_behind_a_proxy(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    """The proxy forwards to http://10.0.0.7:8000; Twilio signed the public https URL."""
    _, path = _call(api, rt, gateway)
    params = _call_params()
    internal = {"base_url": "http://10.0.0.7:8000",
                "headers": {"X-Forwarded-Proto": "https",
                            "X-Forwarded-Host": "rinnalla.example.fi"}}
    good = client.post(path, data=params, base_url=internal["base_url"],
                       headers={**internal["headers"], "X-Twilio-Signature": sign(path, params)})
    assert good.status_code == 200
    from twilio.request_validator import RequestValidator

    for_internal = RequestValidator(AUTH_TOKEN).compute_signature(
        "http://10.0.0.7:8000" + path, params)
    bad = client.post(path, data=params, base_url=internal["base_url"],
                      headers={**internal["headers"], "X-Twilio-Signature": for_internal})
    assert bad.status_code == 403


def test_the_query_string_is_part_of_the_signature(api: Api, client: FlaskClient, rt: Runtime,
                                                   gateway: DevelopmentGateway) -> None:
    _, path = _call(api, rt, gateway)
    params = _call_params()
    signed_without_query = sign(path, params)
    response = client.post(path + "?round=2", data=params,
                           headers={"X-Twilio-Signature": signed_without_query})
    assert response.status_code == 403
    assert signed_post(client, path + "?round=2", params).status_code == 200
