"""The audit log: an entry for every sensitive action through the JSON API, and no way
to change or remove an entry, neither through the ORM nor in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from service.domain.privacy import audit
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Worker
from tests.conftest import Api, signed_post


def entries(rt: Runtime) -> list[tuple[int | None, str, str, int | None]]:
    with transaction(rt.sessions) as session:
        return [(e.worker_id, e.action, e.object_type, e.object_id) for e in session.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]


def test_every_sensitive_api_action_is_recorded(api: Api, client, rt: Runtime,
                                                worker: Worker) -> None:
    cid = api.post("/clients", {"name": "Matti Mäkinen", "phone": "040 123 4567"}).json["id"]
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    appt = api.post("/appointments", {"client_id": cid, "starts_at": starts.isoformat(),
                                      "place": "Keskuskatu 5"}).json["id"]
    appl = api.post("/applications", {"client_id": cid, "agency": "Kela",
                                      "decision_expected": "2026-12-01"}).json["id"]
    assert api.get(f"/clients/{cid}").status_code == 200
    assert api.get(f"/events/{appt}").status_code == 200
    assert api.get(f"/messages?client_id={cid}").status_code == 200
    assert api.get(f"/reminders?client_id={cid}").status_code == 200
    assert api.get("/messages").status_code == 200
    assert api.post(f"/events/{appl}/cancel").status_code == 200
    signed_post(client, "/twilio/sms", {"MessageSid": "SM" + "a" * 32, "From": "+358401234567",
                                        "To": "+358451234567", "Body": "soita"})
    item = api.get("/inbox").json["items"][0]["id"]
    assert api.post(f"/inbox/{item}/handle").status_code == 200

    w = worker.id
    assert entries(rt) == [
        (w, "create", "client", cid),
        (w, "create", "event", appt),
        (w, "create", "event", appl),
        (w, "view", "client", cid),
        (w, "view", "event", appt),
        (w, "view", "client", cid),  # its messages
        (w, "view", "client", cid),  # its reminders
        (w, "view", "messages", None),  # everyone's messages
        (w, "cancel", "event", appl),
        (w, "view", "inbox", None),
        (w, "handle", "inbox_item", item),
    ]


def test_a_refused_request_leaves_no_entry(api: Api, rt: Runtime) -> None:
    assert api.get("/clients/999").status_code == 404
    assert api.post("/clients", {"name": "", "phone": "1"}).status_code == 422
    assert entries(rt) == []


def test_details_never_keep_a_phone_number(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        audit.record(session, None, "view", "client", 1, "soitti numerosta 040 123 4567")
        audit.record(session, None, "view", "client", 1, "+358 40 123 4567 / 2026-06-03")
    with transaction(rt.sessions) as session:
        details = list(session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)))
    assert details == ["soitti numerosta ***", "*** / 2026-06-03"]


def test_unknown_action_is_refused(rt: Runtime) -> None:
    with transaction(rt.sessions) as session, pytest.raises(ValueError):
        audit.record(session, None, "peek", "client", 1)


@pytest.fixture
def one_entry(rt: Runtime, worker: Worker) -> int:
    with transaction(rt.sessions) as session:
        audit.record(session, worker.id, "view", "client", 7, "api")
        session.flush()
        return session.scalars(select(AuditEntry.id)).one()


def _detail(rt: Runtime, entry_id: int) -> str:
    with transaction(rt.sessions) as session:
        return session.get(AuditEntry, entry_id).detail


def test_orm_cannot_change_or_delete_an_entry(rt: Runtime, one_entry: int) -> None:
    with pytest.raises(audit.AuditLogIsAppendOnly), transaction(rt.sessions) as session:
        session.get(AuditEntry, one_entry).detail = "muutettu"
    with pytest.raises(audit.AuditLogIsAppendOnly), transaction(rt.sessions) as session:
        session.delete(session.get(AuditEntry, one_entry))
    with pytest.raises(audit.AuditLogIsAppendOnly), transaction(rt.sessions) as session:
        session.execute(update(AuditEntry).values(detail="muutettu"))
    with pytest.raises(audit.AuditLogIsAppendOnly), transaction(rt.sessions) as session:
        session.execute(delete(AuditEntry))
    assert _detail(rt, one_entry) == "api"


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET detail = 'muutettu'",
                                       "DELETE FROM audit_log"])
def test_database_refuses_change_in_plain_sql(rt: Runtime, one_entry: int,
                                              statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), rt.engine.begin() as conn:
        conn.execute(text(statement))
    assert _detail(rt, one_entry) == "api"


def test_a_worker_with_entries_cannot_be_deleted_only_deactivated(rt: Runtime, worker: Worker,
                                                                 one_entry: int) -> None:
    with pytest.raises(DatabaseError, match="append-only"), rt.engine.begin() as conn:
        conn.execute(text("DELETE FROM workers WHERE id = :id"), {"id": worker.id})
    with transaction(rt.sessions) as session:
        session.get(Worker, worker.id).active = False
        assert session.get(AuditEntry, one_entry).worker_id == worker.id


def test_about_client_finds_entries_on_its_events_too(api: Api, rt: Runtime) -> None:
    cid = api.post("/clients", {"name": "Liisa", "phone": "0501234567"}).json["id"]
    other = api.post("/clients", {"name": "Pekka", "phone": "0507654321"}).json["id"]
    eid = api.post("/applications", {"client_id": cid, "agency": "Kela",
                                     "decision_expected": "2026-12-01"}).json["id"]
    api.get(f"/clients/{other}")
    with transaction(rt.sessions) as session:
        found = [(e.action, e.object_type, e.object_id)
                 for e in audit.about_client(session, cid)]
    assert found == [("create", "client", cid), ("create", "event", eid)]
