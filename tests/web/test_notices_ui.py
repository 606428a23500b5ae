"""The worker's side of notices, attendance and opt-outs, through the UI's forms.

The reschedule form's "tell the client" box is ticked until the worker unticks it and
reaches the client by text or call; the cancel page offers a call to a landline; the
event page records attendance only once the appointment has started; the client page
records an opt-out or opt-in with a reason; the service path shows no-shows.
"""

from __future__ import annotations

from sqlalchemy import select

from service import clock
from service.domain.events import lifecycle as ev
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Event, Worker
from tests.conftest import load, load_all
from tests.reach import hel
from tests.web.conftest import Browser, make_client

NOW = hel(2026, 9, 22, 10, 0)
STARTS = hel(2026, 9, 30, 10, 30)


def _appointment(rt: Runtime, client_id: int, worker_id: int) -> Event:
    with transaction(rt.sessions) as session:
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=STARTS, place="Sosiaalitoimisto, Keskuskatu 5",
            appointment_type="health"), NOW)
        ev.register_event(session, rt, event, NOW, worker_id)
    return event


def _move_form(client_id: int, **extra: str) -> dict[str, str]:
    return {"client_id": str(client_id), "appointment_type": "health", "date": "2.10.2026",
            "time": "13.15", "place": "Sosiaalitoimisto, Keskuskatu 5", "bring": "",
            "action": "save", **extra}


def test_reschedule_tells_the_client_unless_unticked(signed_in: Browser, rt: Runtime,
                                                     worker: Worker,
                                                     gateway: DevelopmentGateway) -> None:
    clock.freeze(NOW)
    client = make_client(rt, worker.id)
    event = _appointment(rt, client.id, worker.id)
    page = signed_in.get(f"/events/{event.id}/change").get_data(as_text=True)
    assert 'id="notify_client" name="notify_client" value="1" checked' in page
    assert "tekstiviestin, jossa on vanha ja uusi aika" in page
    preview = signed_in.post(f"/events/{event.id}/change",
                             _move_form(client.id, action="preview", notify_client="1"))
    assert '<input type="hidden" name="notify_client" value="1">' in preview.get_data(
        as_text=True)
    done = signed_in.post(f"/events/{event.id}/change", _move_form(client.id, notify_client="1"))
    assert done.status_code == 302
    [(kind, to, text)] = gateway.sent
    assert to == "+358401234567"
    assert kind == "sms" and "pe 2.10. klo 13.15" in text and "ke 30.9. klo 10.30" in text
    assert "Tekstiviesti on lähetetty." in signed_in.get(done.location).get_data(as_text=True)

    unticked = signed_in.post(f"/events/{event.id}/change",
                              _move_form(client.id, time="14.00"))  # the box left empty
    assert unticked.status_code == 302 and len(gateway.sent) == 1
    assert load(rt, Event, event.id).starts_at == hel(2026, 10, 2, 14, 0)


def test_a_landline_client_is_called_when_cancelled(signed_in: Browser, rt: Runtime,
                                                    worker: Worker,
                                                    gateway: DevelopmentGateway) -> None:
    clock.freeze(NOW)
    client = make_client(rt, worker.id, "Aino Virtanen", "014 123 4567")
    event = _appointment(rt, client.id, worker.id)
    page = signed_in.get(f"/events/{event.id}/change").get_data(as_text=True)
    assert "Asiakkaalle soitetaan, ja kone kertoo vanhan ja uuden ajan." in page
    page = signed_in.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    assert "Kyllä, soita asiakkaalle" in page and 'id="notice-call-text"' in page
    assert "keskiviikkona 30. syyskuuta kello 10 30 on peruttu" in page
    done = signed_in.post(f"/events/{event.id}/cancel", {"notify": "1"})
    assert done.status_code == 302
    [(kind, to, _url)] = gateway.sent
    assert (kind, to) == ("voice", "+358141234567")
    assert "Asiakkaalle soitetaan nyt" in signed_in.get(done.location).get_data(as_text=True)


def test_attendance_form_only_after_the_start(signed_in: Browser, rt: Runtime,
                                              worker: Worker) -> None:
    clock.freeze(NOW)
    client = make_client(rt, worker.id)
    event = _appointment(rt, client.id, worker.id)
    page = signed_in.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'id="save-attendance"' not in page
    assert "Läsnäolon voi kirjata, kun aika on alkanut." in page
    early = signed_in.post(f"/events/{event.id}/attendance", {"attendance": "attended"})
    assert early.status_code == 302
    assert "Aika ei ole vielä alkanut" in signed_in.get(early.location).get_data(as_text=True)
    assert load(rt, Event, event.id).attendance is None

    clock.freeze(hel(2026, 9, 30, 12, 0))
    page = signed_in.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'id="attendance-no_show"' in page and 'id="save-attendance"' in page
    assert signed_in.post(f"/events/{event.id}/attendance", {}).status_code == 302
    assert load(rt, Event, event.id).attendance is None  # nothing chosen
    done = signed_in.post(f"/events/{event.id}/attendance", {"attendance": "no_show"})
    assert done.status_code == 302
    stored = load(rt, Event, event.id)
    assert (stored.state, stored.attendance, stored.attendance_by) == ("done", "no_show",
                                                                      worker.id)
    page = signed_in.get(done.location).get_data(as_text=True)
    assert 'id="attendance-recorded"' in page and "Ei tullut" in page

    report = signed_in.get("/service-path?from=2026-09-01&to=2026-09-30").get_data(as_text=True)
    table = report[report.index('id="table-attendance"'):]
    table = table[:table.index("</table>")]
    row = '<th scope="row">terveydenhuolto</th><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td>'
    assert row in table


def test_opt_out_and_in_with_a_reason_on_the_client_page(signed_in: Browser, rt: Runtime,
                                                         worker: Worker) -> None:
    clock.freeze(NOW)
    client = make_client(rt, worker.id)
    page = signed_in.get(f"/clients/{client.id}").get_data(as_text=True)
    assert 'id="save-opt"' in page and 'name="choice" value="out"' in page
    empty = signed_in.post(f"/clients/{client.id}/opt", {"choice": "out", "reason": " "})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.get_data(as_text=True)
    assert load(rt, Client, client.id).opted_out is False

    done = signed_in.post(f"/clients/{client.id}/opt",
                          {"choice": "out", "reason": "Pyysi puhelimessa"})
    assert done.status_code == 302
    stored = load(rt, Client, client.id)
    assert (stored.opted_out, stored.opt_reason) == (True, "Pyysi puhelimessa")
    page = signed_in.get(done.location).get_data(as_text=True)
    assert "Pyysi puhelimessa" in page and 'name="choice" value="in"' in page

    back = signed_in.post(f"/clients/{client.id}/opt",
                          {"choice": "in", "reason": "Haluaa taas muistutukset"})
    assert back.status_code == 302 and load(rt, Client, client.id).opted_out is False
    audit = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "client",
                                                  AuditEntry.action == "update"))
    assert [(a.worker_id, a.detail) for a in audit] == [
        (worker.id, "opt-out recorded"), (worker.id, "opt-in recorded")]
