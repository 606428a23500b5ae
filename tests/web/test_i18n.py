"""The UI in Finnish by default, Swedish and English selectable; catalogues complete."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Worker
from service.web.ui.i18n import TRANSLATIONS_DIR, compile_catalogue
from tests.web.conftest import Browser

CATALOGUES = sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def test_finnish_by_default_even_if_the_browser_asks_for_english(browser: Browser) -> None:
    page = browser.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="fi">' in text and "<h1>Kirjaudu sisään</h1>" in text


def test_anonymous_choice_is_kept_for_the_session(browser: Browser) -> None:
    browser.get("/login")
    response = browser.post("/language", {"lang": "sv", "next": "/login"})
    assert response.status_code == 302 and response.location == "/login"
    page = browser.get("/login").get_data(as_text=True)
    assert '<html lang="sv">' in page and "<h1>Logga in</h1>" in page
    assert '<label for="password">Lösenord' in page


def test_workers_choice_is_remembered(app: Flask, signed_in: Browser, worker: Worker,
                                      rt: Runtime) -> None:
    signed_in.post("/language", {"lang": "en", "next": "/clients/new"})
    page = signed_in.get("/clients/new").get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Add a client</h1>" in page
    with transaction(rt.sessions) as session:
        assert session.scalars(select(Worker.ui_language).where(Worker.id == worker.id)
                               ).one() == "en"
    elsewhere = Browser(app.test_client())
    elsewhere.login(worker.email)
    assert "<h1>Today</h1>" in elsewhere.get("/").get_data(as_text=True)


def test_swedish_form_errors_include_the_domains(signed_in: Browser) -> None:
    signed_in.post("/language", {"lang": "sv", "next": "/"})
    signed_in.get("/clients/new")
    page = signed_in.post("/clients/new", {"name": "", "phone": "040 12", "action": "save"}
                          ).get_data(as_text=True)
    assert "Ange klientens namn." in page and "Numret är för kort." in page
    assert "Kontrollera dessa punkter" in page


def test_service_path_and_audit_pages_in_swedish(browser: Browser, admin: Worker) -> None:
    browser.login(admin.email)
    browser.post("/language", {"lang": "sv", "next": "/"})
    page = browser.get("/service-path").get_data(as_text=True)
    assert '<html lang="sv">' in page and "<h1>Servicestigen: var det stockar sig</h1>" in page
    assert "Palvelupolku" not in page and "Jakso" not in page
    page = browser.get("/admin/audit?action=login").get_data(as_text=True)
    assert "<h1>Loggdata</h1>" in page and "<td>loggade in</td>" in page
    assert "Lokitiedot" not in page and "kirjautui" not in page


def test_every_audit_action_has_a_label() -> None:
    from service.domain.privacy.audit import ACTIONS
    from service.web.ui.audit_log import ACTION_LABELS

    assert set(ACTION_LABELS) == set(ACTIONS)


def test_unknown_language_is_ignored(browser: Browser) -> None:
    browser.get("/login")
    browser.post("/language", {"lang": "xx", "next": "/login"})
    assert '<html lang="fi">' in browser.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_catalogue_is_complete_consistent_and_compiled(po_path: Path) -> None:
    with po_path.open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [m.id for m in catalogue if m.id and not (
        all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert untranslated == []
    assert [m.id for m, _errors in catalogue.check()] == []  # placeholders match
    assert po_path.with_suffix(".mo").read_bytes() == compile_catalogue(po_path)


def test_both_languages_are_there() -> None:
    assert [p.parent.parent.name for p in CATALOGUES] == ["en", "sv"]
