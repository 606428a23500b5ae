"""Signing in and out: argon2 passwords, a lock-out after repeated failures, sessions that
end when the password changes or the account is deactivated, and every step audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from flask import Flask
from sqlalchemy import select

from service import clock
from service.domain.people.login import MAX_FAILURES, lock_duration
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Worker
from tests.conftest import load
from tests.web.conftest import PASSWORD, Browser


def _audit(rt: Runtime, action: str) -> list[AuditEntry]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _worker(rt: Runtime, worker_id: int) -> Worker:
    return load(rt, Worker, worker_id)


def test_sign_in_page_is_finnish_and_labelled(browser: Browser) -> None:
    page = browser.get("/login").get_data(as_text=True)
    assert '<html lang="fi">' in page
    assert '<label for="email">Sähköposti' in page and 'id="email"' in page
    assert '<label for="password">Salasana' in page and 'autocomplete="current-password"' in page


def test_sign_in_and_out(browser: Browser, worker: Worker, rt: Runtime) -> None:
    response = browser.login("  SANNA@example.fi ", PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    today = browser.get("/")
    assert today.status_code == 200 and "Sanna Sosiaaliohjaaja" in today.get_data(as_text=True)
    assert [e.worker_id for e in _audit(rt, "login")] == [worker.id]
    out = browser.logout()
    assert out.status_code == 302 and out.location == "/login"
    assert browser.get("/").status_code == 302
    assert len(_audit(rt, "logout")) == 1


def test_wrong_password_and_unknown_address_say_the_same(browser: Browser, worker: Worker,
                                                          rt: Runtime) -> None:
    wrong = browser.login(worker.email, "väärä-salasana")
    unknown = browser.login("nobody@example.fi", "väärä-salasana")
    for response in (wrong, unknown):
        assert response.status_code == 401
        body = response.get_data(as_text=True)
        assert "Sähköposti tai salasana on väärin." in body
        assert 'aria-describedby="password-error"' in body and 'id="password-error"' in body
    assert len(_audit(rt, "login_failed")) == 2
    assert _worker(rt, worker.id).failed_logins == 1


def test_repeated_failures_lock_the_account_even_for_the_right_password(
        browser: Browser, worker: Worker, rt: Runtime) -> None:
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    clock.freeze(start)
    for _ in range(MAX_FAILURES):
        browser.login(worker.email, "arvaus")
    locked = browser.login(worker.email, PASSWORD)
    assert locked.status_code == 401
    assert "lukittu" in locked.get_data(as_text=True)
    assert _worker(rt, worker.id).locked_until == start + timedelta(minutes=15)
    clock.freeze(start + timedelta(minutes=16))
    assert browser.login(worker.email, PASSWORD).status_code == 302
    assert _worker(rt, worker.id).failed_logins == 0


def test_lock_grows_with_further_failures() -> None:
    assert lock_duration(MAX_FAILURES - 1) is None
    assert lock_duration(MAX_FAILURES) == timedelta(minutes=15)
    assert lock_duration(MAX_FAILURES + 1) == timedelta(minutes=30)
    assert lock_duration(MAX_FAILURES + 30) == timedelta(hours=24)


# Browsers drop tabs and line breaks inside a URL: "/\t/evil.example" is "//evil.example".
OFF_SITE = ("//evil.example/", "https://evil.example/", "/\\evil.example", "/%09/evil.example",
            "/%0A/x", "/%0D%0A/x", "/%0d/evil.example", "%2F%2Fevil.example", "/%5Cevil.example",
            "/ /evil.example", "/%C2%85/evil.example", "javascript:alert(1)", "/%00/x")


def test_next_must_stay_on_this_site(app: Flask, worker: Worker) -> None:
    for target in OFF_SITE:
        browser = Browser(app.test_client())
        browser.get("/login")
        response = browser.post(f"/login?next={target}", {"email": worker.email,
                                                          "password": PASSWORD})
        assert response.status_code == 302 and response.location == "/", target
    browser = Browser(app.test_client())
    browser.get("/login")
    response = browser.post("/login?next=%2Fclients%3Fscope%3Dall",
                            {"email": worker.email, "password": PASSWORD})
    assert response.location == "/clients?scope=all"  # a path on this site is kept


def test_language_switch_stays_on_this_site(browser: Browser) -> None:
    for target in OFF_SITE:
        browser.get("/login")
        response = browser.post("/language", {"lang": "sv", "next": unquote(target)})
        assert response.status_code == 302 and response.location == "/", target
    response = browser.post("/language", {"lang": "fi", "next": "/login"})
    assert response.location == "/login"


def test_a_session_lasts_a_working_day_and_is_not_stretched(app: Flask, signed_in: Browser,
                                                            worker: Worker) -> None:
    assert app.permanent_session_lifetime == timedelta(hours=10)
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is False
    browser = Browser(app.test_client())
    browser.get("/login")
    response = browser.post("/login", {"email": worker.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    left = expires - datetime.now(UTC)
    assert timedelta(hours=9, minutes=59) < left <= timedelta(hours=10), left
    browser.get("/")  # the first page stores its CSRF token in the session
    # using the session does not send the cookie again with a later expiry
    later = browser.get("/clients")
    assert later.status_code == 200 and "Set-Cookie" not in later.headers


def test_deactivating_a_worker_ends_their_session(signed_in: Browser, worker: Worker,
                                                  rt: Runtime) -> None:
    assert signed_in.get("/").status_code == 200
    with transaction(rt.sessions) as session:
        session.get(Worker, worker.id).active = False  # type: ignore[union-attr]
    assert signed_in.get("/").status_code == 302
    assert signed_in.login(worker.email).status_code == 401


def test_a_new_password_ends_other_sessions(app: Flask, signed_in: Browser,
                                            worker: Worker) -> None:
    elsewhere = Browser(app.test_client())
    elsewhere.login(worker.email)
    assert elsewhere.get("/").status_code == 200
    signed_in.get("/account/password")
    changed = signed_in.post("/account/password", {
        "current_password": PASSWORD, "new_password": "uusi pitkä salasana",
        "new_password_again": "uusi pitkä salasana"})
    assert changed.status_code == 302
    assert signed_in.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/").status_code == 302  # the other one ended
    assert Browser(app.test_client()).login(worker.email, "uusi pitkä salasana"
                                            ).status_code == 302


def test_password_change_checks_each_field(signed_in: Browser) -> None:
    signed_in.get("/account/password")
    response = signed_in.post("/account/password", {
        "current_password": "väärä", "new_password": "lyhyt", "new_password_again": "lyhyt"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="current_password-error"' in body and 'id="new_password-error"' in body
