"""A client who declined and then comes after all gets back the reminders still ahead
(domain/planning/answers.py restore_declined), end to end on SQLite and PostgreSQL:
the signed SMS webhook or the worker's recorded answer, the real schedule, the
development gateway and a controlled clock.

The appointment is on Wednesday 30 September 2026 at 10.30, registered on Friday the
25th (as in test_plan_listens.py): what to bring on Sunday the 27th at 10.00, book the
taxi on Tuesday the 29th at 10.00, the day before at 12.00 (unconfirmed), the worker's
task at 15.30 (unconfirmed), the same morning at 7.30 (unconfirmed).
"""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain.planning import reminder_states as rstate
from service.domain.replies.inbound import RESTORED
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.models import AuditEntry, Event, Reminder, Worker
from tests.conftest import Api, load, load_all
from tests.reach import (
    SECOND,
    by_rule,
    hel,
    inbox,
    new_appointment,
    new_client,
    run,
    sms_reply,
)
from tests.web.conftest import Browser, make_worker

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 25, 9, 0)
CLIENT_PHONE = "+358401234567"
SUNDAY = hel(2026, 9, 27, 11, 0)  # after the what-to-bring text went out
MONDAY = hel(2026, 9, 28, 9, 0)
TUESDAY_NOON = hel(2026, 9, 29, 12, 30)  # the taxi reminder's time has passed


def _declined(api: Api, rt: Runtime, gateway: DevelopmentGateway, client: FlaskClient
              ) -> tuple[int, int]:
    """A client with the appointment, who got the what-to-bring text and said "en pääse"."""
    cid = new_client(api)
    event = int(new_appointment(api, cid, STARTS, REGISTERED, bring="henkilökortti",
                                needs_transport=True)["id"])
    assert run(rt, by_rule(rt, event)["what_to_bring"].send_at + SECOND).delivered == 1
    sms_reply(client, CLIENT_PHONE, "en pääse", SUNDAY)
    assert load(rt, Event, event).state == "declined"
    for rule in ("book_transport", "day_before", "same_morning"):
        assert _state(rt, event, rule) == (rstate.SKIPPED, "declined"), rule
    return cid, event


def _state(rt: Runtime, event: int, rule: str) -> tuple[str, str | None]:
    row = by_rule(rt, event)[rule]
    return row.state, row.reason


def test_a_confirm_after_a_decline_plans_the_taxi_reminder_again_and_it_goes(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    _, event = _declined(api, rt, gateway, client)
    sms_reply(client, CLIENT_PHONE, "pääsenkin tulemaan", MONDAY)

    assert load(rt, Event, event).state == "confirmed"
    taxi = by_rule(rt, event)["book_transport"]
    assert (taxi.state, taxi.reason, taxi.updated_at) == (rstate.PLANNED, None, MONDAY)
    # The confirm's own rules apply as usual: what only waited for an answer stays off.
    for rule in ("day_before", "same_morning", "call_the_client"):
        assert _state(rt, event, rule) == (rstate.SKIPPED, "confirmed"), rule
    confirm = inbox(rt, "reply")[-1]
    assert (confirm.intent, confirm.event_id, confirm.summary) == ("confirm", event, RESTORED)
    assert "muistutukset palautettiin" in confirm.summary

    assert run(rt, taxi.send_at - SECOND).claimed == 0  # not before its time
    assert run(rt, taxi.send_at + SECOND).delivered == 1
    assert gateway.sent[-1][:2] == ("sms", CLIENT_PHONE)
    assert "tilaa Kela-taksi" in gateway.sent[-1][2]
    assert run(rt, hel(2026, 9, 30, 9, 0)).claimed == 0
    assert len(gateway.sent) == 2


def test_a_reminder_whose_time_passed_while_declined_stays_skipped(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    _, event = _declined(api, rt, gateway, client)
    run(rt, TUESDAY_NOON)
    sms_reply(client, CLIENT_PHONE, "pääsenkin tulemaan", TUESDAY_NOON)

    assert load(rt, Event, event).state == "confirmed"
    assert _state(rt, event, "book_transport") == (rstate.SKIPPED, "declined")
    assert not [r for r in _all(rt, event) if r.state == rstate.PLANNED
                and r.recipient == "client"]
    confirm = inbox(rt, "reply")[-1]
    assert (confirm.intent, confirm.summary) == ("confirm", "Asiakas vahvisti.")
    run(rt, hel(2026, 9, 30, 9, 0))
    assert len(gateway.sent) == 1  # only the what-to-bring text, before the decline


def _recorded_by_colleague(rt: Runtime, client: FlaskClient, event: int) -> tuple[Worker, str]:
    """Another worker records on Monday that the client comes (they phoned); the event
    page after it."""
    colleague = make_worker(rt, "pekka@example.fi", "Pekka Päivystäjä")
    browser = Browser(client)
    run(rt, MONDAY)  # (the clock the web request sees)
    browser.login(colleague.email)
    response = browser.post(f"/events/{event}/answer", {"answer": "confirmed"})
    assert response.status_code == 302
    return colleague, browser.get(f"/events/{event}").get_data(as_text=True)


def test_an_opted_out_client_gets_nothing_back(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    _, event = _declined(api, rt, gateway, client)
    sms_reply(client, CLIENT_PHONE, "LOPETA", SUNDAY + timedelta(minutes=1))
    # Our answer to the stop is the last text they got, so a text now answers nothing:
    # they phone, and the worker records it.
    _, page = _recorded_by_colleague(rt, client, event)

    assert "Ohitettuja muistutuksia: 1." in page  # the worker's task to phone them
    assert load(rt, Event, event).state == "confirmed"
    assert _state(rt, event, "book_transport") == (rstate.SKIPPED, "declined")
    assert inbox(rt, "reply")[-1].summary == "Työntekijä kirjasi: asiakas vahvisti ajan."
    sent = len(gateway.sent)  # (the opt-out confirmation text)
    run(rt, hel(2026, 9, 29, 10, 0) + SECOND)
    run(rt, hel(2026, 9, 30, 9, 0))
    assert len(gateway.sent) == sent


def test_a_confirm_the_worker_records_restores_too(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway,
        worker: Worker) -> None:
    _, event = _declined(api, rt, gateway, client)
    colleague, page = _recorded_by_colleague(rt, client, event)
    assert "Palautettuja muistutuksia: 1." in page

    assert load(rt, Event, event).state == "confirmed"
    assert _state(rt, event, "book_transport") == (rstate.PLANNED, None)
    assert _state(rt, event, "day_before") == (rstate.SKIPPED, "confirmed")
    item = inbox(rt, "reply")[-1]  # for the client's own worker, who did not record it
    assert item.intent == "confirm" and "muistutukset palautettiin" in item.summary
    entries = load_all(rt, select(AuditEntry).where(
        AuditEntry.object_type == "event", AuditEntry.object_id == event,
        AuditEntry.worker_id == colleague.id, AuditEntry.action == "update"))
    assert [e.detail for e in entries] == ["answer: confirmed, restored: 1"]
    # The client's own worker reads it in their inbox, in Swedish too.
    assert item.worker_id == worker.id
    own = Browser(client)
    own.logout()  # (the colleague, on the same test client)
    own.login(worker.email)
    assert "muistutukset palautettiin" in own.get(f"/inbox/{item.id}").get_data(as_text=True)
    own.post("/language", {"lang": "sv", "next": "/"})
    assert "De återstående påminnelserna har återställts." in own.get(
        f"/inbox/{item.id}").get_data(as_text=True)
    taxi = by_rule(rt, event)["book_transport"].send_at
    assert run(rt, taxi + SECOND).delivered == 1
    assert "tilaa Kela-taksi" in gateway.sent[-1][2]


def test_a_trusted_person_gets_theirs_back_unless_no_longer_active(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    liisa, pekka = (api.post(f"/clients/{cid}/trusted-persons", {
        "name": name, "phone": phone, "relation": "support_person",
        "consent_method": "in_person"}).json["id"] for name, phone in (
            ("Liisa Mäkinen", "050 765 4321"), ("Pekka Mäkinen", "050 765 4322")))
    event = int(new_appointment(api, cid, STARTS, REGISTERED, bring="henkilökortti",
                                needs_transport=True)["id"])
    assert run(rt, by_rule(rt, event)["what_to_bring"].send_at + SECOND).delivered == 3
    sms_reply(client, CLIENT_PHONE, "en pääse", SUNDAY)
    assert load(rt, Event, event).state == "declined"
    assert api.post(f"/clients/{cid}/trusted-persons/{pekka}/deactivate").status_code == 200
    sms_reply(client, CLIENT_PHONE, "pääsenkin tulemaan", MONDAY)

    taxi = {r.trusted_person_id: (r.state, r.reason) for r in _all(rt, event)
            if r.rule_id == "book_transport"}
    assert taxi == {None: (rstate.PLANNED, None), liisa: (rstate.PLANNED, None),
                    pekka: (rstate.SKIPPED, "declined")}
    before = len(gateway.sent)
    run(rt, hel(2026, 9, 29, 10, 0) + SECOND)
    assert sorted(to for _, to, _ in gateway.sent[before:]) == [CLIENT_PHONE, "+358507654321"]


def test_after_a_reschedule_only_the_new_times_come_back(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    """Moving the appointment plans new rows and leaves the old ones skipped: a confirm
    after the next decline must not bring back the old times."""
    _, event = _declined(api, rt, gateway, client)
    moved = hel(2026, 10, 2, 10, 30)  # Friday
    r = api.client.patch(f"/api/v1/events/{event}", json={"starts_at": moved.isoformat()},
                         headers=api.headers)
    assert r.status_code == 200, r.json
    sms_reply(client, CLIENT_PHONE, "en pääse", MONDAY)
    sms_reply(client, CLIENT_PHONE, "pääsenkin tulemaan", MONDAY + timedelta(hours=1))

    assert load(rt, Event, event).state == "confirmed"
    taxis = [r for r in _all(rt, event)
             if r.rule_id == "book_transport" and r.recipient == "client"]
    assert [(r.state, r.send_at) for r in taxis if r.state != rstate.CANCELLED] == [
        (rstate.SKIPPED, hel(2026, 9, 29, 10, 0)), (rstate.PLANNED, hel(2026, 10, 1, 10, 0))]
    # Tuesday 10.00 is the new what-to-bring text's time (restored too), not the taxi's.
    assert run(rt, hel(2026, 9, 29, 10, 0) + SECOND).delivered == 1
    assert "Kela-taksi" not in gateway.sent[-1][2]
    assert run(rt, hel(2026, 10, 1, 10, 0) + SECOND).delivered == 1
    assert "tilaa Kela-taksi" in gateway.sent[-1][2]


def test_a_reading_corrected_to_a_confirm_restores_too(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    _, event = _declined(api, rt, gateway, client)
    sms_reply(client, CLIENT_PHONE, "ehkä mä sittenkin tuun", MONDAY)
    unclear = inbox(rt, "reply")[-1]
    assert (unclear.intent, unclear.holds) == ("unknown", True)
    assert _state(rt, event, "book_transport") == (rstate.SKIPPED, "declined")

    assert api.post(f"/inbox/{unclear.id}/correct", {"intent": "confirm"}).status_code == 200
    assert load(rt, Event, event).state == "confirmed"
    assert _state(rt, event, "book_transport") == (rstate.PLANNED, None)
    assert inbox(rt, "reply")[-1].summary == RESTORED
    assert run(rt, hel(2026, 9, 29, 10, 0) + SECOND).delivered == 1
    assert "tilaa Kela-taksi" in gateway.sent[-1][2]


def test_a_number_changed_while_declined_still_comes_back_to_the_new_number(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway,
        worker: Worker) -> None:
    """A changed number plans the event again while it is declined: the new rows keep
    the time they would go, so a confirm brings them back (and not the old ones)."""
    cid, event = _declined(api, rt, gateway, client)
    browser = Browser(client)
    run(rt, SUNDAY + timedelta(hours=1))
    browser.login(worker.email)
    edited = browser.post(f"/clients/{cid}/edit", {
        "name": "Matti Mäkinen", "phone": "040 765 4321", "language": "fi",
        "channel": "auto", "worker_id": str(worker.id), "action": "save"})
    assert edited.status_code == 302
    run(rt, MONDAY)
    assert browser.post(f"/events/{event}/answer", {"answer": "confirmed"}).status_code == 302

    taxis = [r for r in _all(rt, event)
             if r.rule_id == "book_transport" and r.recipient == "client"]
    assert [(r.state, r.reason) for r in taxis] == [
        (rstate.SKIPPED, "declined"), (rstate.PLANNED, None)]
    assert taxis[1].send_at == hel(2026, 9, 29, 10, 0)
    assert run(rt, taxis[1].send_at + SECOND).delivered == 1
    assert gateway.sent[-1][:2] == ("sms", "+358407654321")
    assert "tilaa Kela-taksi" in gateway.sent[-1][2]


def _all(rt: Runtime, event: int) -> list[Reminder]:
    return load_all(rt, select(Reminder).where(Reminder.event_id == event))
