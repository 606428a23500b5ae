"""Fresh, migrated databases for each test, without migrating for each test.

Running the migrations takes 0.5-2 s, and nearly every test wants a database of its
own: that was most of the suite's time. Both kinds are migrated once per test process
and then handed out as if new:
- SQLite: the migrated file is copied for each test (a file copy, milliseconds).
- PostgreSQL: one schema per test process; between tests every table is emptied
  (TRUNCATE ... RESTART IDENTITY) and the rows the migrations themselves wrote (the
  installation's first team) are put back, so each test sees exactly what
  `upgrade()` leaves. A test that changed the schema (a downgrade, say) or left a lock
  behind gets a newly migrated schema instead.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from service.store.db import make_engine
from service.store.migrate import head_revision, upgrade


class SqliteTemplate:
    """A migrated SQLite file, copied for each test."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "migrated.sqlite3"
        engine = make_engine(f"sqlite:///{self.path}")
        upgrade(engine)
        engine.dispose()

    def fresh(self, target: Path) -> Engine:
        shutil.copyfile(self.path, target)
        return make_engine(f"sqlite:///{target}")


class PostgresSchemas:
    """One schema for this test process, emptied between tests."""

    def __init__(self, url: str) -> None:
        self.url, self.admin = url, make_engine(url)
        self.schema: str | None = None
        self.head = ""
        self.seeds: dict[str, Sequence[Mapping[str, Any]]] = {}

    def fresh(self) -> Engine:
        """An engine on a schema as `upgrade()` leaves a new one."""
        if self.schema is None or not self._emptied(self.schema):
            self._replace()
        assert self.schema is not None
        return make_engine(self.url, connect_args={"options": f"-csearch_path={self.schema}"})

    def close(self) -> None:
        if self.schema is not None:
            self._drop(self.schema)
        self.admin.dispose()

    def _replace(self) -> None:
        if self.schema is not None:
            self._drop(self.schema)
        self.schema = f"t_{secrets.token_hex(6)}"
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        engine = make_engine(self.url, connect_args={"options": f"-csearch_path={self.schema}"})
        upgrade(engine)
        self.head = head_revision(engine) or ""
        engine.dispose()
        self.seeds = self._rows_written_by_migrations(self.schema)

    def _tables(self, conn: Any, schema: str) -> list[str]:
        return list(conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = :s"
            " AND tablename <> 'alembic_version' ORDER BY tablename"), {"s": schema}).scalars())

    def _rows_written_by_migrations(self, schema: str) -> dict[str, Sequence[Mapping[str, Any]]]:
        with self.admin.connect() as conn:
            seeds = {}
            for table in self._tables(conn, schema):
                rows = conn.execute(text(f'SELECT * FROM "{schema}"."{table}"')).mappings().all()
                if rows:
                    seeds[table] = [dict(row) for row in rows]
            return seeds

    def _emptied(self, schema: str) -> bool:
        """Empty every table and put the migrations' own rows back; False when the
        schema is no longer the newest one, or a lock held by a leftover connection
        stops the emptying (the caller then makes a new schema)."""
        try:
            with self.admin.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '3s'"))
                # the audit log refuses TRUNCATE by trigger: not for this session
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                revision = conn.execute(text(
                    f'SELECT version_num FROM "{schema}".alembic_version')).scalar()
                if revision != self.head:
                    return False
                tables = ", ".join(f'"{schema}"."{t}"' for t in self._tables(conn, schema))
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                for table, rows in self.seeds.items():
                    self._put_back(conn, schema, table, rows)
            return True
        except DBAPIError:
            return False

    @staticmethod
    def _put_back(conn: Any, schema: str, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        values = ", ".join(f":{c}" for c in columns)
        conn.execute(text(f'INSERT INTO "{schema}"."{table}" ({names}) VALUES ({values})'),
                     list(rows))
        if "id" in columns:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{schema}\".\"{table}\"', 'id'),"
                f' (SELECT max(id) FROM "{schema}"."{table}"))'))

    def _drop(self, schema: str) -> None:
        try:
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        except DBAPIError:  # a leftover connection: the schema is left for later runs
            pass
