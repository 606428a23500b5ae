"""The audit log reads as sentences with names, and is filtered by a client's name
(entries on the client's events, messages and inbox items included)."""

from __future__ import annotations

from service.runtime import Runtime
from service.store.models import Worker
from tests.web.conftest import Browser, make_appointment, make_client


def test_entries_read_with_names_and_filter_by_client_name(
        browser: Browser, rt: Runtime, admin: Worker) -> None:
    matti = make_client(rt, admin.id, "Matti Mäkinen", "040 123 4567")
    liisa = make_client(rt, admin.id, "Liisa Laine", "050 111 2222")
    event = make_appointment(rt, matti.id)
    browser.login(admin.email)
    browser.get(f"/clients/{matti.id}")
    browser.get(f"/clients/{liisa.id}")
    browser.get(f"/events/{event.id}")
    page = browser.get("/admin/audit").get_data(as_text=True)
    assert "katsoi asiakkaan Matti Mäkinen tietoja" in page
    assert "katsoi asiakkaan Liisa Laine tietoja" in page
    assert "katsoi asiakkaan Matti Mäkinen tapahtumaa" in page
    assert f"client {matti.id}" not in page  # no bare ids
    filtered = browser.get("/admin/audit", query_string={"client": "mäki"})
    html = filtered.get_data(as_text=True)
    assert filtered.status_code == 200
    assert "katsoi asiakkaan Matti Mäkinen tietoja" in html
    assert "katsoi asiakkaan Matti Mäkinen tapahtumaa" in html  # the event's entry too
    assert "Liisa Laine tietoja" not in html
    assert "kirjautui sisään" not in html.split('id="audit-entries"')[1]
    nobody = browser.get("/admin/audit", query_string={"client": "%"}).get_data(as_text=True)
    assert 'id="audit-entries"' not in nobody  # a wildcard is a character, not "anyone"
