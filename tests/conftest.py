"""Shared fixtures: a real database (SQLite file, and PostgreSQL when DATABASE_URL is given),
the real app, and Twilio-style signed webhook requests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, Select, create_engine, select, text
from twilio.request_validator import RequestValidator

from service import clock
from service.app import create_app
from service.config import Config, load_config
from service.domain.people.passwords import hash_password
from service.domain.teams.setup import first_team_id, join
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime, build_runtime
from service.scheduling.text_reading import read_waiting
from service.store.db import normalise_url, transaction
from service.store.models import ApiToken, Worker
from service.web.api.endpoints import hash_token
from tests.databases import PostgresSchemas, SqliteTemplate

pytest_plugins = ["tests.twilio_peer.peer"]  # the `twilio_peer` fixture (Prism)

PUBLIC_BASE_URL = "https://rinnalla.example.fi"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"

T = TypeVar("T")


def service_missing(reason: str) -> None:
    """Skip for want of a service (PostgreSQL, Prism, Chromium); in CI, fail instead."""
    if os.environ.get("RINNALLA_REQUIRE_SERVICES"):
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def _postgres_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


_pg_checked: dict[str, str | None] = {}


def _postgres_problem(url: str) -> str | None:
    """Why PostgreSQL cannot be used (None when it can); asked once per run."""
    if url not in _pg_checked:
        try:
            engine = create_engine(normalise_url(url))
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
            _pg_checked[url] = None
        except Exception as exc:  # any failure means: skip with the reason
            _pg_checked[url] = f"PostgreSQL at DATABASE_URL not reachable: {exc.__class__.__name__}"
    return _pg_checked[url]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("template"))


_pg_schemas: dict[str, PostgresSchemas] = {}


@pytest.fixture(scope="session", autouse=True)
def _close_postgres_schemas() -> Iterator[None]:
    yield
    for schemas in _pg_schemas.values():
        schemas.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Any,
           _sqlite_template: SqliteTemplate) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, or a schema of its own in PostgreSQL
    (tests/databases.py: migrated once per test process, handed out as new)."""
    if request.param == "sqlite":
        eng = _sqlite_template.fresh(tmp_path / "test.sqlite3")
        yield eng
        eng.dispose()
        return
    url = _postgres_url()
    if url is None:
        service_missing("PostgreSQL tests need DATABASE_URL (e.g. "
                        "postgresql://postgres@127.0.0.1:5432/test); .ci/run sets it")
    problem = _postgres_problem(url)
    if problem:
        service_missing(problem)
    schemas = _pg_schemas.setdefault(url, PostgresSchemas(url))
    eng = schemas.fresh()
    yield eng
    eng.dispose()


@pytest.fixture
def config() -> Config:
    return load_config(env={}, gateway_kind="development", public_base_url=PUBLIC_BASE_URL,
                       team_name="Sosiaalitoimi", team_phone="+358401111111",
                       transport_booking_number="+358800123456",
                       twilio=replace(load_config(env={}).twilio, auth_token=AUTH_TOKEN,
                                      from_number="+358451234567"))


@pytest.fixture
def gateway() -> DevelopmentGateway:
    return DevelopmentGateway()


@pytest.fixture
def rt(config: Config, engine: Engine, gateway: DevelopmentGateway) -> Runtime:
    return build_runtime(replace(config, database_url=str(engine.url)), engine=engine,
                         gateway=gateway)


@pytest.fixture
def app(rt: Runtime) -> Flask:
    return create_app(runtime=rt, TESTING=True, SECRET_KEY="test-secret")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(autouse=True)
def _release_clock() -> Iterator[None]:
    yield
    clock.freeze(None)


@pytest.fixture
def worker(rt: Runtime) -> Worker:
    with transaction(rt.sessions) as session:
        w = Worker(name="Sanna Sosiaaliohjaaja", email="sanna@example.fi",
                   password_hash=hash_password("salasana-123"), role="worker")
        session.add(w)
        session.flush()
        join(session, w.id, first_team_id(session))
    return w


@pytest.fixture
def api_token(rt: Runtime, worker: Worker) -> str:
    token = secrets.token_urlsafe(32)
    with transaction(rt.sessions) as session:
        session.add(ApiToken(worker_id=worker.id, token_hash=hash_token(token)))
    return token


@pytest.fixture
def api(client: FlaskClient, api_token: str) -> Api:
    return Api(client, api_token)


class Api:
    """A tiny JSON client for /api/v1 with the Bearer token set."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=body or {}, headers=self.headers)


def sign(path: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature exactly as Twilio computes it for our public URL."""
    return RequestValidator(token).compute_signature(PUBLIC_BASE_URL + path, params)


def signed_post(client: FlaskClient, path: str, params: dict[str, str],
                token: str = AUTH_TOKEN, read: bool = True) -> Any:
    """POST as Twilio would. An inbound text is then read as the worker reads it
    (scheduling/text_reading.py), unless `read` is False: the webhook only stores it."""
    response = client.post(path, data=params,
                           headers={"X-Twilio-Signature": sign(path, params, token)})
    if read and path == "/twilio/sms":
        read_waiting(client.application.extensions["rinnalla"])
    return response


def load(rt: Runtime, model: type[T], row_id: int) -> T:
    """One row by primary key, detached from its session; it must exist."""
    with transaction(rt.sessions) as session:
        row = session.get(model, row_id)
        assert row is not None
        session.expunge(row)
        return row


def load_all(rt: Runtime, query: Select[tuple[T]]) -> list[T]:
    """The rows a query selects, detached from their session."""
    with transaction(rt.sessions) as session:
        rows = list(session.scalars(query))
        for row in rows:
            session.expunge(row)
        return rows


def find_worker(rt: Runtime, email: str) -> Worker:
    with transaction(rt.sessions) as session:
        w = session.scalars(select(Worker).where(Worker.email == email)).one()
        session.expunge(w)
        return w
