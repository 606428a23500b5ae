"""Accessibility in a real browser: axe-core (WCAG 2.1 A and AA) on every page the UI
serves, error states included, and the core flows done with the keyboard alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from service.clock import utcnow
from service.demo import DEMO_EMAIL, seed
from service.domain.replies.inbound import record_reply
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Client, Event, InboxItem, Message, Reminder, Worker
from tests.browser.conftest import Accessibility
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser
SKIP_PREFIXES = ("/api/", "/twilio/", "/static/", "/healthz", "/readyz", "/metrics")


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element is focused: it must be reachable by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def enter(page: Any) -> None:
    """Press Enter on a link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_core_flows_by_keyboard_alone(page: Any, live: tuple[str, Runtime],
                                      worker: Worker) -> None:
    base, rt = live
    page.goto(base + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    tab_to(page, "#email")
    page.keyboard.type(worker.email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    enter(page)
    page.wait_for_selector("h1:text('Tänään')")

    tab_to(page, "nav a[href='/clients']")
    enter(page)
    page.wait_for_selector("h1:text('Asiakkaat')")
    tab_to(page, "#new-client")
    enter(page)
    tab_to(page, "#name")
    page.keyboard.type("Liisa Laine")
    tab_to(page, "#phone")
    page.keyboard.type("050 111 2222")
    enter(page)  # Enter in a field saves the client
    page.wait_for_selector("text=Liisa Laine on lisätty.")

    tab_to(page, "#new-appointment")
    enter(page)
    tab_to(page, "#date")
    day = (datetime.now(rt.config.tz) + timedelta(days=9)).date()
    page.keyboard.type(f"{day.day}.{day.month}.{day.year}")
    tab_to(page, "#time")
    page.keyboard.type("13:30")
    tab_to(page, "#preview-event")
    enter(page)
    page.wait_for_selector("#plan")
    tab_to(page, "#save-event")
    enter(page)
    page.wait_for_selector("text=Aika on tallennettu.")

    tab_to(page, "nav a[href='/simulator']")
    enter(page)
    tab_to(page, "#simulator-phones a")
    enter(page)
    tab_to(page, "#body")
    page.keyboard.type("soita minulle")
    tab_to(page, "#send-sms")
    enter(page)
    page.wait_for_selector("text=Viesti lähetetty palvelulle.")

    tab_to(page, "nav a[href='/inbox']")
    enter(page)
    tab_to(page, "#inbox-items h3 a")
    enter(page)
    tab_to(page, "#body")
    page.keyboard.type("Soitan tänään.")
    tab_to(page, "#handled")
    page.keyboard.press("Space")  # untick: handled separately below
    tab_to(page, "#send-reply")
    enter(page)
    page.wait_for_selector("text=Tekstiviesti on lähetetty.")
    tab_to(page, "#mark-handled")
    enter(page)
    page.wait_for_selector("text=Merkitty käsitellyksi.")
    with transaction(rt.sessions) as session:
        item = session.scalars(select(InboxItem)).one()
        reply = session.scalars(select(Message).where(Message.worker_id == worker.id)).one()
    assert (item.kind, item.state, reply.body) == ("callback", "handled", "Soitan tänään.")


def _sample_values(rt: Runtime) -> dict[str, object]:
    with transaction(rt.sessions) as session:
        voice = session.scalars(select(Reminder).where(
            Reminder.channel == "voice", Reminder.state == "planned")
            .order_by(Reminder.send_at)).first()
        assert voice is not None
        landline_id, due = voice.client_id, voice.send_at
    tick(rt, now=due + timedelta(seconds=1))
    with transaction(rt.sessions) as session:  # a reply with markup, for the inbox pages
        record_reply(session, rt, sender="+358401234567", to="+358451234567",
                     body="<i>en pääse</i> 😞", sid="SM" + "7" * 32, now=utcnow())
    with transaction(rt.sessions) as session:
        return {"client_id": landline_id,
                "event_id": session.scalars(select(Event.id)).first(),
                "item_id": session.scalars(select(InboxItem.id)).first(),
                "worker_id": session.scalars(select(Worker.id)).first(),
                "message_id": session.scalars(select(Message.id).where(
                    Message.channel == "voice")).first(),
                "fmt": "csv"}


def _sign_in_to_demo(page: Any, base: str, rt: Runtime) -> dict[str, object]:
    """The demo's data and worker (an admin), with a call made and a reply in the inbox."""
    password = seed(rt)
    page.goto(base + "/login")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", password)
    page.click("#login-submit")
    values = _sample_values(rt)
    with transaction(rt.sessions) as session:
        opted = session.scalars(select(Client).order_by(Client.id)).first()
        assert opted is not None
        opted.opted_out = True  # the notice shown for an opted-out client
    return values


def _every_page(page: Any, base: str, app: Flask, values: dict[str, object],
                check: Callable[[Any], None]) -> int:
    """Open every GET page of the UI the sample values can build, and check each."""
    visited = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIP_PREFIXES) \
                or "export" in rule.rule or rule.rule.endswith((".ics", ".csv")):
            continue  # file downloads, not pages
        if not set(rule.arguments) <= set(values):
            continue
        built = rule.build({name: values[name] for name in rule.arguments})
        assert built is not None
        response = page.goto(base + built[1])
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        check(page)
        visited += 1
    return visited


def test_every_page_passes_axe(page: Any, live: tuple[str, Runtime], app: Flask,
                               a11y: Accessibility) -> None:
    base, rt = live
    values = _sign_in_to_demo(page, base, rt)
    visited = _every_page(page, base, app, values, a11y.check)
    # states a plain GET does not show: errors, previews, a call in progress, an import
    page.goto(base + f"/events/new/appointment?client_id={values['client_id']}")
    page.fill("#date", "31.2.2030")
    page.click("#preview-event")
    a11y.check(page)
    page.fill("#date", "1.1.2031")
    page.fill("#time", "10")
    page.fill("#place", "Kirjasto \U0001F600")
    page.click("#preview-event")
    page.wait_for_selector("#plan")
    a11y.check(page)
    page.goto(base + f"/simulator/{values['client_id']}")
    page.click(f"#answer-call-{values['message_id']}")
    page.wait_for_selector("#call-screen")
    a11y.check(page)
    page.click("#key-1")
    a11y.check(page)
    page.goto(base + "/import")
    page.set_input_files("#file", files=[{
        "name": "asiakkaat.csv", "mimeType": "text/csv",
        "buffer": "nimi;puhelin\nMatti;040 12\nLiisa;050 111 2222\n".encode("cp1252")}])
    page.click("#preview-import")
    page.wait_for_selector("#import-rows")
    a11y.check(page)
    page.goto(base + "/clients/new")
    page.click("#save-client")
    a11y.check(page)
    _team_file_states(page, base, a11y)
    assert visited >= 20
    assert a11y.problems == []


def _team_file_states(page: Any, base: str, a11y: Accessibility) -> None:
    """An admin's file edit: refused with the start-up check's words, then previewed."""
    page.goto(base + "/team-files/edit?path=message_templates/sms/appointment_reminder.fi.txt")
    a11y.check(page)
    page.fill("#content", "{team}: katso https://example.fi {when}")
    page.click("#preview-file")
    page.wait_for_selector("#file-problem")
    a11y.check(page)
    page.fill("#content", "{team}: muistutus {when}\n{place}")
    page.click("#preview-file")
    page.wait_for_selector("#file-preview")
    a11y.check(page)
    page.goto(base + "/team-files")
    page.click("#tpl-sms-appointment_reminder > summary")
    a11y.check(page)


PHONE = {"width": 390, "height": 844}


def _fits_a_phone(page: Any, a11y: Accessibility, problems: list[str]) -> None:
    """Nothing scrolls sideways, the header takes at most a quarter, and axe is clean."""
    page.wait_for_load_state("load")
    width, inner = page.evaluate(
        "[document.scrollingElement.scrollWidth, window.innerWidth]")
    if width > inner:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3).map(e => e.tagName + '.' + e.className + '#' + e.id)""")
        problems.append(f"{page.url}: {width} px wide > {inner} {wide}")
    header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    if header > PHONE["height"] / 4:
        problems.append(f"{page.url}: the header takes {header} px of {PHONE['height']}")
    a11y.check(page)


def test_every_page_fits_a_phone(chromium: Any, live: tuple[str, Runtime], app: Flask,
                                 a11y: Accessibility) -> None:
    base, rt = live
    context = chromium.new_context(viewport=PHONE, locale="fi-FI", is_mobile=True,
                                   has_touch=True, device_scale_factor=2)
    context.set_default_timeout(15000)
    page = context.new_page()
    values = _sign_in_to_demo(page, base, rt)
    problems: list[str] = []
    visited = _every_page(page, base, app, values, lambda p: _fits_a_phone(p, a11y, problems))
    _team_file_states(page, base, a11y)
    _fits_a_phone(page, a11y, problems)
    page.goto(base + "/inbox")  # the menu: folded behind its button, opens on a tap
    assert not page.is_visible("nav.main-nav")
    page.click("#site-menu > summary")
    page.click("nav.main-nav >> text=Asiakkaat")
    page.wait_for_selector("h1:text('Asiakkaat')")
    cells = page.evaluate("[...document.querySelectorAll('main td')].map("
                          "td => [getComputedStyle(td).display, td.dataset.label])")
    assert cells and {display for display, _label in cells} == {"block"}  # rows are cards
    assert all(label for _display, label in cells)  # each cell named by its column
    context.close()
    assert visited >= 20
    assert problems == []
    assert a11y.problems == []


def test_the_menu_works_without_javascript_on_a_phone(chromium: Any, live: tuple[str, Runtime],
                                                      worker: Worker) -> None:
    base, _rt = live
    context = chromium.new_context(viewport=PHONE, locale="fi-FI", java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#email", worker.email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("h1:text('Tänään')")
    assert page.is_visible("nav.main-nav")  # open without the script
    page.click("#site-menu > summary")  # and the button still folds it
    assert not page.is_visible("nav.main-nav")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    context.close()
