"""Deactivating a worker through the API: refused without a successor when there is
work to hand over (422); with one, their clients and open items move to the successor
(handled items stay as history), nothing is left pointing at them, and it is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.domain.teams.setup import create_team, join
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Absence, ApiToken, AuditEntry, Client, InboxItem, Worker
from service.store.states import InboxKind, InboxState
from tests.conftest import load, load_all
from tests.test_cover import token_for
from tests.web.conftest import make_client, make_worker

NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


def patch(client: FlaskClient, token: str, worker_id: int, body: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1/workers/{worker_id}", json=body,
                        headers={"Authorization": f"Bearer {token}"})


def item(rt: Runtime, worker_id: int, state: InboxState, team_id: int | None = None) -> int:
    with transaction(rt.sessions) as session:
        row = InboxItem(worker_id=worker_id, kind=InboxKind.CALLBACK, state=state,
                        summary="Soita minulle", created_at=NOW)
        if team_id is not None:
            row.team_id = team_id
        session.add(row)
        session.flush()
        return row.id


def test_deactivation_moves_clients_and_open_items(rt: Runtime, client: FlaskClient,
                                                   worker: Worker) -> None:
    clock.freeze(NOW)
    admin = make_worker(rt, "tiina@example.fi", "Tiina Tiiminvetäjä", role="team_admin")
    heir = make_worker(rt, "olli@example.fi", "Olli Ohjaaja")
    token = token_for(rt, admin)
    token_for(rt, worker)  # their integration stops with them
    matti = make_client(rt, worker.id, "Matti Mäkinen", "040 123 4567")
    open_id, handled_id = item(rt, worker.id, InboxState.READ), item(
        rt, worker.id, InboxState.HANDLED)
    with transaction(rt.sessions) as session:  # an absence the worker was to cover
        session.add(Absence(worker_id=heir.id, starts_on=date(2026, 12, 20),
                            ends_on=date(2026, 12, 24), substitute_id=worker.id))
        session.add(Absence(worker_id=admin.id, starts_on=date(2026, 12, 20),
                            ends_on=date(2026, 12, 24), substitute_id=worker.id))
    refused = patch(client, token, worker.id, {"active": False})
    assert refused.status_code == 422 and "successor_id" in refused.json["errors"]
    itself = patch(client, token, worker.id, {"active": False, "successor_id": worker.id})
    assert itself.status_code == 422 and "successor_id" in itself.json["errors"]
    assert load(rt, Worker, worker.id).active
    done = patch(client, token, worker.id, {"active": False, "successor_id": heir.id})
    assert done.status_code == 200, done.json
    assert done.json["active"] is False and done.json["clients"] == 0
    assert load(rt, Client, matti.id).worker_id == heir.id
    moved = load(rt, InboxItem, open_id)
    assert (moved.worker_id, moved.state) == (heir.id, InboxState.NEW)
    assert load(rt, InboxItem, handled_id).worker_id == worker.id  # history stays
    substitutes = {a.worker_id: a.substitute_id for a in load_all(rt, select(Absence))}
    assert substitutes == {heir.id: None, admin.id: heir.id}
    assert load_all(rt, select(ApiToken).where(ApiToken.worker_id == worker.id)) == []
    audit = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "worker",
                                                  AuditEntry.object_id == worker.id))
    assert [(a.worker_id, a.action) for a in audit] == [(admin.id, "update")]
    assert "successor" in audit[0].detail


def test_only_a_team_admin_deactivates(rt: Runtime, client: FlaskClient,
                                       worker: Worker) -> None:
    colleague = make_worker(rt, "olli@example.fi", "Olli Ohjaaja")
    assert patch(client, token_for(rt, colleague), worker.id,
                 {"active": False, "successor_id": colleague.id}).status_code == 403
    with transaction(rt.sessions) as session:
        elsewhere = create_team(session, "Vanhuspalvelut", "+358401118888")
        stranger = Worker(name="Ulla Ulkopuolinen", email="ulla@example.fi",
                          role="team_admin")
        session.add(stranger)
        session.flush()
        join(session, stranger.id, elsewhere.id)
    assert patch(client, token_for(rt, stranger), worker.id,
                 {"active": False}).status_code == 404
    assert load(rt, Worker, worker.id).active


def test_a_successor_outside_a_team_leaves_that_teams_work_to_its_inbox(
        rt: Runtime, client: FlaskClient, worker: Worker) -> None:
    clock.freeze(NOW)
    admin = make_worker(rt, "paivi@example.fi", "Päivi Pääkäyttäjä", role="org_admin")
    heir = make_worker(rt, "olli@example.fi", "Olli Ohjaaja")
    with transaction(rt.sessions) as session:
        second = create_team(session, "Vammaispalvelut", "+358401119999")
        join(session, worker.id, second.id)
        second_id = second.id
    there = make_client(rt, worker.id, "Liisa Toinen", "050 765 4321")
    with transaction(rt.sessions) as session:
        found = session.get(Client, there.id)
        assert found is not None
        found.team_id = second_id
    open_there = item(rt, worker.id, InboxState.NEW, team_id=second_id)
    done = patch(client, token_for(rt, admin), worker.id,
                 {"active": False, "successor_id": heir.id})
    assert done.status_code == 200
    assert load(rt, Client, there.id).worker_id is None
    moved = load(rt, InboxItem, open_there)
    assert (moved.worker_id, moved.cover) == (None, True)


def test_nothing_to_hand_over_needs_no_successor_and_reactivation(
        rt: Runtime, client: FlaskClient, worker: Worker) -> None:
    admin = make_worker(rt, "paivi@example.fi", "Päivi Pääkäyttäjä", role="org_admin")
    token = token_for(rt, admin)
    assert patch(client, token, worker.id, {"active": False}).status_code == 200
    assert not load(rt, Worker, worker.id).active
    assert patch(client, token, worker.id, {"active": True}).json["active"] is True
    assert patch(client, token, admin.id, {"active": False}).status_code == 422  # oneself
