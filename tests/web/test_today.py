"""Today: what needs the worker's attention, and only their own or the team's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.domain.events import lifecycle as ev
from service.gateways.base import GatewayError
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Client, Reminder, Worker
from tests.conftest import signed_post
from tests.web.conftest import Browser, make_client

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # Monday 10.00 in Helsinki


def _appointment(rt: Runtime, client_id: int, starts: datetime, place: str) -> None:
    with transaction(rt.sessions) as session:
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=starts, place=place), clock.utcnow())
        ev.register_event(session, rt, event, clock.utcnow())


def _reply(client: FlaskClient, sender: str, body: str, sid: str) -> None:
    signed_post(client, "/twilio/sms", {"MessageSid": "SM" + sid * 32, "From": sender,
                                        "To": "+358451234567", "Body": body})


def test_attention_list(signed_in: Browser, client: FlaskClient, rt: Runtime, worker: Worker,
                        other_worker: Worker, gateway: DevelopmentGateway) -> None:
    clock.freeze(NOW)
    tz = rt.config.tz
    matti = make_client(rt, worker.id, "Matti Mäkinen", "040 123 4567")
    make_client(rt, worker.id, "Liisa Laine", "050 111 2222")
    pekka = make_client(rt, worker.id, "Pekka Puro", "044 333 4444")
    greta = make_client(rt, other_worker.id, "Greta Lindholm", "050 765 4321")
    tomorrow = datetime.combine(date(2026, 6, 2), time(13, 0), tzinfo=tz)
    _appointment(rt, matti.id, tomorrow, "Kelan pop-up")
    _appointment(rt, matti.id, tomorrow + timedelta(days=5), "Kaukana tulevaisuudessa")
    _appointment(rt, greta.id, tomorrow, "Gretan aika")
    with transaction(rt.sessions) as session:
        application = ev.build_application(session, ev.ApplicationInput(
            client_id=pekka.id, agency="Talous- ja velkaneuvonta",
            decision_expected=date(2026, 5, 20)), NOW - timedelta(days=30))
        ev.register_event(session, rt, application, NOW - timedelta(days=30))
    _reply(client, "+358501112222", "soita minulle", "2")
    _reply(client, "+358443334444", "LOPETA", "3")
    _reply(client, "+358507654321", "Gretan oma viesti", "4")
    with transaction(rt.sessions) as session:
        due = session.scalars(select(Reminder).where(
            Reminder.client_id == matti.id, Reminder.state == "planned",
            Reminder.channel == "sms").order_by(Reminder.send_at)).first()
        assert due is not None
        due_at = due.send_at
    gateway.fail_next.append(GatewayError("21211 invalid", code=21211, permanent=True))
    tick(rt, now=due_at + timedelta(seconds=1))
    _reply(client, "+358401234567", "mikä paikka?", "1")  # after: it would hold the send

    page = signed_in.get("/").get_data(as_text=True)
    section = {name: page.split(f'id="{name}"')[1].split("<h2")[0] for name in (
        "held", "replies", "callbacks", "problems", "unconfirmed", "stops", "overdue")}
    # An unclear reply holds its event: listed first, among the held, and only there.
    assert "mikä paikka?" in section["held"] and "Pidätetty:" in section["held"]
    assert "mikä paikka?" not in section["replies"]
    assert "soita minulle" in section["callbacks"] and "Liisa Laine" in section["callbacks"]
    assert "Matti Mäkinen" in section["problems"] and "ei lähtenyt" in section["problems"]
    assert "Kelan pop-up" in section["unconfirmed"]
    assert "Kaukana tulevaisuudessa" not in section["unconfirmed"]
    assert "Pekka Puro" in section["stops"]
    assert "Talous- ja velkaneuvonta" in section["overdue"]
    assert "Greta" not in page  # another worker's client and reply stay on their list
    with transaction(rt.sessions) as session:
        assert session.get(Client, pekka.id).opted_out  # type: ignore[union-attr]


def test_a_client_who_opted_back_in_is_no_longer_listed_as_refusing(
        signed_in: Browser, client: FlaskClient, rt: Runtime, worker: Worker) -> None:
    clock.freeze(NOW)
    make_client(rt, worker.id, "Sanna Seppälä", "040 765 4321")
    _reply(client, "+358407654321", "LOPETA", "1")
    stops = signed_in.get("/").get_data(as_text=True).split('id="stops"')[1]
    assert "Sanna Seppälä" in stops
    clock.freeze(NOW + timedelta(hours=1))
    _reply(client, "+358407654321", "ALOITA", "2")
    with transaction(rt.sessions) as session:
        sanna = session.scalars(select(Client).where(Client.name == "Sanna Seppälä")).one()
        assert not sanna.opted_out
    stops = signed_in.get("/").get_data(as_text=True).split('id="stops"')[1]
    assert "Sanna Seppälä" not in stops.split('id="overdue"')[0]


def test_a_task_reads_in_the_workers_language(signed_in: Browser, rt: Runtime,
                                              worker: Worker) -> None:
    """A task is written in Finnish when it falls due; a Swedish reader gets it in Swedish."""
    clock.freeze(NOW)
    matti = make_client(rt, worker.id, "Matti Mäkinen", "040 123 4567")
    _appointment(rt, matti.id, NOW + timedelta(days=5), "Kirjasto")
    with transaction(rt.sessions) as session:
        task = session.scalars(select(Reminder).where(
            Reminder.client_id == matti.id, Reminder.channel == "task")).one()
        due = task.send_at
    assert tick(rt, now=due + timedelta(seconds=1)).tasks == 1
    finnish = signed_in.get("/").get_data(as_text=True).split('id="tasks"')[1]
    assert "Matti Mäkinen ei ole vastannut" in finnish and "Soita asiakkaalle." in finnish
    signed_in.post("/language", {"lang": "sv", "next": "/"})
    for path in ("/", "/inbox"):
        page = signed_in.get(path).get_data(as_text=True)
        assert "Matti Mäkinen har inte svarat" in page and "Ring klienten." in page, path
        assert "Soita asiakkaalle." not in page, path
