"""Migration 0013 on existing data, on SQLite and PostgreSQL: an installation becomes
one team, the old admins the organisation's admins, and nothing is left pointing at an
inactive worker (their clients and open items go to the team inbox, marked cover)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from service.store.db import make_engine
from service.store.migrate import alembic_config, upgrade
from tests.conftest import _postgres_problem, _postgres_url, service_missing

AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def bare(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database with no migrations run yet."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield engine
        engine.dispose()
        return
    url = _postgres_url()
    if url is None or _postgres_problem(url):
        service_missing("PostgreSQL tests need DATABASE_URL")
    assert url is not None
    schema = f"m_{secrets.token_hex(6)}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def upgrade_to(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _old_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        for wid, role, active in ((1, "admin", True), (2, "worker", True), (3, "worker", False)):
            conn.execute(text(
                "INSERT INTO workers (id, name, email, password_hash, role, ui_language, active,"
                " failed_logins, created_at) VALUES (:id, :name, :email, '', :role, 'fi',"
                " :active, 0, :at)"),
                {"id": wid, "name": f"W{wid}", "email": f"w{wid}@example.fi", "role": role,
                 "active": active, "at": AT})
        for cid, wid in ((1, 2), (2, 3)):
            conn.execute(text(
                "INSERT INTO clients (id, name, phone, number_type, language, channel,"
                " opted_out, worker_id, created_at, updated_at, last_activity_at) VALUES"
                " (:id, 'C', :phone, 'mobile', 'fi', 'auto', :no, :wid, :at, :at, :at)"),
                {"id": cid, "phone": f"+35840123456{cid}", "no": False, "wid": wid, "at": AT})
        for iid, wid, state in ((1, 2, "new"), (2, 3, "new"), (3, 3, "read"), (4, 3, "handled")):
            conn.execute(text(
                "INSERT INTO inbox_items (id, worker_id, kind, summary, state, created_at)"
                " VALUES (:id, :wid, 'callback', 'Soita', :state, :at)"),
                {"id": iid, "wid": wid, "state": state, "at": AT})


def test_0013_makes_one_team_and_leaves_nothing_with_an_inactive_worker(bare: Engine) -> None:
    upgrade_to(bare, "0012")
    _old_rows(bare)
    upgrade(bare)  # to head
    with bare.connect() as conn:
        teams = conn.execute(text("SELECT id, from_config FROM teams")).all()
        assert [(t[0], bool(t[1])) for t in teams] == [(1, True)]
        members = conn.execute(text("SELECT worker_id FROM team_members WHERE team_id = 1"
                                    " ORDER BY worker_id")).scalars().all()
        assert members == [1, 2, 3]
        roles = dict(conn.execute(text("SELECT id, role FROM workers")).all())
        assert roles == {1: "org_admin", 2: "worker", 3: "worker"}
        clients = dict(conn.execute(text("SELECT id, worker_id FROM clients")).all())
        assert clients == {1: 2, 2: None}
        assert set(conn.execute(text("SELECT team_id FROM clients")).scalars()) == {1}
        items = {row[0]: (row[1], bool(row[2]), row[3]) for row in conn.execute(text(
            "SELECT id, worker_id, cover, team_id FROM inbox_items"))}
        assert items == {1: (2, False, 1), 2: (None, True, 1), 3: (None, True, 1),
                         4: (3, False, 1)}  # a handled item stays as history


def test_the_audit_log_stays_append_only_after_0013(bare: Engine) -> None:
    """0013 recreated audit_log on SQLite; the triggers of 0005 must be there at head."""
    upgrade(bare)
    with bare.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (at, action, object_type, detail)"
                          " VALUES (:at, 'view', 'client', '')"), {"at": AT})
    for statement in ("UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), bare.begin() as conn:
            conn.execute(text(statement))
