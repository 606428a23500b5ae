"""A message to many clients (filter, list, preview with segments, UCS-2 and cost,
exclusions counted, queued in each client's window, audited, progress) and the printable
list of my appointments this week and next."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from service import clock
from service.domain.events import lifecycle as ev
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling.adhoc_messages import send_queued_messages
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Event, Message, Worker
from service.store.states import EventKind, MessageStatus
from service.web.ui.bulk import MAX_CLIENTS
from tests.web.conftest import Browser, make_client

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tuesday 12.00 in Helsinki


def _appointment(rt: Runtime, client_id: int, day_offset: int, hour: int = 10) -> int:
    day = NOW.astimezone(rt.config.tz).date() + timedelta(days=day_offset)
    with transaction(rt.sessions) as session:
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=datetime.combine(day, time(hour), tzinfo=rt.config.tz),
            place="Ryhmähuone 2"), NOW)
        ev.register_event(session, rt, event, NOW, None)
        return event.id


def _group(rt: Runtime, worker: Worker) -> dict[str, int]:
    people = {"aino": make_client(rt, worker.id, "Aino Aalto", "040 111 2222"),
              "eino": make_client(rt, worker.id, "Eino Eskola", "040 333 4444"),
              "kalle": make_client(rt, worker.id, "Kalle Kiel", "040 555 6666"),
              "lanka": make_client(rt, worker.id, "Lea Lanka", "014 123 4567"),
              "muu": make_client(rt, worker.id, "Ville Viikko", "040 777 8888")}
    with transaction(rt.sessions) as session:
        kalle = session.get(Client, people["kalle"].id)
        assert kalle is not None
        kalle.opted_out = True
    for key in ("aino", "eino", "kalle", "lanka"):
        _appointment(rt, people[key].id, 1)
    _appointment(rt, people["muu"].id, 5)
    return {k: c.id for k, c in people.items()}


def test_tomorrows_group_preview_then_send(signed_in: Browser, rt: Runtime, worker: Worker,
                                           gateway: DevelopmentGateway) -> None:
    clock.freeze(NOW)
    ids = _group(rt, worker)
    page = signed_in.get("/bulk").get_data(as_text=True)
    assert 'value="2.12.2026"' in page  # tomorrow by default
    body = "Huomisen ryhmä on huoneessa 5 \U0001F44B"
    form = {"audience": "appointments", "day": "2.12.2026", "only_mine": "1", "body": body,
            "action": "preview"}
    page = signed_in.post("/bulk", form).get_data(as_text=True)
    for name in ("Aino Aalto", "Eino Eskola", "Kalle Kiel", "Lea Lanka"):
        assert name in page
    assert "Ville Viikko" not in page
    assert 'id="bulk-recipients">2<' in page
    assert 'id="left-out-opted_out">1<' in page and 'id="left-out-no_sms">1<' in page
    assert "U+1F44B" in page and "UCS-2" in page
    assert 'id="bulk-cost">Kustannusarvio: 0,16 €' in page and "Arvio" in page
    assert 'id="bulk-send"' in page and gateway.sent == []
    # the worker unticks Eino: only Aino gets it
    response = signed_in.post("/bulk", form | {
        "action": "send", "picked": "1",
        "client_id": [str(ids["aino"]), str(ids["kalle"]), str(ids["lanka"])]})
    assert response.status_code == 302 and "/bulk/sent" in response.location
    with transaction(rt.sessions) as session:
        messages = session.scalars(select(Message).where(Message.worker_id == worker.id)).all()
        assert [(m.client_id, m.status) for m in messages] == [(ids["aino"],
                                                                MessageStatus.QUEUED)]
        audit = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "bulk")).one()
        assert "1 texts queued" in audit.detail and "opted_out 1" in audit.detail
    page = signed_in.get(response.location).get_data(as_text=True)
    assert 'id="bulk-total">1<' in page and 'id="status-queued">1<' in page
    assert 'id="left-out-opted_out">1<' in page
    assert gateway.sent == []  # the dispatch pass sends it, within the rate limits
    assert send_queued_messages(rt, NOW) == 1
    assert gateway.sent == [("sms", "+358401112222", body)]
    page = signed_in.get(response.location).get_data(as_text=True)
    assert 'id="status-queued"' not in page


def test_bulk_at_night_waits_for_the_window(signed_in: Browser, rt: Runtime, worker: Worker,
                                            gateway: DevelopmentGateway) -> None:
    clock.freeze(NOW)
    ids = _group(rt, worker)
    night = NOW + timedelta(hours=12)
    clock.freeze(night)
    signed_in.get("/bulk")
    response = signed_in.post("/bulk", {"audience": "mine", "body": "Huomenna ryhmä.",
                                        "action": "send"})
    assert response.status_code == 302
    page = signed_in.get(response.location).get_data(as_text=True)
    assert 'id="bulk-waiting">3<' in page
    assert send_queued_messages(rt, night) == 0 and gateway.sent == []
    assert ids


def test_bulk_errors(signed_in: Browser, rt: Runtime, worker: Worker,
                     gateway: DevelopmentGateway) -> None:
    clock.freeze(NOW)
    _group(rt, worker)
    signed_in.get("/bulk")
    cases = [
        ({"audience": "appointments", "day": "huomenna"}, 'id="day-error"'),
        ({"audience": "worker", "worker_id": ""}, 'id="worker_id-error"'),
        ({"audience": "mine", "body": "Katso https://example.fi"}, "Viestissä on linkki"),
        ({"audience": "mine", "body": ""}, "Kirjoita viesti."),
        ({"audience": "appointments", "day": "24.12.2026", "body": "Hei"},
         "Kukaan valituista ei voi saada tekstiviestiä."),
    ]
    for form, words in cases:
        response = signed_in.post("/bulk", form | {"action": "send"})
        assert response.status_code == 422, form
        assert words in response.get_data(as_text=True), form
    with transaction(rt.sessions) as session:
        assert session.scalars(select(Message)).all() == []
    assert signed_in.get("/bulk/sent?at=2026-12-01T10:00:00+00:00").status_code == 404


def _many(rt: Runtime, worker: Worker, n: int) -> None:
    """n of the worker's clients, each with an appointment tomorrow (rows written
    directly: only their number matters here)."""
    tomorrow = datetime.combine(NOW.astimezone(rt.config.tz).date() + timedelta(days=1),
                                time(10), tzinfo=rt.config.tz)
    with transaction(rt.sessions) as session:
        people = [Client(name=f"Asiakas {i:03d}", phone=f"+35840{i:07d}",
                         number_type="mobile", worker_id=worker.id) for i in range(n)]
        session.add_all(people)
        session.flush()
        session.add_all(Event(client_id=c.id, kind=EventKind.APPOINTMENT, starts_at=tomorrow,
                              place="Ryhmähuone 2") for c in people)


def test_the_cap_is_shown_and_more_clients_are_refused_saying_what_to_do(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    clock.freeze(NOW)
    assert MAX_CLIENTS == 500
    form = signed_in.get("/bulk").get_data(as_text=True)
    assert "Viestin voi lähettää kerralla enintään 500 asiakkaalle." in form
    _many(rt, worker, MAX_CLIENTS)
    exactly = signed_in.post("/bulk", {"audience": "mine", "body": "Hei"})
    assert exactly.status_code == 200 and "Löytyneet asiakkaat (500)" in exactly.get_data(
        as_text=True)
    _many(rt, worker, 1)  # one more: 501 of mine, 501 with an appointment tomorrow
    for fields, error_id in (({"audience": "mine"}, "audience-error"),
                             ({"audience": "appointments", "day": "2.12.2026"}, "day-error"),
                             ({"audience": "worker", "worker_id": worker.id},
                              "worker_id-error")):
        for action in ("preview", "send"):
            refused = signed_in.post("/bulk", fields | {"body": "Hei", "action": action})
            html = refused.get_data(as_text=True)
            assert refused.status_code == 422, (fields, action)
            assert f'id="{error_id}"' in html, fields
            assert "Valinnalla löytyi yli 500 asiakasta." in html
            assert "rajaa valintaa" in html and 'id="bulk-clients"' not in html
    with transaction(rt.sessions) as session:
        assert session.scalars(select(Message)).all() == []


def test_my_upcoming_appointments_this_week_and_next(signed_in: Browser, rt: Runtime,
                                                     worker: Worker,
                                                     other_worker: Worker) -> None:
    clock.freeze(NOW)
    mine = make_client(rt, worker.id, "Aino Aalto", "040 111 2222")
    theirs = make_client(rt, other_worker.id, "Olli Muu", "040 333 4444")
    _appointment(rt, mine.id, 1)       # Wed this week
    _appointment(rt, mine.id, 12, 9)   # Sun next week
    _appointment(rt, mine.id, 13)      # Mon after next: out
    _appointment(rt, theirs.id, 2)     # another worker's client: out
    page = signed_in.get("/appointments/upcoming").get_data(as_text=True)
    assert page.count('id="upcoming-') == 2 and "Olli Muu" not in page
    assert "ke 2.12.2026" in page and "su 13.12.2026" in page and "ma 14.12.2026" not in page
    assert "desk.css" in page and 'data-print' in page
    assert "@media print" in signed_in.get("/static/desk.css").get_data(as_text=True)


def test_the_new_pages_speak_swedish_and_english(signed_in: Browser, rt: Runtime,
                                                 worker: Worker) -> None:
    clock.freeze(NOW)
    _group(rt, worker)
    signed_in.get("/")
    signed_in.post("/language", {"lang": "sv", "next": "/"})
    page = signed_in.get("/appointments/upcoming").get_data(as_text=True)
    assert "<h1>Mina kommande tider</h1>" in page
    page = signed_in.post("/bulk", {"audience": "mine", "body": "Hej \U0001F44B kela.fi",
                                    "action": "preview"}).get_data(as_text=True)
    assert "Meddelande till flera klienter" in page and "Tecknet" in page
    assert "Meddelandet innehåller en länk (kela.fi)" in page
    assert "Kostnadsuppskattning: 0,24 €" in page
    assert "Ett meddelande kan skickas till högst 500 klienter åt gången." in page
    signed_in.post("/language", {"lang": "en", "next": "/"})
    page = signed_in.post("/bulk", {"audience": "mine", "body": "Hello",
                                    "action": "preview"}).get_data(as_text=True)
    assert "Estimated cost: €0.24" in page and "Left out:" in page
    assert "A message can go to at most 500 clients at a time." in page
