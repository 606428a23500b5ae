"""Telling the client about a new time or a cancellation, through the JSON API, end to end.

With a controlled clock, the real app, the real dispatch pass and the development
gateway, on each database: PATCH /events/<id> with notify_client plans the reminders
again and tells the client by their channel (a text to a mobile, a call to a landline),
in their sending window; cancel with notify_client does the same; nothing goes to a
client who has opted out, and nothing without notify_client.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.domain.messages.outbound import new_outbound_message
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Message
from service.store.states import MessageStatus
from tests.conftest import Api, load_all, signed_post
from tests.reach import SECOND, hel, new_appointment, new_client, reminders, run, sms_reply
from tests.twilio.helpers import local_path, parse_twiml, spoken

STARTS = hel(2026, 9, 30, 10, 30)  # ke 30.9. klo 10.30
MOVED_TO = hel(2026, 10, 2, 13, 15)  # pe 2.10. klo 13.15
REGISTERED = hel(2026, 9, 21, 9, 0)
DAYTIME = hel(2026, 9, 22, 10, 0)  # a Tuesday morning, inside the window
LANDLINE = "014 123 4567"


def _patch(api: Api, event_id: int, at: Any, **body: Any) -> Any:
    clock.freeze(at)
    r = api.client.patch(f"/api/v1/events/{event_id}", json=body, headers=api.headers)
    assert r.status_code == 200, r.json
    return r.json


def _notices(rt: Runtime) -> list[Message]:
    return load_all(rt, select(Message).where(Message.direction == "out",
                                              Message.reminder_id.is_(None))
                    .order_by(Message.id))


def _speak(client: FlaskClient, twiml_url: str) -> list[str]:
    """What Twilio hears when it fetches the call's TwiML (signed, a person answering)."""
    r = signed_post(client, local_path(twiml_url), {
        "CallSid": "CA" + "5" * 32, "AccountSid": "AC" + "0" * 32, "From": "+358451234567",
        "To": "+358141234567", "CallStatus": "in-progress", "AnsweredBy": "human"})
    assert r.status_code == 200
    root: ET.Element = parse_twiml(r.data)
    return spoken(root)


def test_patch_with_notify_texts_the_move_and_plans_again(api: Api, rt: Runtime,
                                                          gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    before = {r.id for r in reminders(rt, event["id"]) if r.state == "planned"}
    assert before

    body = _patch(api, event["id"], DAYTIME, starts_at=MOVED_TO.isoformat(),
                  notify_client=True)
    assert datetime.fromisoformat(body["starts_at"]) == MOVED_TO
    assert datetime.fromisoformat(body["previous_starts_at"]) == STARTS
    assert body["notice"]["channel"] == "sms" and body["notice"]["sent"] is True
    [(kind, to, text)] = gateway.sent
    assert (kind, to) == ("sms", "+358401234567")
    assert "siirtynyt" in text and "pe 2.10. klo 13.15" in text and "ke 30.9. klo 10.30" in text
    # The old plan is cancelled as rescheduled, a new one is planned for the new time.
    rows = reminders(rt, event["id"])
    assert {r.state for r in rows if r.id in before} == {"cancelled"}
    assert {r.reason for r in rows if r.id in before} == {"rescheduled"}
    new = [r for r in rows if r.id not in before and r.state == "planned"]
    assert new and all(r.send_at < MOVED_TO for r in new)
    assert any(r.send_at > STARTS for r in new)  # the day-before reminder of the new day
    [notice] = _notices(rt)
    assert notice.event_id == event["id"] and notice.body == text
    audit = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "message",
                                                  AuditEntry.object_id == notice.id))
    assert [a.action for a in audit] == ["send"] and "appointment_moved" in audit[0].detail
    # The next reminder goes at the new time's schedule, and says the new time.
    run(rt, hel(2026, 10, 1, 12, 0) + SECOND)
    assert "pe 2.10. klo 13.15" in gateway.sent[-1][2]


def test_patch_calls_a_landline_client(api: Api, client: FlaskClient, rt: Runtime,
                                       gateway: DevelopmentGateway) -> None:
    cid = new_client(api, phone=LANDLINE)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    body = _patch(api, event["id"], DAYTIME, starts_at=MOVED_TO.isoformat(),
                  notify_client=True)
    assert body["notice"]["channel"] == "voice" and body["notice"]["sent"] is True
    [(kind, to, twiml_url)] = gateway.sent
    assert (kind, to) == ("voice", "+358141234567")
    said = " ".join(_speak(client, twiml_url))
    assert "Aikasi on siirtynyt" in said
    assert "perjantaina toinen lokakuuta kello 13 15" in said
    assert "keskiviikkona kolmaskymmenes syyskuuta kello 10 30" in said


def test_without_notify_client_nothing_is_sent(api: Api, rt: Runtime,
                                               gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    body = _patch(api, event["id"], DAYTIME, starts_at=MOVED_TO.isoformat())
    assert body["notice"] is None and gateway.sent == [] and _notices(rt) == []
    assert any(r["state"] == "planned" for r in body["reminders"])
    body = _patch(api, event["id"], DAYTIME, place="Kirjasto", notify_client=True)
    assert body["notice"] is None and body["place"] == "Kirjasto"  # the time did not move


def test_a_notice_made_at_night_waits_for_the_window(api: Api, rt: Runtime,
                                                     gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    body = _patch(api, event["id"], hel(2026, 9, 22, 23, 30), starts_at=MOVED_TO.isoformat(),
                  notify_client=True)
    assert body["notice"]["sent"] is False
    assert datetime.fromisoformat(body["notice"]["not_before"]) == hel(2026, 9, 23, 8, 0)
    run(rt, hel(2026, 9, 23, 7, 59))
    assert gateway.sent == []
    run(rt, hel(2026, 9, 23, 8, 0) + SECOND)
    assert len(gateway.sent) == 1 and "siirtynyt" in gateway.sent[0][2]


def test_cancel_with_notify_by_text_and_by_call(api: Api, client: FlaskClient, rt: Runtime,
                                                gateway: DevelopmentGateway) -> None:
    mobile = new_appointment(api, new_client(api), STARTS, REGISTERED)
    landline = new_appointment(api, new_client(api, phone=LANDLINE, name="Aino Virtanen"),
                               STARTS, REGISTERED)
    clock.freeze(DAYTIME)
    r = api.post(f"/events/{mobile['id']}/cancel", {"notify_client": True})
    assert r.status_code == 200 and r.json["state"] == "cancelled"
    assert r.json["cancelled_reminders"] > 0 and r.json["notice"]["channel"] == "sms"
    assert gateway.sent[-1][:2] == ("sms", "+358401234567")
    assert "ke 30.9. klo 10.30 on peruttu" in gateway.sent[-1][2]

    r = api.post(f"/events/{landline['id']}/cancel", {"notify_client": True})
    assert r.status_code == 200 and r.json["notice"]["channel"] == "voice"
    kind, to, twiml_url = gateway.sent[-1]
    assert (kind, to) == ("voice", "+358141234567")
    said = " ".join(_speak(client, twiml_url))
    assert "keskiviikkona kolmaskymmenes syyskuuta kello 10 30 on peruttu" in said
    # Cancelling again tells nobody twice.
    again = api.post(f"/events/{landline['id']}/cancel", {"notify_client": True})
    assert again.status_code == 200 and again.json["notice"] is None
    assert len(gateway.sent) == 2


def test_cancel_without_a_body_stays_quiet(api: Api, rt: Runtime,
                                           gateway: DevelopmentGateway) -> None:
    event = new_appointment(api, new_client(api), STARTS, REGISTERED)
    clock.freeze(DAYTIME)
    r = api.post(f"/events/{event['id']}/cancel")
    assert r.status_code == 200 and r.json["notice"] is None and gateway.sent == []


def test_nothing_goes_to_a_client_who_opted_out(api: Api, rt: Runtime,
                                                gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    clock.freeze(DAYTIME)
    r = api.post(f"/clients/{cid}/opt-out", {"reason": "pyysi puhelimessa"})
    assert r.status_code == 200 and r.json["opted_out"] is True
    body = _patch(api, event["id"], DAYTIME, starts_at=MOVED_TO.isoformat(),
                  notify_client=True)
    assert body["notice"] == {"channel": "sms", "message_id": None, "sent": False,
                              "skipped": "opted_out", "not_before": None}
    r = api.post(f"/events/{event['id']}/cancel", {"notify_client": True})
    assert r.json["notice"]["skipped"] == "opted_out"
    assert gateway.sent == [] and _notices(rt) == []


def test_a_waiting_notice_is_not_sent_after_a_stop(api: Api, rt: Runtime,
                                                   gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    _patch(api, event["id"], hel(2026, 9, 22, 23, 30), starts_at=MOVED_TO.isoformat(),
           notify_client=True)
    clock.freeze(hel(2026, 9, 23, 7, 0))
    assert api.post(f"/clients/{cid}/opt-out", {"reason": "soitti"}).status_code == 200
    run(rt, hel(2026, 9, 23, 8, 0) + SECOND)
    assert gateway.sent == []
    [notice] = _notices(rt)
    assert notice.status == "failed"


def test_a_queued_text_is_not_sent_after_a_stop_but_the_stops_confirmation_is(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    clock.freeze(DAYTIME)
    with transaction(rt.sessions) as session:  # a worker's text, waiting for the next pass
        person = session.get(Client, cid)
        assert person is not None
        session.add(new_outbound_message(
            channel="sms", to=person.phone, body="Muista huominen", from_number="",
            gateway=rt.gateway_name, status=MessageStatus.QUEUED, now=DAYTIME, client_id=cid))
    stop_at = DAYTIME + SECOND * 5
    sms_reply(client, "+358401234567", "LOPETA", stop_at)
    run(rt, stop_at + SECOND)
    sent = [body for _, _, body in gateway.sent]
    assert len(sent) == 1 and "Muista huominen" not in sent[0]  # only the confirmation
    texts = {m.body: m.status for m in _notices(rt)}
    assert texts["Muista huominen"] == "failed"


def test_messages_carry_the_gateway_sid(api: Api, rt: Runtime) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    _patch(api, event["id"], DAYTIME, starts_at=MOVED_TO.isoformat(), notify_client=True)
    [message] = api.get(f"/messages?client_id={cid}").json["messages"]
    assert message["gateway_sid"].startswith("SM") and len(message["gateway_sid"]) == 34


def test_patch_refuses_what_cannot_move(api: Api, rt: Runtime) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    clock.freeze(DAYTIME)
    path = f"/api/v1/events/{event['id']}"
    past = api.client.patch(path, json={"starts_at": hel(2026, 9, 1, 10, 0).isoformat()},
                            headers=api.headers)
    assert past.status_code == 422 and "starts_at" in past.json["errors"]
    wrong = api.client.patch(path, json={"notify_client": "yes"}, headers=api.headers)
    assert wrong.status_code == 422 and "notify_client" in wrong.json["errors"]
    missing = api.client.patch("/api/v1/events/999999", json={}, headers=api.headers)
    assert missing.status_code == 404
    application = api.post("/applications", {"client_id": cid, "agency": "Kela",
                                             "documents_due": "2026-10-15"}).json
    refused = api.client.patch(f"/api/v1/events/{application['id']}",
                               json={"starts_at": MOVED_TO.isoformat()}, headers=api.headers)
    assert refused.status_code == 409
    api.post(f"/events/{event['id']}/cancel")
    cancelled = api.client.patch(path, json={"starts_at": MOVED_TO.isoformat()},
                                 headers=api.headers)
    assert cancelled.status_code == 409
