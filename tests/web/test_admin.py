"""Admins manage workers; workers cannot. Generated passwords are shown once."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Worker
from tests.web.conftest import Browser


def _by_email(rt: Runtime, email: str) -> Worker | None:
    with transaction(rt.sessions) as session:
        found = session.scalars(select(Worker).where(Worker.email == email)).first()
        if found is not None:
            session.expunge(found)
        return found


def test_a_worker_cannot_manage_workers(signed_in: Browser, worker: Worker) -> None:
    assert signed_in.get("/admin/workers").status_code == 403
    assert signed_in.post("/admin/workers/new", {"name": "X", "email": "x@example.fi"}
                          ).status_code == 403
    assert 'href="/admin/workers"' not in signed_in.get("/").get_data(as_text=True)


def test_admin_adds_a_worker_who_can_sign_in(app: Flask, rt: Runtime, admin: Worker) -> None:
    browser = Browser(app.test_client())
    browser.login(admin.email)
    browser.get("/admin/workers/new")
    page = browser.post("/admin/workers/new", {"name": "Uusi Ohjaaja",
                                               "email": "Uusi@Example.fi", "role": "worker",
                                               "ui_language": "sv"})
    assert page.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', page.get_data(as_text=True)).group(1)
    created = _by_email(rt, "uusi@example.fi")
    assert created is not None and created.ui_language == "sv" and created.role == "worker"
    newcomer = Browser(app.test_client())
    assert newcomer.login("uusi@example.fi", password).status_code == 302
    # the generated password is changed first (tests/web/test_first_sign_in.py), in Swedish
    assert '<html lang="sv">' in newcomer.get("/account/password").get_data(as_text=True)
    duplicate = browser.post("/admin/workers/new", {"name": "Toinen", "email": "uusi@example.fi",
                                                    "role": "worker"})
    assert duplicate.status_code == 422 and 'id="email-error"' in duplicate.get_data(
        as_text=True)
    with transaction(rt.sessions) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "create",
                                                         AuditEntry.object_type == "worker")
                                ).one()
    assert entry.worker_id == admin.id


def test_deactivate_reset_and_unlock(app: Flask, rt: Runtime, admin: Worker,
                                     worker: Worker) -> None:
    browser = Browser(app.test_client())
    browser.login(admin.email)
    sanna = Browser(app.test_client())
    sanna.login(worker.email)
    browser.get(f"/admin/workers/{worker.id}")
    browser.post(f"/admin/workers/{worker.id}", {"name": worker.name, "email": worker.email,
                                                 "role": "worker", "ui_language": "fi"})
    assert _by_email(rt, worker.email).active is False  # type: ignore[union-attr]
    assert sanna.get("/").status_code == 302  # the running session ended
    with transaction(rt.sessions) as session:
        row = session.get(Worker, worker.id)
        row.active, row.failed_logins = True, 7  # type: ignore[union-attr]
    listing = browser.get("/admin/workers").get_data(as_text=True)
    assert f'id="unlock-{worker.id}"' in listing
    browser.post(f"/admin/workers/{worker.id}/unlock")
    assert _by_email(rt, worker.email).failed_logins == 0  # type: ignore[union-attr]
    page = browser.post(f"/admin/workers/{worker.id}/reset-password").get_data(as_text=True)
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    assert Browser(app.test_client()).login(worker.email, password).status_code == 302


def test_admin_cannot_lock_themselves_out(app: Flask, rt: Runtime, admin: Worker) -> None:
    browser = Browser(app.test_client())
    browser.login(admin.email)
    browser.get(f"/admin/workers/{admin.id}")
    response = browser.post(f"/admin/workers/{admin.id}", {
        "name": admin.name, "email": admin.email, "role": "worker", "active": "1"})
    assert response.status_code == 422 and 'id="role-error"' in response.get_data(as_text=True)
    assert _by_email(rt, admin.email).role == "org_admin"  # type: ignore[union-attr]
