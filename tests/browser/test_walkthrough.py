"""A newcomer's first session, in a real browser: sign in, add a client (a wrong number
first), add an appointment and see its plan, let a reminder go out, answer it from the
phone simulator, find the answer in the inbox, reply, mark it handled, sign out.
axe-core checks every page on the way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import InboxItem, Message, Reminder, Worker
from tests.browser.conftest import Accessibility
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/")
    assert page.url.startswith(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("h1:text('Tänään')")


def _first_due(rt: Runtime) -> datetime:
    with transaction(rt.sessions) as session:
        first = session.scalars(select(Reminder).where(
            Reminder.state == "planned", Reminder.channel == "sms")
            .order_by(Reminder.send_at)).first()
        assert first is not None
        return first.send_at


def test_first_session(page: Any, live: tuple[str, Runtime], worker: Worker,
                       a11y: Accessibility) -> None:
    base, rt = live
    page.goto(base + "/")
    a11y.check(page)
    _sign_in(page, base, worker.email)
    a11y.check(page)

    page.click("nav.main-nav >> text=Asiakkaat")
    a11y.check(page)
    page.click("#new-client")
    page.fill("#name", "Matti Mäkinen")
    page.fill("#phone", "040 123")
    page.focus("#window")  # leaving the field runs the on-the-spot check (script)
    page.wait_for_selector("#phone-status:has-text('liian lyhyt')")
    a11y.check(page)
    page.click("#save-client")
    page.wait_for_selector("#phone-error")
    assert page.get_attribute("#phone", "aria-invalid") == "true"
    a11y.check(page)
    page.fill("#phone", "040 123 4567")
    page.click("#save-client")
    page.wait_for_selector("text=Matti Mäkinen on lisätty.")
    a11y.check(page)

    page.click("#new-appointment")
    day = (datetime.now(UTC) + timedelta(days=10)).astimezone(rt.config.tz).date()
    page.fill("#date", f"{day.day}.{day.month}.{day.year}")
    page.fill("#time", "10.00")
    page.fill("#place", "Sosiaalitoimisto, Keskuskatu 5")
    page.fill("#bring", "henkilökortti")
    page.click("#preview-event")
    page.wait_for_selector("#plan")
    plan = page.inner_text("#plan")
    assert "Sosiaalitoimisto, Keskuskatu 5" in plan and "1 tekstiviesti · GSM-7" in plan
    a11y.check(page)
    page.click("#save-event")
    page.wait_for_selector("text=Aika on tallennettu.")
    a11y.check(page)

    assert tick(rt, now=_first_due(rt) + timedelta(seconds=1)).claimed >= 1

    page.click("nav.main-nav >> text=Puhelinsimulaattori")
    a11y.check(page)
    page.click("#simulator-phones >> text=Matti Mäkinen")
    assert "Sosiaalitoimisto, Keskuskatu 5" in page.inner_text("#phone-messages")
    a11y.check(page)
    page.fill("#body", "Kyllä tulen, kiitos <b>")
    page.click("#send-sms")
    page.wait_for_selector("text=Viesti lähetetty palvelulle.")

    page.click("nav.main-nav >> text=Saapuneet")
    items = page.locator("#inbox-items .client-text")
    assert items.first.inner_text() == "Kyllä tulen, kiitos <b>"  # shown as text
    assert page.locator("#inbox-items .client-text b").count() == 0
    a11y.check(page)
    page.click("#inbox-items h3 a")
    assert "Sosiaalitoimisto" in page.inner_text("#original-text")
    a11y.check(page)
    page.fill("#body", "Hyvä, nähdään!")
    page.uncheck("#handled")
    page.click("#send-reply")
    page.wait_for_selector("text=Tekstiviesti on lähetetty.")
    page.click("#mark-handled")
    page.wait_for_selector("text=Merkitty käsitellyksi.")
    a11y.check(page)

    page.click("#logout")
    page.wait_for_selector("text=Olet kirjautunut ulos.")
    page.goto(base + "/inbox")
    assert page.url.startswith(base + "/login")

    with transaction(rt.sessions) as session:
        item = session.scalars(select(InboxItem)).one()
        sent = session.scalars(select(Message).where(Message.worker_id == worker.id)).one()
    assert item.state == "handled" and item.intent == "confirm"
    assert (sent.body, sent.status) == ("Hyvä, nähdään!", "delivered")
    assert len(a11y.checked) == 13
    assert a11y.problems == []


def test_a_page_in_swedish(page: Any, live: tuple[str, Runtime], worker: Worker,
                           a11y: Accessibility) -> None:
    base, _rt = live
    page.goto(base + "/login")
    page.select_option("#ui-language", "sv")
    page.click("text=Vaihda")
    page.wait_for_selector("h1:text('Logga in')")
    assert page.get_attribute("html", "lang") == "sv"
    a11y.check(page)
    page.fill("#email", worker.email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("h1:text('I dag')")
    page.goto(base + "/clients/new")
    page.click("#save-client")
    page.wait_for_selector("#error-summary")
    text = page.inner_text("main")
    assert "Lägg till klient" in text and "Ange klientens namn." in text
    assert "Telefonnummer saknas." in text
    a11y.check(page)
    assert a11y.problems == []
