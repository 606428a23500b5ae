"""Opting out and back in, for the client and for a trusted person, end to end.

A client's STOP: opted out at once, one confirmation that says how to start again,
the worker alerted at once; no reminders to the client or their trusted persons
after it, while the worker's own tasks go on. START brings the reminders back.
A trusted person's STOP stops only their own messages.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from service.domain.planning import reminder_states as rstate
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Event, Message, TrustedPerson
from tests.conftest import Api
from tests.reach import (
    SECOND,
    hel,
    inbox,
    new_appointment,
    new_client,
    reminders,
    run,
    sms_reply,
)

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 20, 9, 0)
WEEK_BEFORE = hel(2026, 9, 23, 10, 0)
DAY_BEFORE = hel(2026, 9, 29, 12, 0)
CLIENT = "+358401234567"
TRUSTED = "+358507654321"


def _with_trusted_person(api: Api, language: str = "sv") -> tuple[int, int]:
    cid = new_client(api)
    r = api.post(f"/clients/{cid}/trusted-persons", {
        "name": "Greta Mäkinen", "phone": "050 765 4321", "language": language,
        "relation": "family", "consent_method": "phone"})
    assert r.status_code == 201, r.json
    return cid, int(r.json["id"])


def _sent_to(gateway: DevelopmentGateway, number: str) -> list[str]:
    return [body for _, to, body in gateway.sent if to == number]


def test_stop_and_start_again(api: Api, client: FlaskClient, rt: Runtime,
                              gateway: DevelopmentGateway) -> None:
    cid, _ = _with_trusted_person(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)

    sms_reply(client, CLIENT, "LOPETA", hel(2026, 9, 22, 23, 30))
    # At once, before any dispatch pass: opted out, and the worker sees it.
    assert api.get(f"/clients/{cid}").json["opted_out"] is True
    stop_items = inbox(rt, "stop")
    assert len(stop_items) == 1 and stop_items[0].client_id == cid
    assert stop_items[0].worker_id is not None
    # A second STOP is recorded but sends no second confirmation.
    sms_reply(client, CLIENT, "stop", hel(2026, 9, 22, 23, 35))
    run(rt, hel(2026, 9, 22, 23, 40))
    confirmations = _sent_to(gateway, CLIENT)
    assert len(confirmations) == 1 and "ALOITA" in confirmations[0]

    # The week-before reminder: to neither the client nor the trusted person.
    result = run(rt, WEEK_BEFORE + SECOND)
    assert result.skipped == 2 and result.delivered == 0
    week = [r for r in reminders(rt, event["id"]) if r.rule_id == "week_before"]
    assert {(r.recipient, r.state, r.reason) for r in week} == {
        ("client", rstate.SKIPPED, "opted_out"), ("trusted", rstate.SKIPPED, "opted_out")}
    assert _sent_to(gateway, TRUSTED) == []

    sms_reply(client, CLIENT, "Aloita", hel(2026, 9, 24, 9, 0))
    assert api.get(f"/clients/{cid}").json["opted_out"] is False
    assert [i.kind for i in inbox(rt, "start")] == ["start"]
    run(rt, hel(2026, 9, 24, 9, 1))
    assert "LOPETA" in _sent_to(gateway, CLIENT)[-1]

    result = run(rt, DAY_BEFORE + SECOND)
    assert result.delivered == 2  # the client and the trusted person again
    assert "Keskuskatu 5" in _sent_to(gateway, CLIENT)[-1]
    # A trusted person's own text: whose appointment and when, not the client's place.
    assert "30.9" in _sent_to(gateway, TRUSTED)[-1]


def test_the_workers_task_goes_on_while_the_client_is_opted_out(
        api: Api, client: FlaskClient, rt: Runtime) -> None:
    cid = new_client(api)
    new_appointment(api, cid, STARTS, REGISTERED)
    sms_reply(client, CLIENT, "STOP", hel(2026, 9, 21, 12, 0))
    assert run(rt, hel(2026, 9, 29, 15, 31)).tasks == 1  # nobody reminds: a human calls
    assert "Soita asiakkaalle" in inbox(rt, "task")[0].summary


def test_a_trusted_persons_stop_stops_only_their_messages(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid, pid = _with_trusted_person(api, language="sv")
    event = new_appointment(api, cid, STARTS, REGISTERED)

    sms_reply(client, TRUSTED, "sluta", hel(2026, 9, 21, 12, 0))
    with transaction(rt.sessions) as session:
        person = session.get(TrustedPerson, pid)
        assert person is not None and person.opted_out and person.active
        owner = session.get(Client, cid)
        assert owner is not None and not owner.opted_out
        stored = session.get(Message, inbox(rt, "stop")[0].message_id)
        assert stored is not None and stored.client_id == cid and stored.from_number == TRUSTED
    item = inbox(rt, "stop")[0]
    assert item.client_id == cid and "läheinen" in item.summary
    run(rt, hel(2026, 9, 21, 12, 1))
    confirmation = _sent_to(gateway, TRUSTED)
    assert len(confirmation) == 1 and "BÖRJA" in confirmation[0]  # in their language

    run(rt, WEEK_BEFORE + SECOND)
    week = {r.recipient: r for r in reminders(rt, event["id"]) if r.rule_id == "week_before"}
    assert week["client"].state == rstate.DELIVERED
    assert (week["trusted"].state, week["trusted"].reason) == (rstate.SKIPPED,
                                                               "trusted_opted_out")

    sms_reply(client, TRUSTED, "börja igen", hel(2026, 9, 24, 9, 0))
    run(rt, hel(2026, 9, 24, 9, 1))
    assert "SLUTA" in _sent_to(gateway, TRUSTED)[-1]
    run(rt, DAY_BEFORE + SECOND)
    assert "närstående har en tid ons 30.9" in _sent_to(gateway, TRUSTED)[-1]


def test_a_trusted_persons_answer_does_not_answer_for_the_client(
        api: Api, client: FlaskClient, rt: Runtime) -> None:
    cid, _ = _with_trusted_person(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, WEEK_BEFORE + SECOND)
    sms_reply(client, TRUSTED, "1", WEEK_BEFORE + 60 * SECOND)
    with transaction(rt.sessions) as session:
        stored = session.get(Event, event["id"])
        assert stored is not None and stored.state == "planned"
    replies = inbox(rt, "reply")
    assert len(replies) == 1 and replies[0].intent == "confirm"
    assert "läheiseltä" in replies[0].summary
