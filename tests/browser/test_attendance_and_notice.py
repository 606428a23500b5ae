"""The attendance form and the reschedule form's "tell the client" box in a real browser,
on a desktop (1280 px) and a phone (390 px): usable, nothing wider than the screen,
and no axe-core (WCAG 2.1 A and AA) violations, before and after recording."""

from __future__ import annotations

from typing import Any

import pytest

from service import clock
from service.domain.events import lifecycle as ev
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Event, Worker
from tests.browser.conftest import Accessibility
from tests.conftest import load
from tests.reach import hel
from tests.web.conftest import PASSWORD, make_client

pytestmark = pytest.mark.browser
NOW = hel(2026, 9, 30, 12, 0)
VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


def _appointment(rt: Runtime, client_id: int, worker_id: int, starts: Any) -> int:
    registered = hel(2026, 9, 21, 9, 0)
    with transaction(rt.sessions) as session:
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=starts, place="Sosiaalitoimisto, Keskuskatu 5",
            appointment_type="health"), registered)
        ev.register_event(session, rt, event, registered, worker_id)
        return event.id


def _fits(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _sign_in(page: Any, base: str, worker: Worker) -> None:
    page.goto(base + "/login")
    page.fill("#email", worker.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")


def test_attendance_and_the_notify_box_on_desktop_and_phone(
        chromium: Any, live: tuple[str, Runtime], worker: Worker, a11y: Accessibility) -> None:
    base, rt = live
    clock.freeze(NOW)
    client = make_client(rt, worker.id)
    held = _appointment(rt, client.id, worker.id, hel(2026, 9, 30, 10, 30))
    coming = _appointment(rt, client.id, worker.id, hel(2026, 10, 8, 10, 0))
    for viewport, choice in zip(VIEWPORTS, ("no_show", "attended"), strict=True):
        context = chromium.new_context(viewport=viewport, locale="fi-FI")
        context.set_default_timeout(15000)
        page = context.new_page()
        _sign_in(page, base, worker)

        page.goto(f"{base}/events/{held}")
        assert page.is_visible("#attendance") and _fits(page), viewport
        a11y.check(page)
        page.click(f"label[for='attendance-{choice}']")
        assert page.is_checked(f"#attendance-{choice}")
        with page.expect_navigation():
            page.click("#save-attendance")
        page.wait_for_selector("text=Läsnäolo on kirjattu.")
        assert page.is_visible("#attendance-recorded") and _fits(page), viewport
        a11y.check(page)
        assert load(rt, Event, held).attendance == choice

        page.goto(f"{base}/events/{coming}/change")
        assert page.is_checked("#notify_client") and _fits(page), viewport
        a11y.check(page)
        page.click("label[for='notify_client']")
        assert not page.is_checked("#notify_client")
        context.close()
    assert a11y.problems == [], "\n".join(a11y.problems)
    assert len(a11y.checked) == 6
