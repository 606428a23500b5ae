"""Appointments and applications in the UI: Finnish dates and times, a preview of the exact
reminder plan before saving, rescheduling that plans again, and cancelling."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service import clock
from service.domain.calendar.dates import format_date, format_time
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Event, Message, Reminder, Worker
from tests.web.conftest import Browser, make_client

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # Monday 10.00 in Helsinki


def shown(dt: datetime) -> str:
    """A send time as the UI writes it: "ma 8.6.2026 klo 10.00"."""
    local = dt.astimezone(ZoneInfo("Europe/Helsinki"))
    return f"{format_date(local.date(), 'fi')}{local.year} klo {format_time(dt, 'fi')}"


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(NOW)


def _events(rt: Runtime) -> list[Event]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(Event).order_by(Event.id)))


def _reminders(rt: Runtime, event_id: int) -> list[Reminder]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(Reminder).where(Reminder.event_id == event_id)
                                    .order_by(Reminder.send_at, Reminder.id)))


def _appointment_form(client_id: int, **changes: str) -> dict[str, str]:
    form = {"client_id": str(client_id), "appointment_type": "worker", "date": "15.6.2026",
            "time": "10.00", "place": "Sosiaalitoimisto, Keskuskatu 5",
            "bring": "henkilökortti", "action": "preview"}
    form.update(changes)
    return form


def test_preview_shows_each_message_then_save_plans_exactly_that(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    form_page = signed_in.get(url).get_data(as_text=True)
    assert '<label for="date">Päivä' in form_page and 'id="time"' in form_page
    preview = signed_in.post(url, _appointment_form(client.id))
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Muistutussuunnitelma" in page
    assert "Sosiaalitoimisto, Keskuskatu 5" in page and "ma 15.6. klo 10.00" in page
    assert "1 tekstiviesti · GSM-7" in page
    assert _events(rt) == []  # a preview saves nothing
    saved = signed_in.post(url, _appointment_form(client.id, action="save"))
    assert saved.status_code == 302
    [event] = _events(rt)
    assert event.starts_at == datetime(2026, 6, 15, 7, 0, tzinfo=UTC)
    assert saved.location == f"/events/{event.id}"
    planned = [r for r in _reminders(rt, event.id) if r.state == "planned"]
    assert planned
    for reminder in planned:
        assert shown(reminder.send_at) in page  # what was previewed is what is planned
    event_page = signed_in.get(saved.location).get_data(as_text=True)
    assert "Aika on tallennettu." in event_page and "Keskuskatu 5" in event_page
    with transaction(rt.sessions) as session:
        created = session.scalars(select(AuditEntry).where(AuditEntry.action == "create",
                                                           AuditEntry.object_type == "event"))
        assert [e.object_id for e in created] == [event.id]


@pytest.mark.parametrize("typed", ["10:00", "10.00", "10", "klo 10.00"])
def test_time_typed_either_way(signed_in: Browser, rt: Runtime, worker: Worker,
                               typed: str) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    signed_in.get(url)
    response = signed_in.post(url, _appointment_form(client.id, time=typed, date="03.06.2026",
                                                     action="save"))
    assert response.status_code == 302
    assert _events(rt)[0].starts_at == datetime(2026, 6, 3, 7, 0, tzinfo=UTC)


def test_bad_date_and_time_are_tied_to_their_fields(signed_in: Browser, rt: Runtime,
                                                    worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    signed_in.get(url)
    page = signed_in.post(url, _appointment_form(client.id, date="31.6.2026", time="25.00")
                          ).get_data(as_text=True)
    assert "Päivämäärää 31.6.2026 ei ole kalenterissa." in page
    assert 'id="date-error"' in page and 'aria-describedby="date-hint date-error"' in page
    assert 'id="time-error"' in page and 'aria-describedby="time-hint time-error"' in page
    past = signed_in.post(url, _appointment_form(client.id, date="1.6.2026", time="9.00"))
    assert past.status_code == 422 and "Aika on jo mennyt" in past.get_data(as_text=True)
    gap = signed_in.post(url, _appointment_form(client.id, date="28.3.2027", time="3.30"))
    assert "kesäaikaan" in gap.get_data(as_text=True)  # 03.30 does not exist that night
    assert _events(rt) == []


def test_costly_character_is_named(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    signed_in.get(url)
    page = signed_in.post(url, _appointment_form(client.id, place="Kirjasto \U0001F600")
                          ).get_data(as_text=True)
    assert "UCS-2" in page and "Viesti maksaa enemmän" in page and "”\U0001F600”" in page


def test_reschedule_replans_and_cancel_offers_a_text(signed_in: Browser, rt: Runtime,
                                                     worker: Worker,
                                                     gateway: DevelopmentGateway) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    signed_in.get(url)
    signed_in.post(url, _appointment_form(client.id, action="save"))
    [event] = _events(rt)
    before = {r.id for r in _reminders(rt, event.id) if r.state == "planned"}
    change = f"/events/{event.id}/change"
    assert 'value="15.6.2026"' in signed_in.get(change).get_data(as_text=True)
    preview = signed_in.post(change, _appointment_form(client.id, date="22.6.2026"))
    assert "ma 22.6. klo 10.00" in preview.get_data(as_text=True)
    assert signed_in.post(change, _appointment_form(client.id, date="22.6.2026",
                                                    action="save")).status_code == 302
    after = _reminders(rt, event.id)
    assert {r.state for r in after if r.id in before} == {"cancelled"}
    assert all(r.send_at.date() <= date(2026, 6, 22) for r in after if r.state == "planned")
    assert any(r.state == "planned" for r in after if r.id not in before)

    cancel_page = signed_in.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    assert 'id="notice_text"' in cancel_page and "peruttu" in cancel_page.lower()
    done = signed_in.post(f"/events/{event.id}/cancel", {
        "notify": "1", "notice_text": "Aikasi 22.6. on peruttu. Soitan sinulle."})
    assert done.status_code == 302
    assert _events(rt)[0].state == "cancelled"
    assert {r.state for r in _reminders(rt, event.id)} <= {"cancelled", "skipped"}
    assert gateway.sent[-1] == ("sms", "+358401234567", "Aikasi 22.6. on peruttu. Soitan sinulle.")
    with transaction(rt.sessions) as session:
        message = session.scalars(select(Message).where(Message.worker_id == worker.id)).one()
        assert message.event_id == event.id and message.status == "delivered"
    assert "Tekstiviesti on lähetetty." in signed_in.get(done.location).get_data(as_text=True)


def test_cancel_without_text_and_for_a_landline(signed_in: Browser, rt: Runtime, worker: Worker,
                                                gateway: DevelopmentGateway) -> None:
    client = make_client(rt, worker.id, "Aino Virtanen", "014 123 4567")
    url = f"/events/new/appointment?client_id={client.id}"
    signed_in.get(url)
    signed_in.post(url, _appointment_form(client.id, action="save"))
    [event] = _events(rt)
    page = signed_in.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    assert "lankapuhelin" in page and 'id="notice_text"' not in page
    assert signed_in.post(f"/events/{event.id}/cancel", {"notify": "0"}).status_code == 302
    assert _events(rt)[0].state == "cancelled" and gateway.sent == []


def test_application_with_preview(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/application?client_id={client.id}"
    signed_in.get(url)
    empty = signed_in.post(url, {"client_id": str(client.id), "agency": "",
                                 "action": "preview"})
    assert empty.status_code == 422
    assert 'id="agency-error"' in empty.get_data(as_text=True)
    form = {"client_id": str(client.id), "agency": "Kela", "submitted_on": "20.5.2026",
            "documents_due": "12.6.2026", "decision_expected": "30.6.2026"}
    preview = signed_in.post(url, {**form, "action": "preview"}).get_data(as_text=True)
    assert "Muistutussuunnitelma" in preview and "Kela" in preview
    assert signed_in.post(url, {**form, "action": "save"}).status_code == 302
    [event] = _events(rt)
    assert (event.kind, event.agency, event.documents_due) == ("application", "Kela",
                                                               date(2026, 6, 12))
    assert any(r.state == "planned" for r in _reminders(rt, event.id))
