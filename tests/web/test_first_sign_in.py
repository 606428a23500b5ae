"""Small things a worker meets first: a generated or reset password must be changed at the
first sign-in, the language label in the three languages, the favicon, `rinnalla --help`."""

from __future__ import annotations

import re

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from service.cli import main
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Worker
from tests.web.conftest import Browser


def _must_change(rt: Runtime, email: str) -> bool:
    with transaction(rt.sessions) as session:
        return session.scalars(select(Worker.must_change_password)
                               .where(Worker.email == email)).one()


def test_a_reset_password_must_be_changed_before_anything_else(
        app: Flask, rt: Runtime, admin: Worker, worker: Worker) -> None:
    boss = Browser(app.test_client())
    boss.login(admin.email)
    boss.get("/admin/workers")
    page = boss.post(f"/admin/workers/{worker.id}/reset-password").get_data(as_text=True)
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    assert _must_change(rt, worker.email)
    sanna = Browser(app.test_client())
    assert sanna.login(worker.email, password).status_code == 302
    for path in ("/", "/clients", "/inbox"):
        answer = sanna.get(path)
        assert (answer.status_code, answer.location) == (302, "/account/password"), path
    form = sanna.get("/account/password").get_data(as_text=True)
    assert 'id="must-change"' in form
    same = sanna.post("/account/password", {"current_password": password,
                                            "new_password": password,
                                            "new_password_again": password})
    assert same.status_code == 422 and _must_change(rt, worker.email)  # not the known one
    new = "oma pitkä salasana 2026"
    done = sanna.post("/account/password", {"current_password": password,
                                            "new_password": new, "new_password_again": new})
    assert done.status_code == 302 and not _must_change(rt, worker.email)
    sanna.login(worker.email, new)
    assert sanna.get("/").status_code == 200


def test_a_new_worker_made_by_an_admin_changes_the_password_too(
        app: Flask, rt: Runtime, admin: Worker) -> None:
    boss = Browser(app.test_client())
    boss.login(admin.email)
    boss.get("/admin/workers/new")
    boss.post("/admin/workers/new", {"name": "Uusi Ohjaaja", "email": "uusi@example.fi",
                                     "role": "worker", "ui_language": "fi"})
    assert _must_change(rt, "uusi@example.fi")
    assert not _must_change(rt, admin.email)  # the admin's own password is untouched


def test_the_language_label_is_in_each_language_and_there_is_a_favicon(
        app: Flask, signed_in: Browser) -> None:
    signed_in.post("/language", {"lang": "sv", "next": "/"})
    page = signed_in.get("/").get_data(as_text=True)
    assert ('<span lang="fi">Kieli</span> / <span lang="sv">Språk</span> / '
            '<span lang="en">Language</span>') in page
    assert "Språk / Språk" not in page
    assert 'rel="icon" href="/static/favicon.svg"' in page
    anonymous = app.test_client()
    icon = anonymous.get("/favicon.ico")
    assert (icon.status_code, icon.location) == (301, "/static/favicon.svg")
    svg = anonymous.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.data.startswith(b"<svg")


def test_rinnalla_help_lists_only_rinnallas_commands_uncut() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands
    names = {line.split()[0] for line in commands.splitlines() if line.startswith("  ")}
    assert not names & {"routes", "shell", "run", "limiter"}
    for generic in ("--app", "--env-file", "--debug"):
        assert generic not in result.output, generic
    assert "init-db" in result.output and "worker " in result.output
    assert "Make an API token for a worker; the token is printed once, on the last line." \
        in " ".join(result.output.split())
    assert CliRunner().invoke(main, ["routes", "--help"]).exit_code == 0  # hidden, still there
