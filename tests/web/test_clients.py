"""Clients in the UI: the number checked on the spot with a Finnish message (landlines
named), adding and editing (which re-plans), search, and the client's page."""

from __future__ import annotations

from sqlalchemy import select

from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Reminder, Worker
from tests.web.conftest import Browser, make_appointment, make_client


def _clients(rt: Runtime) -> list[Client]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(Client).order_by(Client.id)))


def test_wrong_number_first_then_right(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    signed_in.get("/clients/new")
    wrong = signed_in.post("/clients/new", {"name": "Matti Mäkinen", "phone": "040 123",
                                            "language": "fi", "channel": "auto",
                                            "worker_id": str(worker.id), "action": "save"})
    assert wrong.status_code == 422
    page = wrong.get_data(as_text=True)
    assert "Numero on liian lyhyt." in page
    assert 'id="phone-error"' in page and "phone-error" in page.split('id="phone"')[1][:400]
    assert 'aria-invalid="true"' in page
    assert '<a href="#phone">' in page  # the error summary links to the field
    assert _clients(rt) == []
    right = signed_in.post("/clients/new", {"name": "Matti Mäkinen", "phone": "040 123 4567",
                                            "language": "fi", "channel": "auto",
                                            "worker_id": str(worker.id), "action": "save"})
    assert right.status_code == 302
    [client] = _clients(rt)
    assert (client.phone, client.number_type, client.worker_id) == ("+358401234567", "mobile",
                                                                      worker.id)
    assert right.location == f"/clients/{client.id}"
    assert "Matti Mäkinen on lisätty" in signed_in.get(right.location).get_data(as_text=True)


def test_landline_is_named_and_refused_for_sms(signed_in: Browser, rt: Runtime) -> None:
    signed_in.get("/clients/new")
    checked = signed_in.post("/clients/new", {"name": "Aino", "phone": "014 123 4567",
                                              "channel": "auto", "action": "check_phone"})
    assert checked.status_code == 200
    assert "014 123 4567 on lankapuhelin" in checked.get_data(as_text=True)
    assert _clients(rt) == []  # checking saves nothing
    sms = signed_in.post("/clients/new", {"name": "Aino", "phone": "014 123 4567",
                                          "channel": "sms", "language": "selko",
                                          "action": "save"})
    assert sms.status_code == 422
    assert "Numero on lankapuhelin" in sms.get_data(as_text=True)
    assert 'id="channel-error"' in sms.get_data(as_text=True)
    saved = signed_in.post("/clients/new", {"name": "Aino", "phone": "014 123 4567",
                                            "channel": "auto", "language": "selko",
                                            "action": "save"})
    assert saved.status_code == 302
    assert "muistutukset tulevat puheluina" in signed_in.get(saved.location).get_data(
        as_text=True)


def test_phone_check_endpoint_for_the_script(signed_in: Browser) -> None:
    signed_in.get("/clients/new")
    ok = signed_in.client.post("/clients/phone-check", data={"phone": "0401234567"},
                               headers={"X-CSRFToken": signed_in.token})
    assert ok.json == {"ok": True, "landline": False, "formatted": "040 123 4567",
                       "message": ok.json["message"]}
    landline = signed_in.client.post("/clients/phone-check", data={"phone": "09 1234 5678"},
                                     headers={"X-CSRFToken": signed_in.token})
    assert landline.json["landline"] is True and "lankapuhelin" in landline.json["message"]
    bad = signed_in.client.post("/clients/phone-check", data={"phone": "abc"},
                                headers={"X-CSRFToken": signed_in.token})
    assert bad.json["ok"] is False and "vain numeroita" in bad.json["message"]


def test_edit_replans_pending_reminders(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id)
    make_appointment(rt, client.id, worker_id=worker.id)
    form = signed_in.get(f"/clients/{client.id}/edit").get_data(as_text=True)
    assert 'value="040 123 4567"' in form
    response = signed_in.post(f"/clients/{client.id}/edit", {
        "name": "Matti Mäkinen", "phone": "040 123 4567", "language": "sv",
        "channel": "voice", "worker_id": str(worker.id), "action": "save"})
    assert response.status_code == 302
    with transaction(rt.sessions) as session:
        reminders = list(session.scalars(select(Reminder)))
        assert {r.channel for r in reminders if r.state == "planned"} - {"task"} == {"voice"}
        assert {r.reason for r in reminders if r.state == "cancelled"} == {"contact_changed"}
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
        assert entry.object_id == client.id and "language" in entry.detail


def test_search_by_name_and_number_and_scope(signed_in: Browser, rt: Runtime, worker: Worker,
                                             other_worker: Worker) -> None:
    make_client(rt, worker.id, "Matti Mäkinen", "040 123 4567")
    make_client(rt, other_worker.id, "Greta Lindholm", "050 765 4321", "sv")
    mine = signed_in.get("/clients").get_data(as_text=True)
    assert "Matti Mäkinen" in mine and "Greta" not in mine
    everyone = signed_in.get("/clients?scope=all").get_data(as_text=True)
    assert "Matti Mäkinen" in everyone and "Greta Lindholm" in everyone
    by_number = signed_in.get("/clients?scope=all&q=%2B358%2050%207654321").get_data(
        as_text=True)
    assert "Greta Lindholm" in by_number and "Matti" not in by_number
    by_name = signed_in.get("/clients?scope=all&q=m%C3%A4ki").get_data(as_text=True)
    assert "Matti Mäkinen" in by_name and "Greta" not in by_name
    assert "Hakuehdoilla ei löytynyt" in signed_in.get("/clients?q=%25").get_data(as_text=True)


def test_client_page_shows_timeline_and_is_audited(signed_in: Browser, rt: Runtime,
                                                   worker: Worker) -> None:
    client = make_client(rt, worker.id)
    make_appointment(rt, client.id, worker_id=worker.id)
    page = signed_in.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "040 123 4567" in page and "matkapuhelin" in page
    assert "Sosiaalitoimisto, Keskuskatu 5" in page and "ajastettu" in page
    with transaction(rt.sessions) as session:
        views = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "view")))
    assert [(v.object_type, v.object_id, v.worker_id) for v in views] == [
        ("client", client.id, worker.id)]
    assert signed_in.get("/clients/999999").status_code == 404
