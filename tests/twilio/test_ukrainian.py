"""Ukrainian end to end over the Twilio peer (issue 14, part 4): a language added as files
only. A call in the Ukrainian voice whose keys come after their conditions and whose menu
is said twice, answered with key 1; a text in Cyrillic (UCS-2, its segments counted),
answered with an exact word, and free text that goes to a person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from service import clock
from service.domain.calendar import dates
from service.domain.texts.sms import analyse_sms
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from tests.conftest import Api, signed_post
from tests.reach import sms_reply
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


def test_a_ukrainian_call_is_spoken_in_ukrainian_and_answered_with_a_key(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api,
        twilio_client: FlaskClient) -> None:
    reg = register_appointment(twilio_api, channel="voice", language="uk")
    assert tick(twilio_rt, now=reg.due()).sent == 1
    [exchange] = peer_http.exchanges
    assert exchange.url.endswith("/Calls.json") and exchange.status == 201
    clock.freeze(reg.due() + timedelta(seconds=30))
    [call_message] = messages_of(twilio_rt, reg.reminders["week_before"]["id"])
    call = {"CallSid": call_message.gateway_sid or "", "AccountSid": ACCOUNT_SID,
            "From": OUR_NUMBER, "To": CLIENT_PHONE, "CallStatus": "in-progress",
            "Direction": "outbound-api", "AnsweredBy": "human"}
    root = parse_twiml(signed_post(twilio_client, local_path(str(exchange.data["Url"])),
                                   call).data)
    says = list(root.iter("Say"))
    assert {(s.attrib["language"], s.attrib["voice"]) for s in says} == {
        ("uk-UA", "Google.uk-UA-Standard-A")}
    sentences = spoken(root)
    assert sentences[0] == "Це Sosiaalitoimi, автоматичне нагадування."
    when = dates.spoken_datetime(reg.starts_at, "uk")
    assert sentences[1] == f"У вас зустріч {when}."
    assert when.startswith("у ") and "ого " in when and " о " in when  # ordinals in words
    # The condition before the key, and the menu once more at the end.
    assert sentences.count("Якщо прийдете, натисніть 1.") == 2
    assert sentences.count("Якщо ні, натисніть 2.") == 2
    assert not any("Keskuskatu" in s for s in sentences[3:])  # the words are said once
    action = root.find("Gather").attrib["action"]  # type: ignore[union-attr]
    ack = signed_post(twilio_client, local_path(action), {**call, "Digits": "1"})
    assert spoken(parse_twiml(ack.data)) == ["Дякуємо. Вашу відповідь збережено.",
                                             "До побачення."]
    assert twilio_api.get(f"/events/{reg.event_id}").json["state"] == "confirmed"


def test_a_ukrainian_text_costs_ucs2_segments_and_an_exact_word_answers_it(
        twilio_rt: Runtime, peer_http: ScriptedHttpClient, twilio_api: Api,
        twilio_client: FlaskClient) -> None:
    reg = register_appointment(twilio_api, channel="sms", language="uk")
    planned = reg.reminders["week_before"]
    cost = analyse_sms(planned["text"])
    assert (planned["channel"], cost.encoding) == ("sms", "UCS-2") and 2 <= cost.segments <= 3
    assert tick(twilio_rt, now=reg.due()).sent == 1
    [exchange] = peer_http.exchanges
    assert exchange.url.endswith("/Messages.json") and exchange.status == 201
    body = str(exchange.data["Body"])
    assert body.splitlines()[0].startswith("Sosiaalitoimi: нагадування про зустріч")
    assert "Відповідь 1 = прийду, 2 = не можу." in body and "Телефон: 040 111 1111" in body
    assert body == planned["text"]

    later = reg.due() + timedelta(minutes=5)
    sms_reply(twilio_client, CLIENT_PHONE, "Так, я буду, але трохи запізнюся", later)
    assert twilio_api.get(f"/events/{reg.event_id}").json["state"] == "planned"
    sms_reply(twilio_client, CLIENT_PHONE, "так", later + timedelta(minutes=1))
    assert twilio_api.get(f"/events/{reg.event_id}").json["state"] == "confirmed"
    intents = [item["intent"] for item in twilio_api.get("/inbox").json["items"]]
    assert sorted(intents) == ["confirm", "unknown"]
