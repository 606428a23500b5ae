"""Attendance and a worker's record of an opt-out, through the JSON API, on each database.

Attendance is refused before the appointment starts; attended and did-not-come close
it as done, cancelled by the client as cancelled; the service path then counts
no-shows per appointment type, and how many of them had confirmed. An opt-out or
opt-in needs a reason, is audited, and stops (or lets through) the reminders.
"""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.domain.reports.service_path import TOTAL, Period
from service.domain.reports.service_path_data import build_report
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client
from tests.conftest import Api, load_all
from tests.reach import HEL, SECOND, hel, new_appointment, new_client, reminders, run, sms_reply

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 21, 9, 0)
AFTER = hel(2026, 9, 30, 11, 45)
SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 30), HEL)


def _attend(api: Api, event_id: int, **body: bool) -> tuple[int, dict[str, object]]:
    r = api.post(f"/events/{event_id}/attendance", dict(body))
    return r.status_code, r.json


def test_attendance_is_refused_before_the_start_and_closes_the_event_after(
        api: Api, rt: Runtime) -> None:
    event = new_appointment(api, new_client(api), STARTS, REGISTERED)
    clock.freeze(STARTS - SECOND)
    status, body = _attend(api, event["id"], attended=True)
    assert status == 409 and "not started" in str(body["error"])
    assert api.get(f"/events/{event['id']}").json["attendance"] is None

    clock.freeze(AFTER)
    status, body = _attend(api, event["id"], attended=True)
    assert status == 200 and (body["state"], body["attendance"]) == ("done", "attended")
    # A correction overwrites the record; the event stays done.
    status, body = _attend(api, event["id"], attended=False)
    assert status == 200 and (body["state"], body["attendance"]) == ("done", "no_show")
    audit = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "event",
                                                  AuditEntry.detail.like("attendance%")))
    assert [a.detail for a in audit] == ["attendance attended", "attendance no_show"]
    assert all(r.state != "planned" for r in reminders(rt, event["id"]))


def test_cancelled_by_the_client_and_what_cannot_be_recorded(api: Api, rt: Runtime) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    clock.freeze(AFTER)
    status, body = _attend(api, event["id"], attended=False, cancelled_by_client=True)
    assert status == 200
    assert (body["state"], body["attendance"]) == ("cancelled", "cancelled_by_client")
    assert _attend(api, event["id"], attended=True)[0] == 409  # no longer changeable

    other = new_appointment(api, cid, STARTS, REGISTERED)
    clock.freeze(AFTER)
    api.post(f"/events/{other['id']}/cancel")
    assert _attend(api, other["id"], attended=True)[0] == 409  # we cancelled it
    application = api.post("/applications", {"client_id": cid, "agency": "Kela",
                                             "documents_due": "2026-10-15"}).json
    assert _attend(api, application["id"], attended=True)[0] == 409
    assert _attend(api, 999_999, attended=True)[0] == 404
    status, body = _attend(api, event["id"])
    assert status == 422 and "attended" in body["errors"]  # type: ignore[operator]


def test_the_service_path_counts_no_shows_and_whether_they_had_confirmed(
        api: Api, client: FlaskClient, rt: Runtime) -> None:
    """Three health appointments: a confirmed no-show, an unanswered no-show, one who
    came; and one worker appointment nobody has recorded yet."""
    confirmed = new_appointment(api, new_client(api), STARTS, REGISTERED,
                                appointment_type="health")
    run(rt, hel(2026, 9, 23, 10, 30) + SECOND)  # the week-before text
    sms_reply(client, "+358401234567", "1", hel(2026, 9, 23, 11, 0))
    assert api.get(f"/events/{confirmed['id']}").json["state"] == "confirmed"
    unanswered = new_appointment(api, new_client(api, phone="050 111 2222"), STARTS,
                                 REGISTERED, appointment_type="health")
    came = new_appointment(api, new_client(api, phone="050 333 4444"), STARTS, REGISTERED,
                           appointment_type="health")
    new_appointment(api, new_client(api, phone="050 555 6666"), STARTS, REGISTERED,
                    appointment_type="worker")
    clock.freeze(AFTER)
    assert _attend(api, confirmed["id"], attended=False)[0] == 200
    assert _attend(api, unanswered["id"], attended=False)[0] == 200
    assert _attend(api, came["id"], attended=True)[0] == 200

    with transaction(rt.sessions) as session:
        report = build_report(session, SEPTEMBER, AFTER)
    rows = {row.type: row for row in report.attendance}
    health, worker, total = rows["health"], rows["worker"], rows[TOTAL]
    assert (health.attended, health.no_show, health.no_show_confirmed,
            health.not_recorded) == (1, 2, 1, 0)
    assert (worker.no_show, worker.not_recorded) == (0, 1)
    assert (total.attended, total.no_show, total.no_show_confirmed) == (1, 2, 1)
    # The answers table still counts the confirmed one as confirmed (not "done").
    answers = {row.type: row for row in report.appointments}
    assert (answers["health"].confirmed, answers["health"].unanswered) == (1, 2)


def test_opt_out_and_in_need_a_reason_and_are_audited(api: Api, rt: Runtime,
                                                      gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = new_appointment(api, cid, STARTS, REGISTERED)
    clock.freeze(hel(2026, 9, 22, 10, 0))
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": 5}):
        r = api.post(f"/clients/{cid}/opt-out", body)
        assert r.status_code == 422 and "reason" in r.json["errors"], body
    assert api.get(f"/clients/{cid}").json["opted_out"] is False
    assert api.post("/clients/999999/opt-out", {"reason": "x y"}).status_code == 404

    r = api.post(f"/clients/{cid}/opt-out", {"reason": "Pyysi puhelimessa, ei viestejä"})
    assert r.status_code == 200
    assert (r.json["opted_out"], r.json["opt_reason"]) == (True,
                                                          "Pyysi puhelimessa, ei viestejä")
    run(rt, hel(2026, 9, 23, 10, 30) + SECOND)
    week = [x for x in reminders(rt, event["id"]) if x.rule_id == "week_before"]
    assert [(x.state, x.reason) for x in week] == [("skipped", "opted_out")]
    assert gateway.sent == []

    clock.freeze(hel(2026, 9, 24, 9, 0))
    r = api.post(f"/clients/{cid}/opt-in", {"reason": "Haluaa taas muistutukset"})
    assert r.status_code == 200 and r.json["opted_out"] is False
    run(rt, hel(2026, 9, 29, 12, 0) + SECOND)
    assert gateway.sent and "Keskuskatu 5" in gateway.sent[-1][2]
    with transaction(rt.sessions) as session:
        stored = session.get(Client, cid)
        assert stored is not None and stored.opt_reason == "Haluaa taas muistutukset"
    audit = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "client",
                                                  AuditEntry.action == "update"))
    assert [a.detail for a in audit] == ["opt-out recorded", "opt-in recorded"]
    assert all(a.worker_id is not None for a in audit)
