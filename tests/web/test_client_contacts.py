"""The client page's own controls: a text to the client (checked like a template, sent in
the window, refused when it cannot go), trusted persons with recorded consent, the
warning for a number another client has, and replaced reminders out of sight."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from service import clock
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Message, Reminder, TrustedPerson, Worker
from service.store.states import MessageStatus
from tests.web.conftest import Browser, make_appointment, make_client

NOON = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tuesday 12.00 in Helsinki
NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # Wednesday 00.00 in Helsinki


def _messages(rt: Runtime, client_id: int) -> list[Message]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(Message).where(Message.client_id == client_id)
                                    .order_by(Message.id)))


def test_a_text_from_the_client_page_is_sent_and_audited(
        signed_in: Browser, rt: Runtime, worker: Worker, gateway: DevelopmentGateway) -> None:
    person = make_client(rt, worker.id)
    clock.freeze(NOON)
    page = signed_in.get(f"/clients/{person.id}").get_data(as_text=True)
    assert 'id="send-client-text"' in page, page[page.find("text-section"):][:1500]
    assert 'data-text-check="/texts/check"' in page, page[page.find("<textarea"):][:600]
    response = signed_in.post(f"/clients/{person.id}/text",
                              {"body": "Huomenna tapaaminen on huoneessa 3."})
    assert response.status_code == 302
    assert gateway.sent == [("sms", "+358401234567", "Huomenna tapaaminen on huoneessa 3.")]
    [message] = _messages(rt, person.id)
    assert message.worker_id == worker.id and message.status != MessageStatus.QUEUED
    with transaction(rt.sessions) as session:
        assert session.scalar(select(AuditEntry).where(
            AuditEntry.action == "send", AuditEntry.object_type == "message",
            AuditEntry.object_id == message.id)) is not None


def test_a_text_outside_the_window_waits_for_it(
        signed_in: Browser, rt: Runtime, worker: Worker, gateway: DevelopmentGateway) -> None:
    person = make_client(rt, worker.id)
    clock.freeze(NIGHT)
    signed_in.get(f"/clients/{person.id}")
    response = signed_in.post(f"/clients/{person.id}/text", {"body": "Soitan aamulla."},
                              follow_redirects=True)
    assert "Viesti lähtee, kun asiakkaan lähetysaika alkaa" in response.get_data(as_text=True)
    assert gateway.sent == []
    [message] = _messages(rt, person.id)
    assert message.status == MessageStatus.QUEUED and message.not_before is not None
    assert message.not_before.astimezone(rt.config.tz).hour == 8


@pytest.mark.parametrize(("body", "expected"), [
    ("Katso kela.fi/lomakkeet", "Viestissä on linkki (kela.fi/lomakkeet)"),
    ("   ", "Kirjoita viesti."),
])
def test_a_refused_text_comes_back_with_the_reason(
        signed_in: Browser, rt: Runtime, worker: Worker, gateway: DevelopmentGateway,
        body: str, expected: str) -> None:
    person = make_client(rt, worker.id)
    clock.freeze(NOON)
    signed_in.get(f"/clients/{person.id}")
    response = signed_in.post(f"/clients/{person.id}/text", {"body": body})
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert gateway.sent == [] and _messages(rt, person.id) == []


def test_an_emoji_is_named_with_its_cost(signed_in: Browser, rt: Runtime, worker: Worker,
                                        gateway: DevelopmentGateway) -> None:
    person = make_client(rt, worker.id)
    clock.freeze(NOON)
    signed_in.get(f"/clients/{person.id}")
    page = signed_in.post(f"/clients/{person.id}/text", {"body": "Kiitos \U0001F44D"},
                          follow_redirects=True).get_data(as_text=True)
    assert "U+1F44D" in page and "UCS-2" in page
    assert gateway.sent == [("sms", "+358401234567", "Kiitos \U0001F44D")]


def test_no_text_to_an_opted_out_client(signed_in: Browser, rt: Runtime, worker: Worker,
                                       gateway: DevelopmentGateway) -> None:
    person = make_client(rt, worker.id)
    with transaction(rt.sessions) as session:
        session.get(Client, person.id).opted_out = True  # type: ignore[union-attr]
    clock.freeze(NOON)
    page = signed_in.get(f"/clients/{person.id}").get_data(as_text=True)
    assert 'id="send-client-text"' not in page
    response = signed_in.post(f"/clients/{person.id}/text", {"body": "Hei"})
    assert response.status_code == 422 and "LOPETA" in response.get_data(as_text=True)
    assert gateway.sent == []


def test_live_check_names_the_character_and_refuses_a_link(signed_in: Browser) -> None:
    signed_in.get("/")
    data = signed_in.post("/texts/check", {"body": "Tervetuloa \u201cryhmään\u201d \U0001F600"}
                          ).get_json()
    assert data["encoding"] == "UCS-2" and data["chars"] == ["\U0001F600"]
    assert "U+1F600" in data["warning"] and data["error"] is None
    data = signed_in.post("/texts/check", {"body": "Lue www.example.fi"}).get_json()
    assert data["links"] == ["www.example.fi"] and "linkki" in data["error"]
    data = signed_in.post("/texts/check", {"body": "a" * 161}).get_json()
    assert data["segments"] == 2 and data["encoding"] == "GSM-7" and data["warning"] is None
    assert signed_in.post("/texts/check", {"body": "x"}, csrf=False).status_code == 400


def _add_person(browser: Browser, client_id: int, **values: str) -> str:
    form = {"name": "Liisa Läheinen", "phone": "050 765 4321", "relation": "family",
            "language": "fi", "tp_consent_method": "phone", "consent_day": "1.12.2026",
            "consent_time": "9.30"} | values
    response = browser.post(f"/clients/{client_id}/trusted-persons", form)
    return str(response.status_code) + response.get_data(as_text=True)


def test_trusted_person_added_with_consent_and_ended(signed_in: Browser, rt: Runtime,
                                                     worker: Worker) -> None:
    person = make_client(rt, worker.id)
    make_appointment(rt, person.id, worker_id=worker.id)
    clock.freeze(NOON)
    signed_in.get(f"/clients/{person.id}")
    assert _add_person(signed_in, person.id).startswith("302")
    page = signed_in.get(f"/clients/{person.id}").get_data(as_text=True)
    assert "Liisa Läheinen" in page and "puhelimessa" in page and worker.name in page
    assert "ti 1.12. klo 9.30" in page or "1.12." in page
    with transaction(rt.sessions) as session:
        tp = session.scalars(select(TrustedPerson)).one()
        assert tp.consent_method == "phone" and tp.consent_recorded_by == worker.id
        assert tp.consent_at == datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
        planned = session.scalars(select(Reminder).where(
            Reminder.trusted_person_id == tp.id, Reminder.state == "planned")).all()
        assert planned, "the trusted person joins the coming reminders"
        tp_id = tp.id
    response = signed_in.post(f"/clients/{person.id}/trusted-persons/{tp_id}/end",
                              {f"end_reason-{tp_id}": "consent_withdrawn"})
    assert response.status_code == 302
    with transaction(rt.sessions) as session:
        tp = session.get(TrustedPerson, tp_id)
        assert tp is not None and not tp.active
        assert tp.deactivation_reason == "consent_withdrawn" and tp.deactivated_by == worker.id
        assert not session.scalars(select(Reminder).where(
            Reminder.trusted_person_id == tp_id, Reminder.state == "planned")).all()
    page = signed_in.get(f"/clients/{person.id}").get_data(as_text=True)
    assert "suostumus päättynyt" in page


def test_trusted_person_consent_to_share_the_clients_name_and_any_language(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    person = make_client(rt, worker.id)
    clock.freeze(NOON)
    form = signed_in.get(f"/clients/{person.id}").get_data(as_text=True)
    assert 'name="shares_client_name"' in form and 'value="uk"' in form
    assert _add_person(signed_in, person.id, language="uk", shares_client_name="1",
                       phone="050 765 4322").startswith("302")
    assert _add_person(signed_in, person.id, name="Toinen Läheinen",
                       phone="050 765 4323").startswith("302")
    with transaction(rt.sessions) as session:
        people = {tp.name: tp for tp in session.scalars(select(TrustedPerson))}
    assert people["Liisa Läheinen"].shares_client_name
    assert people["Liisa Läheinen"].language == "uk"
    assert not people["Toinen Läheinen"].shares_client_name


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"tp_consent_method": ""}, "tp_consent_method", "Kirjaa, miten asiakas antoi"),
    ({"phone": "040 123 4567"}, "tp_phone", "asiakkaan oma numero"),
    ({"consent_day": "1.1.2027"}, "tp_consent_day", "tulevaisuudessa"),
    ({"consent_day": "huomenna"}, "tp_consent_day", "Päivämäärää"),
    ({"name": ""}, "tp_name", "Anna läheisen nimi"),
])
def test_trusted_person_errors_go_to_their_fields(
        signed_in: Browser, rt: Runtime, worker: Worker, values: dict[str, str], field: str,
        words: str) -> None:
    person = make_client(rt, worker.id)
    clock.freeze(NOON)
    signed_in.get(f"/clients/{person.id}")
    page = _add_person(signed_in, person.id, **values)
    assert page.startswith("422"), page[:200]
    assert f'id="{field}-error"' in page and words in page
    assert 'value="Liisa Läheinen"' in page or not values.get("name", "x")
    with transaction(rt.sessions) as session:
        assert session.scalars(select(TrustedPerson)).all() == []


def test_a_shared_number_is_saved_only_after_the_warning(signed_in: Browser, rt: Runtime,
                                                         worker: Worker) -> None:
    first = make_client(rt, worker.id, name="Aino Aaltonen")
    signed_in.get("/clients/new")
    form = {"name": "Eino Aaltonen", "phone": "040 123 4567", "language": "fi",
            "channel": "auto", "worker_id": str(worker.id), "action": "save"}
    page = signed_in.post("/clients/new", form).get_data(as_text=True)
    assert 'id="shared-number"' in page and "Aino Aaltonen" in page
    assert "viimeksi lähetettiin viesti" in page
    with transaction(rt.sessions) as session:
        assert len(session.scalars(select(Client)).all()) == 1
    response = signed_in.post("/clients/new", form | {"shared_ok": "+358401234567"})
    assert response.status_code == 302
    with transaction(rt.sessions) as session:
        assert len(session.scalars(select(Client).where(
            Client.phone == "+358401234567")).all()) == 2
    assert first.id


def test_a_number_change_hides_the_replaced_reminders(signed_in: Browser, rt: Runtime,
                                                      worker: Worker) -> None:
    person = make_client(rt, worker.id)
    make_appointment(rt, person.id, days=20, worker_id=worker.id)
    signed_in.get(f"/clients/{person.id}/edit")
    response = signed_in.post(f"/clients/{person.id}/edit", {
        "name": person.name, "phone": "044 987 6543", "language": "fi", "channel": "auto",
        "worker_id": str(worker.id), "action": "save"})
    assert response.status_code == 302
    with transaction(rt.sessions) as session:
        reasons = {r.reason for r in session.scalars(select(Reminder).where(
            Reminder.client_id == person.id, Reminder.state == "cancelled"))}
    assert reasons == {"contact_changed"}
    page = signed_in.get(f"/clients/{person.id}").get_data(as_text=True)
    assert "tapahtuma siirrettiin" not in page and "yhteystiedot muuttuivat" not in page
    assert "Näytä korvatut" in page
    page = signed_in.get(f"/clients/{person.id}?replaced=1").get_data(as_text=True)
    assert "asiakkaan yhteystiedot muuttuivat" in page and "tapahtuma siirrettiin" not in page
