"""Trusted persons through the JSON API: consent recorded, reminders joined, consent withdrawn."""

from __future__ import annotations

from sqlalchemy import select

from service.domain.planning import reminder_states as rstate
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Worker
from tests.conftest import Api
from tests.reach import SECOND, hel, new_appointment, new_client, reminders, run

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 20, 9, 0)
PERSON = {"name": "Liisa Mäkinen", "phone": "050 765 4321", "relation": "support_person",
          "consent_method": "in_person"}


def test_consent_must_be_recorded(api: Api, rt: Runtime) -> None:
    cid = new_client(api)
    r = api.post(f"/clients/{cid}/trusted-persons", {**PERSON, "consent_method": ""})
    assert r.status_code == 422 and "consent_method" in r.json["errors"]
    r = api.post(f"/clients/{cid}/trusted-persons",
                 {**PERSON, "consent_at": "2999-01-01T10:00:00+02:00"})
    assert r.status_code == 422 and "consent_at" in r.json["errors"]
    r = api.post(f"/clients/{cid}/trusted-persons", {**PERSON, "consent_at": "2026-01-01T10:00"})
    assert r.status_code == 422 and "Aikavyöhyke" in r.json["errors"]["consent_at"]
    assert api.get(f"/clients/{cid}/trusted-persons").json["trusted_persons"] == []


def test_bad_numbers_and_unknown_clients(api: Api) -> None:
    cid = new_client(api)
    r = api.post(f"/clients/{cid}/trusted-persons", {**PERSON, "phone": "12"})
    assert r.status_code == 422 and "phone" in r.json["errors"]
    r = api.post(f"/clients/{cid}/trusted-persons", {**PERSON, "phone": "040 123 4567"})
    assert r.status_code == 422 and "oma numero" in r.json["errors"]["phone"]
    r = api.post(f"/clients/{cid}/trusted-persons", {**PERSON, "relation": "neighbour"})
    assert r.status_code == 422 and "relation" in r.json["errors"]
    assert api.post("/clients/999999/trusted-persons", PERSON).status_code == 404
    assert api.get("/clients/999999/trusted-persons").status_code == 404


def test_who_when_and_how_is_recorded(api: Api, rt: Runtime, worker: Worker) -> None:
    cid = new_client(api)
    r = api.post(f"/clients/{cid}/trusted-persons",
                 {**PERSON, "consent_at": "2026-05-04T13:15:00+03:00"})
    assert r.status_code == 201, r.json
    person = r.json
    assert person["phone"] == "+358507654321" and person["number_type"] == "mobile"
    assert person["consent"] == {"at": "2026-05-04T10:15:00+00:00", "method": "in_person",
                                 "recorded_by": worker.id, "shares_client_name": False}
    assert person["active"] is True and person["opted_out"] is False
    listed = api.get(f"/clients/{cid}/trusted-persons").json["trusted_persons"]
    assert [p["id"] for p in listed] == [person["id"]]
    # The same person twice for the same client is refused.
    again = api.post(f"/clients/{cid}/trusted-persons", PERSON)
    assert again.status_code == 422 and "phone" in again.json["errors"]
    with transaction(rt.sessions) as session:
        details = [e.detail for e in session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "client", AuditEntry.object_id == cid))]
    assert f"trusted person {person['id']} added, consent in_person" in details


def test_a_person_added_later_gets_only_the_reminders_still_to_come(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, hel(2026, 9, 23, 10, 0, 1))  # the week-before reminder went to the client
    assert api.post(f"/clients/{cid}/trusted-persons",
                    {**PERSON, "phone": "014 765 4321"}).status_code == 201
    theirs = [r for r in reminders(rt, event["id"]) if r.recipient == "trusted"]
    assert sorted(r.rule_id for r in theirs) == ["day_before", "same_morning"]
    assert {r.channel for r in theirs} == {"voice"}  # a landline gets calls
    run(rt, hel(2026, 9, 29, 12, 0, 1))
    assert ("voice", "+358147654321") in {(kind, to) for kind, to, _ in gateway.sent}


def test_withdrawn_consent_stops_their_reminders(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    pid = api.post(f"/clients/{cid}/trusted-persons", PERSON).json["id"]
    event = new_appointment(api, cid, STARTS, REGISTERED)
    planned = [r for r in reminders(rt, event["id"]) if r.recipient == "trusted"]
    assert len(planned) == 3

    bad = api.post(f"/clients/{cid}/trusted-persons/{pid}/deactivate", {"reason": "bored"})
    assert bad.status_code == 422
    assert api.post(f"/clients/{cid + 1}/trusted-persons/{pid}/deactivate").status_code == 404
    r = api.post(f"/clients/{cid}/trusted-persons/{pid}/deactivate")
    assert r.status_code == 200, r.json
    assert r.json["active"] is False and r.json["cancelled_reminders"] == 3
    assert r.json["deactivation_reason"] == "consent_withdrawn"
    assert api.post(f"/clients/{cid}/trusted-persons/{pid}/deactivate").json[
        "cancelled_reminders"] == 0

    theirs = [r for r in reminders(rt, event["id"]) if r.recipient == "trusted"]
    assert {(r.state, r.reason) for r in theirs} == {(rstate.CANCELLED, "consent_withdrawn")}
    run(rt, hel(2026, 9, 23, 10, 0, 1))
    run(rt, hel(2026, 9, 29, 12, 0, 1))
    assert {to for _, to, _ in gateway.sent} == {"+358401234567"}
    # A new event after the withdrawal plans nothing for them.
    later = new_appointment(api, cid, hel(2026, 10, 20, 10, 0), hel(2026, 10, 1, 9, 0))
    assert all(r.recipient != "trusted" for r in reminders(rt, later["id"]))


def test_reminders_planned_before_a_withdrawal_are_not_sent_even_if_due(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    """Belt and braces: the dispatch pass checks the person again at send time."""
    cid = new_client(api)
    pid = api.post(f"/clients/{cid}/trusted-persons", PERSON).json["id"]
    event = new_appointment(api, cid, STARTS, REGISTERED)
    from service.store.models import TrustedPerson

    with transaction(rt.sessions) as session:
        person = session.get(TrustedPerson, pid)
        assert person is not None
        person.active, person.deactivation_reason = False, "ended_by_worker"
    result = run(rt, hel(2026, 9, 23, 10, 0) + SECOND)
    assert (result.delivered, result.skipped) == (1, 1)
    week = {r.recipient: r for r in reminders(rt, event["id"]) if r.rule_id == "week_before"}
    assert week["trusted"].reason == "ended_by_worker"


def test_the_endpoints_are_described_in_openapi(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    assert {"/clients/{client_id}/trusted-persons",
            "/clients/{client_id}/trusted-persons/{id}/deactivate",
            "/events/{id}/documents-in"} <= set(paths)
