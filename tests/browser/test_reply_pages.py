"""The worker's side of an unclear reply in a real browser, on a wide screen and a phone:
Today lists it first with what is held, the inbox item shows the reading's reason and
takes the correction, and "Kokeile vastausta" reads a typed reply. axe-core (WCAG 2.1
A and AA) checks every state."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from service.clock import utcnow
from service.domain.replies.inbound import record_reply
from service.domain.replies.received import MAX_ATTEMPTS, keep_text
from service.runtime import Runtime
from service.scheduling import text_reading
from service.scheduling.text_reading import read_waiting
from service.store.db import transaction
from service.store.models import Client, Event, InboxItem, Worker
from tests.browser.conftest import Accessibility
from tests.web.conftest import PASSWORD, make_appointment, make_client

pytestmark = pytest.mark.browser
WIDTHS = (1280, 390)


def _unclear_reply(rt: Runtime, worker: Worker) -> tuple[int, int]:
    """A client of the worker with an appointment, and an unclear reply holding it."""
    client = make_client(rt, worker.id)
    make_appointment(rt, client.id, worker_id=worker.id)
    with transaction(rt.sessions) as session:
        record_reply(session, rt, sender="+358401234567", to="+358451234567",
                     body="mulla on nälkä", sid="SM" + "8" * 32, now=utcnow())
    with transaction(rt.sessions) as session:
        item = session.scalars(select(InboxItem)).one()
        assert item.holds and item.event_id is not None
        return item.id, item.event_id


def _sign_in(page: Any, base: str, worker: Worker) -> None:
    page.goto(base + "/login")
    page.fill("#email", worker.email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("h1:text('Tänään')")


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", WIDTHS)
def test_correcting_an_unclear_reply(chromium: Any, live: tuple[str, Runtime],
                                     worker: Worker, a11y: Accessibility, width: int) -> None:
    base, rt = live
    item_id, event_id = _unclear_reply(rt, worker)
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="fi-FI")
    page = context.new_page()
    try:
        _sign_in(page, base, worker)
        held = page.locator("#held-items")
        assert "Pidätetty:" in held.inner_text() and "mulla on nälkä" in held.inner_text()
        # Held items come first, before the new replies.
        assert page.evaluate("document.querySelector('#held').compareDocumentPosition("
                             "document.querySelector('#replies')) & 4") == 4
        a11y.check(page)
        _no_sideways_scroll(page)
        page.click(f"#held-items a[href='/inbox/{item_id}']")
        page.wait_for_selector("#correct-heading")
        assert page.locator(".reading-reason").inner_text().startswith("Luettu: epäselvä koska")
        assert "Pidätetty:" in page.locator("#held").inner_text()
        a11y.check(page)
        _no_sideways_scroll(page)
        page.check("#intent-decline")
        page.click("#correct")
        page.wait_for_selector("text=Vastaus on korjattu ja asia käsitelty.")
        assert page.locator("#held").count() == 0
        assert "Korjattu: ei pääse" in page.locator(".reading-reason").inner_text()
        a11y.check(page)
    finally:
        context.close()
    with transaction(rt.sessions) as session:
        assert session.get(Event, event_id).state == "declined"
        assert session.get(InboxItem, item_id).state == "handled"
    assert a11y.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_trying_a_reply(chromium: Any, live: tuple[str, Runtime], worker: Worker,
                        a11y: Accessibility, width: int) -> None:
    base, _ = live
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="fi-FI")
    page = context.new_page()
    try:
        _sign_in(page, base, worker)
        page.goto(base + "/inbox")
        page.click("text=Kokeile vastausta")
        page.wait_for_selector("h1:text('Kokeile vastausta')")
        a11y.check(page)
        page.fill("#text", "En kerkiä tulla huomenna")
        page.select_option("#language", "fi")
        page.select_option("#question", "appointment")
        page.click("#try-reply")
        page.wait_for_selector("#result")
        assert page.locator("#result-intent").inner_text() == "ei pääse"
        assert "palvelu toimisi itse" in page.locator("#result-certain").inner_text()
        assert page.locator("#text").input_value() == "En kerkiä tulla huomenna"
        a11y.check(page)
        _no_sideways_scroll(page)
        page.fill("#text", "lopeta tai soita")
        page.click("#try-reply")
        page.wait_for_selector("#result-would")
        assert "odottaisivat" in page.locator("#result-would").inner_text()
        a11y.check(page)
    finally:
        context.close()
    assert a11y.problems == []


def _unreadable_text(rt: Runtime, worker: Worker, monkeypatch: pytest.MonkeyPatch) -> int:
    """A client's text whose reading fails at every try (a fault in the service), read
    by the worker's own passes until it is filed unread: its inbox item's id."""
    client = make_client(rt, worker.id)
    make_appointment(rt, client.id, worker_id=worker.id)
    with transaction(rt.sessions) as session:
        keep_text(session, sid="SM" + "9" * 32, sender="+358401234567", to="+358451234567",
                  via="", body="en halua enää näitä", now=utcnow())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault in the reading")

    with monkeypatch.context() as patched:
        patched.setattr(text_reading, "record_reply", broken)
        for _ in range(MAX_ATTEMPTS):
            read_waiting(rt)
    with transaction(rt.sessions) as session:
        item = session.scalars(select(InboxItem)).one()
        assert item.holds and item.event_id is None and item.client_id == client.id
        return item.id


def test_a_text_the_service_could_not_read_is_read_by_the_worker(
        chromium: Any, live: tuple[str, Runtime], worker: Worker, a11y: Accessibility,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Today lists it among the held, its page says the service could not read it and
    that every automated reminder to the client waits; the worker's "stop" opts the
    client out and ends the hold."""
    base, rt = live
    item_id = _unreadable_text(rt, worker, monkeypatch)
    context = chromium.new_context(viewport={"width": 390, "height": 900}, locale="fi-FI")
    page = context.new_page()
    try:
        _sign_in(page, base, worker)
        held = page.locator("#held-items")
        assert "en halua enää näitä" in held.inner_text()
        assert "Pidätetty:" in held.inner_text()
        page.click(f"#held-items a[href='/inbox/{item_id}']")
        page.wait_for_selector("#correct-heading")
        assert "Palvelu ei pystynyt lukemaan tätä viestiä" in page.content()
        assert "Kaikki automaattiset muistutukset asiakkaalle odottavat" in \
            page.locator("#held").inner_text()
        a11y.check(page)
        _no_sideways_scroll(page)
        page.check("#intent-stop")
        page.click("#correct")
        page.wait_for_selector("text=Vastaus on korjattu ja asia käsitelty.")
        assert page.locator("#held").count() == 0
        a11y.check(page)
    finally:
        context.close()
    with transaction(rt.sessions) as session:
        assert session.get(InboxItem, item_id).state == "handled"
        assert session.scalars(select(Client.opted_out)).one() is True
    assert a11y.problems == []
