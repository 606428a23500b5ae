"""The plan that listens in the worker's UI: the preview says when a rule's time has
already passed, and a number the gateway refused is shown until the worker fixes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from service import clock
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Event, InboxItem, Reminder, Worker
from tests.conftest import load
from tests.web.conftest import Browser, make_appointment, make_client

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # Monday 10.00 in Helsinki
PASSED = "Ohitetaan: muistutuksen aika oli jo ohi, kun tapahtuma kirjattiin"


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(NOW)


def test_the_preview_says_a_rule_whose_time_passed_is_skipped(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    form = {"client_id": str(client.id), "appointment_type": "worker", "date": "1.6.2026",
            "time": "15.00", "place": "Sosiaalitoimisto, Keskuskatu 5", "action": "preview"}
    page = signed_in.post(url, form).get_data(as_text=True)
    assert page.count(PASSED) == 1  # the day-before reminder (Sunday 12.00)
    later = signed_in.post(url, {**form, "date": "4.6.2026"}).get_data(as_text=True)
    assert PASSED not in later


def test_a_blocked_number_is_shown_until_the_worker_edits_it(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id)
    make_appointment(rt, client.id, worker_id=worker.id)
    with transaction(rt.sessions) as session:
        row = session.get(Client, client.id)
        assert row is not None
        row.phone_check_reason, row.sms_blocked_at = "no_number", NOW
        for reminder in session.scalars(select(Reminder)):
            if reminder.channel == "sms":
                reminder.state, reminder.reason = "skipped", "sms_blocked"
    page = signed_in.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Tarkista asiakkaan puhelinnumero." in page
    assert "Tekstiviestejä ei lähetetä tähän numeroon" in page
    response = signed_in.post(f"/clients/{client.id}/edit", {
        "name": "Matti Mäkinen", "phone": "040 765 4321", "language": "fi",
        "channel": "auto", "worker_id": str(worker.id), "action": "save"})
    assert response.status_code == 302
    row = load(rt, Client, client.id)
    assert (row.phone_check_reason, row.sms_blocked_at, row.phone) == (
        None, None, "+358407654321")
    with transaction(rt.sessions) as session:
        planned = session.scalars(select(Reminder).where(Reminder.state == "planned")).all()
        assert "sms" in {r.channel for r in planned}  # texts planned again to the new number
    assert "Tarkista asiakkaan puhelinnumero." not in signed_in.get(
        f"/clients/{client.id}").get_data(as_text=True)


def test_the_worker_records_a_decline_and_the_reminders_stop(
        signed_in: Browser, rt: Runtime, worker: Worker, other_worker: Worker) -> None:
    client = make_client(rt, other_worker.id)  # a colleague's client, who phoned us
    event = make_appointment(rt, client.id, worker_id=other_worker.id)
    page = signed_in.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'id="record-answer"' in page
    response = signed_in.post(f"/events/{event.id}/answer", {"answer": "declined"})
    assert response.status_code == 302
    assert load(rt, Event, event.id).state == "declined"
    with transaction(rt.sessions) as session:
        rows = session.scalars(select(Reminder).where(Reminder.event_id == event.id)).all()
        assert not [r for r in rows if r.state == "planned" and r.recipient == "client"]
        assert {r.reason for r in rows if r.recipient == "client"} >= {"declined"}
        [item] = session.scalars(select(InboxItem)).all()
        assert (item.worker_id, item.intent) == (other_worker.id, "decline")
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "event", AuditEntry.detail == "answer: declined")).one()
        assert entry.worker_id == worker.id
    again = signed_in.post(f"/events/{event.id}/answer", {"answer": "maybe"})
    assert again.status_code == 302 and "ei voi kirjata" in signed_in.get(
        f"/events/{event.id}").get_data(as_text=True)
