"""The phone simulator: what a basic phone received, and answers that go through the same
signed webhooks as Twilio's, into the real reply handling and inbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from service import clock
from service.app import create_app
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Client, Event, InboxItem, Message, Reminder, Worker
from tests.conftest import load
from tests.web.conftest import Browser, make_appointment, make_client


def _deliver_first(rt: Runtime, client_id: int, channel: str) -> None:
    with transaction(rt.sessions) as session:
        first = session.scalars(select(Reminder).where(
            Reminder.client_id == client_id, Reminder.state == "planned",
            Reminder.channel == channel).order_by(Reminder.send_at)).first()
        assert first is not None
        when = first.send_at
    assert tick(rt, now=when + timedelta(seconds=1)).claimed >= 1
    clock.freeze(when + timedelta(minutes=3))


def _event(rt: Runtime, event_id: int) -> Event:
    return load(rt, Event, event_id)


def test_text_received_and_answered(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    person = make_client(rt, worker.id)
    event = make_appointment(rt, person.id, worker_id=worker.id)
    _deliver_first(rt, person.id, "sms")
    assert "Matti Mäkinen: 040 123 4567" in signed_in.get("/simulator").get_data(as_text=True)
    screen = signed_in.get(f"/simulator/{person.id}").get_data(as_text=True)
    assert "Sosiaalitoimisto, Keskuskatu 5" in screen and 'id="phone-messages"' in screen
    sender = screen.split('id="phone-sender">')[1].split("<")[0]
    assert sender == "045 123 4567" and "0000000" not in screen  # the number texts come from
    assert "Tämä on asiakkaan puhelin." in screen  # a plain introduction
    sent = signed_in.post(f"/simulator/{person.id}/sms", {"body": "Kyllä tulen <3"})
    assert sent.status_code == 302
    assert _event(rt, event.id).state == "confirmed"
    with transaction(rt.sessions) as session:
        reply = session.scalars(select(Message).where(Message.direction == "in")).one()
        item = session.scalars(select(InboxItem)).one()
    assert (reply.body, reply.from_number, reply.intent) == ("Kyllä tulen <3", "+358401234567",
                                                             "confirm")
    assert item.worker_id == worker.id and item.message_id == reply.id
    after = signed_in.get(f"/simulator/{person.id}").get_data(as_text=True)
    assert "Kyllä tulen &lt;3" in after and "Viesti lähetetty palvelulle." in after


def test_call_answered_with_the_keypad(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    person = make_client(rt, worker.id, "Aino Virtanen", "014 123 4567", "selko")
    event = make_appointment(rt, person.id, worker_id=worker.id)
    _deliver_first(rt, person.id, "voice")
    with transaction(rt.sessions) as session:
        call = session.scalars(select(Message).where(Message.channel == "voice")).one()
    screen = signed_in.get(f"/simulator/{person.id}").get_data(as_text=True)
    assert f'id="answer-call-{call.id}"' in screen and 'id="send-sms"' not in screen
    answered = signed_in.post(f"/simulator/{person.id}/answer/{call.id}").get_data(as_text=True)
    assert 'id="call-lines"' in answered and 'id="key-1"' in answered
    assert "Sosiaalitoimisto, Keskuskatu 5" in answered
    pressed = signed_in.post(f"/simulator/{person.id}/key/{call.id}", {"digit": "1"})
    assert pressed.status_code == 200
    assert "Puhelu päättyi." in pressed.get_data(as_text=True)
    assert _event(rt, event.id).state == "confirmed"
    with transaction(rt.sessions) as session:
        reply = session.scalars(select(Message).where(Message.direction == "in")).one()
    assert (reply.channel, reply.intent) == ("voice", "confirm")


def test_only_in_development(rt: Runtime, worker: Worker) -> None:
    live = replace(rt, config=replace(rt.config, gateway_kind="twilio"))
    browser = Browser(create_app(runtime=live, TESTING=True).test_client())
    browser.login(worker.email)
    page = browser.get("/").get_data(as_text=True)
    assert "Puhelinsimulaattori" not in page
    assert browser.get("/simulator").status_code == 404


def test_calls_stopped_with_key_3_twice_in_the_simulator(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    person = make_client(rt, worker.id, "Aino Virtanen", "014 123 4567", "fi")
    make_appointment(rt, person.id, worker_id=worker.id)
    _deliver_first(rt, person.id, "voice")
    with transaction(rt.sessions) as session:
        call = session.scalars(select(Message).where(Message.channel == "voice")).one()
    answered = signed_in.post(f"/simulator/{person.id}/answer/{call.id}").get_data(as_text=True)
    assert "Jos et halua puheluita, paina 3." in answered
    asked = signed_in.post(f"/simulator/{person.id}/key/{call.id}",
                           {"digit": "3", "step": "gather"}).get_data(as_text=True)
    assert "paina 3 uudelleen" in asked and 'name="step" value="stop"' in asked
    done = signed_in.post(f"/simulator/{person.id}/key/{call.id}",
                          {"digit": "3", "step": "stop"}).get_data(as_text=True)
    assert "Muistutussoitot on nyt lopetettu." in done
    with transaction(rt.sessions) as session:
        client = session.get(Client, person.id)
        assert client is not None and client.opted_out
        assert session.scalars(select(InboxItem.kind)).all() == ["stop"]
