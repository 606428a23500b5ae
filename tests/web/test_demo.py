"""The newcomer's demo: the address opens on sign-in and the printed login works."""

from __future__ import annotations

from flask.testing import FlaskClient

from service.demo import DEMO_EMAIL, seed
from service.runtime import Runtime
from tests.web.conftest import Browser


def test_demo_opens_on_sign_in_and_the_printed_login_works(client: FlaskClient,
                                                            rt: Runtime) -> None:
    password = seed(rt)
    first = client.get("/")
    assert first.status_code == 302 and first.location.startswith("/login")
    browser = Browser(client)
    assert browser.login(DEMO_EMAIL, password).status_code == 302
    today = browser.get("/").get_data(as_text=True)
    assert "Demo Ohjaaja" in today and "Matti Mäkinen" in today
    clients = browser.get("/clients").get_data(as_text=True)
    assert all(name in clients for name in ("Greta Lindholm", "Aino Virtanen", "Jamal Ahmed"))
    assert browser.get("/simulator").status_code == 200
    assert browser.get("/admin/workers").status_code == 200  # the demo worker is an admin
