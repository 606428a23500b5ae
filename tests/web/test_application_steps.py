"""An application's page: "papers delivered" and "decision came" (with its date), each
with its errors, the reminders they stop, and the audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from service import clock
from service.domain.events import lifecycle as ev
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Event, Reminder, Worker
from service.store.states import EventState, ReminderState
from tests.web.conftest import Browser, make_appointment, make_client

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _application(rt: Runtime, client_id: int) -> int:
    with transaction(rt.sessions) as session:
        event = ev.build_application(session, ev.ApplicationInput(
            client_id=client_id, agency="Kela", submitted_on=date(2026, 11, 20),
            documents_due=date(2026, 12, 20), decision_expected=date(2027, 1, 15)), NOW)
        ev.register_event(session, rt, event, NOW, None)
        return event.id


def _reminders(rt: Runtime, event_id: int) -> list[Reminder]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(Reminder).where(Reminder.event_id == event_id)))


def test_papers_delivered_then_decision(signed_in: Browser, rt: Runtime,
                                        worker: Worker) -> None:
    person = make_client(rt, worker.id)
    clock.freeze(NOW)
    event_id = _application(rt, person.id)
    assert any(r.state == ReminderState.PLANNED for r in _reminders(rt, event_id))
    page = signed_in.get(f"/events/{event_id}").get_data(as_text=True)
    assert 'id="documents-in"' in page and 'id="record-decision"' in page
    assert signed_in.post(f"/events/{event_id}/documents-in").status_code == 302
    with transaction(rt.sessions) as session:
        event = session.get(Event, event_id)
        assert event is not None and event.state == EventState.DOCUMENTS_IN
        assert event.documents_in_at == NOW
    assert not [r for r in _reminders(rt, event_id)
                if r.condition == "documents_missing" and r.state == ReminderState.PLANNED]
    page = signed_in.get(f"/events/{event_id}").get_data(as_text=True)
    assert 'id="documents-done"' in page and 'id="documents-in"' not in page
    assert signed_in.post(f"/events/{event_id}/decision",
                          {"decided_on": "30.11.2026"}).status_code == 302
    with transaction(rt.sessions) as session:
        event = session.get(Event, event_id)
        assert event is not None and event.state == EventState.DECIDED
        assert event.decided_at is not None
        assert event.decided_at.astimezone(rt.config.tz).date() == date(2026, 11, 30)
        details = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.object_type == "event", AuditEntry.object_id == event_id)).all()
    assert any("decision came 2026-11-30" in d for d in details)
    assert any("documents in" in d for d in details)
    assert not [r for r in _reminders(rt, event_id) if r.state == ReminderState.PLANNED]
    page = signed_in.get(f"/events/{event_id}").get_data(as_text=True)
    assert 'value="30.11.2026"' in page and "Päätös tuli" in page


@pytest.mark.parametrize(("raw", "words"), [
    ("", "Anna päivämäärä"),
    ("2.12.2026", "tulevaisuudessa"),
    ("1.11.2026", "ennen kuin hakemus jätettiin"),
    ("32.1.2026", ""),
])
def test_decision_date_errors(signed_in: Browser, rt: Runtime, worker: Worker, raw: str,
                              words: str) -> None:
    person = make_client(rt, worker.id)
    clock.freeze(NOW)
    event_id = _application(rt, person.id)
    signed_in.get(f"/events/{event_id}")
    response = signed_in.post(f"/events/{event_id}/decision", {"decided_on": raw})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="decided_on-error"' in page and words in page
    with transaction(rt.sessions) as session:
        event = session.get(Event, event_id)
        assert event is not None and event.state == EventState.PLANNED
        assert event.decided_at is None


def test_steps_are_not_for_appointments_or_cancelled(signed_in: Browser, rt: Runtime,
                                                     worker: Worker) -> None:
    person = make_client(rt, worker.id)
    appointment = make_appointment(rt, person.id, worker_id=worker.id)
    clock.freeze(NOW)
    signed_in.get("/")
    assert signed_in.post(f"/events/{appointment.id}/documents-in").status_code == 404
    assert signed_in.post(f"/events/{appointment.id}/decision",
                          {"decided_on": "1.12.2026"}).status_code == 404
    event_id = _application(rt, person.id)
    with transaction(rt.sessions) as session:
        event = session.get(Event, event_id)
        assert event is not None
        ev.cancel_event(session, event, NOW + timedelta(seconds=1))
    page = signed_in.post(f"/events/{event_id}/documents-in")
    assert page.status_code == 422 and "Hakemus on peruttu." in page.get_data(as_text=True)
