"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and running them again changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from service.store.migrate import current_revision, head_revision, is_current, upgrade
from service.store.models import Base


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    assert is_current(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
