"""Web UI test helpers: a browser-like client that signs in and sends forms with their
CSRF token, as a real browser would (the token is read from the page's own form)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.domain.events import lifecycle as ev
from service.domain.people.clients import ClientInput, create_client
from service.domain.people.passwords import hash_password
from service.domain.teams.setup import first_team_id, join
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Event, Worker
from service.store.states import Role

PASSWORD = "salasana-123"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """The Flask test client plus what a browser does with forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token: str | None = None

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(url, **kwargs)
        found = _TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> TestResponse:
        form = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            form.setdefault("csrf_token", self.token)
        response = self.client.post(url, data=form, **kwargs)
        found = _TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        """Sign in and, like a browser, follow the redirect (a new session, a new token)."""
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password})
        if response.status_code == 302:
            self.get(response.location)
        return response

    def logout(self) -> TestResponse:
        self.get("/")
        return self.post("/logout")


def make_worker(rt: Runtime, email: str, name: str, role: str = "worker") -> Worker:
    with transaction(rt.sessions) as session:
        worker = Worker(name=name, email=email, password_hash=hash_password(PASSWORD),
                        role=Role(role))
        session.add(worker)
        session.flush()
        join(session, worker.id, first_team_id(session))
    return worker


def make_client(rt: Runtime, worker_id: int | None, name: str = "Matti Mäkinen",
                phone: str = "040 123 4567", language: str = "fi") -> Client:
    with transaction(rt.sessions) as session:
        client = create_client(session, ClientInput(name, phone, language, "auto", worker_id),
                               datetime.now().astimezone())
    return client


def make_appointment(rt: Runtime, client_id: int, days: int = 10, hour: int = 10,
                     worker_id: int | None = None) -> Event:
    now = datetime.now().astimezone()
    day = (now + timedelta(days=days)).astimezone(rt.config.tz).date()
    starts = datetime.combine(day, time(hour, 0), tzinfo=rt.config.tz)
    with transaction(rt.sessions) as session:
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=starts, place="Sosiaalitoimisto, Keskuskatu 5",
            bring="henkilökortti"), now)
        ev.register_event(session, rt, event, now, worker_id)
    return event


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


@pytest.fixture
def signed_in(browser: Browser, worker: Worker) -> Browser:
    response = browser.login(worker.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


@pytest.fixture
def admin(rt: Runtime) -> Worker:
    return make_worker(rt, "paivi@example.fi", "Päivi Pääkäyttäjä", role="org_admin")


@pytest.fixture
def other_worker(rt: Runtime) -> Worker:
    return make_worker(rt, "olli@example.fi", "Olli Ohjaaja")
