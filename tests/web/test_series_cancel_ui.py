"""Cancelling a whole series from its page: the same choice as cancelling one appointment
("Kerrotaanko asiakkaalle?"), the text or call script shown first, one notice for the
series when chosen, none when not, and a client who has opted out cannot be told."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from service import clock
from service.domain.events import lifecycle as ev
from service.domain.events import recurrence as rec
from service.domain.events import series
from service.domain.people.clients import record_opt_choice
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Event, Message, Worker
from tests.conftest import load, load_all
from tests.reach import hel
from tests.web.conftest import Browser, make_client

NOW = hel(2027, 3, 3, 12, 0)  # ke 3.3.2027, inside the client's window


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    clock.freeze(NOW)
    yield


def _series(rt: Runtime, client_id: int) -> Event:
    """Every Thursday at 14.30 Helsinki time from 4.3.2027."""
    with transaction(rt.sessions) as session:
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=hel(2027, 3, 4, 14, 30), place="Kirjasto",
            appointment_type="worker"), NOW)
        made = series.create_series(session, rt, event, rec.rrule_from_spec(
            rec.RuleSpec("weekly", byweekday=("TH",))), NOW, rt.config.horizon_days)
        session.expunge(made)
        return made


def _notices(rt: Runtime) -> list[Message]:
    return load_all(rt, select(Message).where(Message.direction == "out",
                                              Message.reminder_id.is_(None)))


def test_the_series_page_leads_to_the_choice_and_one_text_is_sent(
        signed_in: Browser, rt: Runtime, worker: Worker, gateway: DevelopmentGateway) -> None:
    made = _series(rt, make_client(rt, worker.id).id)
    show = signed_in.get(f"/events/{made.id}").get_data(as_text=True)
    assert f'href="/events/{made.id}/series/cancel"' in show
    page = signed_in.get(f"/events/{made.id}/series/cancel").get_data(as_text=True)
    assert "Kerrotaanko asiakkaalle?" in page and "Kyllä, lähetä tekstiviesti" in page
    assert "toistuvat aikasi to klo 14.30 on peruttu" in page
    assert "Asiakas saa yhden ilmoituksen koko sarjasta" in page
    assert 'id="notify-no" name="notify" value="0" checked' in page  # as for one time
    done = signed_in.post(f"/events/{made.id}/series/cancel", {
        "notify": "1", "notice_text": "Sosiaalitoimi: torstain ryhmä loppuu. Soita 0401111111"})
    assert done.status_code == 302
    [(kind, to, text)] = gateway.sent
    assert (kind, to, text) == ("sms", "+358401234567",
                                "Sosiaalitoimi: torstain ryhmä loppuu. Soita 0401111111")
    [notice] = _notices(rt)
    assert notice.event_id == made.id
    assert load(rt, Event, made.id).state == "cancelled"
    after = signed_in.get(done.location).get_data(as_text=True)
    assert "Sarja on peruttu." in after and "Tekstiviesti on lähetetty." in after


def test_no_notice_when_not_chosen(signed_in: Browser, rt: Runtime, worker: Worker,
                                   gateway: DevelopmentGateway) -> None:
    made = _series(rt, make_client(rt, worker.id).id)
    signed_in.get(f"/events/{made.id}/series/cancel")
    done = signed_in.post(f"/events/{made.id}/series/cancel", {"notify": "0"})
    assert done.status_code == 302
    assert gateway.sent == [] and _notices(rt) == []
    children = load_all(rt, select(Event).where(Event.series_id == made.id))
    assert children and {c.state for c in children} == {"cancelled"}
    again = signed_in.get(f"/events/{made.id}/series/cancel")
    assert again.status_code == 302  # already cancelled: back to the page


def test_a_client_who_opted_out_cannot_be_told(signed_in: Browser, rt: Runtime,
                                               worker: Worker,
                                               gateway: DevelopmentGateway) -> None:
    client = make_client(rt, worker.id)
    made = _series(rt, client.id)
    with transaction(rt.sessions) as session:
        record_opt_choice(session, session.get_one(Client, client.id), opted_out=True,
                          reason="pyysi", worker_id=worker.id, now=NOW)
    page = signed_in.get(f"/events/{made.id}/series/cancel").get_data(as_text=True)
    assert "Asiakkaalle ei voi lähettää tekstiviestiä:" in page
    assert "kieltäytynyt viesteistä" in page and 'id="notify-yes"' not in page
    refused = signed_in.post(f"/events/{made.id}/series/cancel", {"notify": "1"})
    assert refused.status_code == 422
    assert load(rt, Event, made.id).state != "cancelled"
    assert signed_in.post(f"/events/{made.id}/series/cancel", {}).status_code == 302
    assert load(rt, Event, made.id).state == "cancelled"
    assert gateway.sent == [] and _notices(rt) == []
