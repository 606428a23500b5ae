"""Pending applications end to end: documents reminded until they are in; "has the decision come?"

The application: documents due Wednesday 30 September 2026, decision expected
Thursday 15 October. schedules/application.toml: documents reminders on 23 and 28
September at 10.00; on 16 October the client is asked at 10.00 and the worker gets
a task at 14.00 unless the client answered 1.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from service import clock
from service.domain.planning import reminder_states as rstate
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from tests.conftest import Api
from tests.reach import SECOND, by_rule, hel, inbox, new_appointment, new_client, run, sms_reply

CLIENT = "+358401234567"
ASKED = hel(2026, 10, 16, 10, 0)
TASK_TIME = hel(2026, 10, 16, 14, 0)


def _application(api: Api, client_id: int) -> dict[str, Any]:
    clock.freeze(hel(2026, 9, 1, 9, 0))
    r = api.post("/applications", {"client_id": client_id, "agency": "Kela",
                                   "submitted_on": "2026-08-31", "documents_due": "2026-09-30",
                                   "decision_expected": "2026-10-15"})
    assert r.status_code == 201, r.json
    return dict(r.json)


def test_documents_are_reminded_until_the_worker_records_them_in(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    event = _application(api, new_client(api))
    assert run(rt, hel(2026, 9, 23, 10, 0) + SECOND).delivered == 1
    assert "ke 30.9." in gateway.sent[-1][2]

    clock.freeze(hel(2026, 9, 24, 13, 0))
    r = api.post(f"/events/{event['id']}/documents-in")
    assert r.status_code == 200, r.json
    assert r.json["state"] == "documents_in" and r.json["cancelled_reminders"] == 1
    assert r.json["documents_in_at"] == "2026-09-24T10:00:00+00:00"
    assert api.post(f"/events/{event['id']}/documents-in").json["cancelled_reminders"] == 0

    assert run(rt, hel(2026, 9, 28, 10, 0) + SECOND).claimed == 0
    rows = by_rule(rt, event["id"])
    assert (rows["documents_two_days_before"].state,
            rows["documents_two_days_before"].reason) == (rstate.CANCELLED, "documents_in")
    assert rows["decision_followup"].state == rstate.PLANNED  # the decision is still awaited
    assert len(gateway.sent) == 1


def test_documents_in_is_only_for_applications(api: Api, rt: Runtime) -> None:
    cid = new_client(api)
    appointment = new_appointment(api, cid, hel(2026, 9, 30, 10, 30), hel(2026, 9, 20, 9, 0))
    r = api.post(f"/events/{appointment['id']}/documents-in")
    assert r.status_code == 422 and "event" in r.json["errors"]
    assert api.post("/events/999999/documents-in").status_code == 404


def test_decision_come_answer_1_marks_it_decided_and_no_task(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    event = _application(api, new_client(api))
    run(rt, hel(2026, 9, 28, 10, 0) + SECOND)  # both documents reminders
    assert run(rt, ASKED + SECOND).delivered == 1
    question = gateway.sent[-1][2]
    assert "onko päätös tullut" in question and "1 = kyllä, 2 = ei" in question
    # Issue 14: a decision text names the agency deciding (so the client knows which
    # letter to look for); no benefit is named.
    assert "Päätöksen tekee: Kela" in question

    sms_reply(client, CLIENT, "1", ASKED + 300 * SECOND)
    assert api.get(f"/events/{event['id']}").json["state"] == "decided"
    assert run(rt, TASK_TIME + SECOND).tasks == 0
    assert by_rule(rt, event["id"])["decision_task"].reason == "decided"
    assert inbox(rt, "task") == []


def test_decision_come_answer_2_leaves_a_task_for_the_worker(
        api: Api, client: FlaskClient, rt: Runtime) -> None:
    event = _application(api, new_client(api, name="Aino Virtanen"))
    run(rt, hel(2026, 9, 28, 10, 0) + SECOND)
    run(rt, ASKED + SECOND)
    sms_reply(client, CLIENT, "2", ASKED + 300 * SECOND)
    assert api.get(f"/events/{event['id']}").json["state"] == "planned"
    assert [i.intent for i in inbox(rt, "reply")] == ["decline"]

    assert run(rt, TASK_TIME + SECOND).tasks == 1
    task = inbox(rt, "task")[0]
    assert task.event_id == event["id"]
    assert "Aino Virtanen" in task.summary and "Kela" in task.summary
    assert "to 15.10." in task.summary


def test_no_answer_to_the_question_also_leaves_a_task(api: Api, rt: Runtime) -> None:
    event = _application(api, new_client(api))
    run(rt, hel(2026, 9, 28, 10, 0) + SECOND)
    run(rt, ASKED + SECOND)
    assert run(rt, TASK_TIME + SECOND).tasks == 1
    assert by_rule(rt, event["id"])["decision_task"].state == rstate.DELIVERED
