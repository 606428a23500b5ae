"""Sign-in is throttled per address as well as per account: many failed sign-ins from one
address, each on a different account, are stopped (429) before any account is locked."""

from __future__ import annotations

from flask import Flask

from service.app import create_app
from service.runtime import Runtime
from service.store.models import Worker
from tests.web.conftest import PASSWORD, Browser, make_worker


def test_failed_sign_ins_from_one_address_are_throttled(rt: Runtime, worker: Worker) -> None:
    app = create_app(runtime=rt, TESTING=True, SECRET_KEY="test-secret",
                     RINNALLA_SIGN_IN_LIMIT="3 per minute")
    others = [make_worker(rt, f"w{i}@example.fi", f"Työntekijä {i}") for i in range(4)]
    attacker = Browser(app.test_client())
    attacker.get("/login")
    for other in others[:3]:  # one guess per account: no account lock is reached
        assert attacker.post("/login", {"email": other.email, "password": "arvaus"}
                             ).status_code == 401
    blocked = attacker.post("/login", {"email": others[3].email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Liian monta epäonnistunutta kirjautumista" in blocked.get_data(as_text=True)
    # another address is not affected, nor is the right password elsewhere
    elsewhere = Browser(app.test_client())
    elsewhere.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    ok = elsewhere.post("/login", {"email": worker.email, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert ok.status_code == 302


def test_successful_sign_ins_do_not_count(app: Flask, worker: Worker) -> None:
    for _ in range(12):  # more than the default limit of failures a minute
        browser = Browser(app.test_client())
        assert browser.login(worker.email).status_code == 302


def test_behind_a_proxy_the_clients_address_counts(rt: Runtime, worker: Worker) -> None:
    app = create_app(runtime=rt, TESTING=True, SECRET_KEY="test-secret", PROXY_HOPS=1,
                     RINNALLA_SIGN_IN_LIMIT="2 per minute")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = Browser(app.test_client())
    first.get("/login")
    for _ in range(2):
        first.post("/login", {"email": worker.email, "password": "arvaus"}, environ_base=proxy,
                   headers={"X-Forwarded-For": "198.51.100.1"})
    assert first.post("/login", {"email": worker.email, "password": "arvaus"},
                      environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.1"}
                      ).status_code == 429
    second = Browser(app.test_client())
    second.get("/login")
    assert second.post("/login", {"email": worker.email, "password": PASSWORD},
                       environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.2"}
                       ).status_code == 302
