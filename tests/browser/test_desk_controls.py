"""The desk's new controls in a real browser, at 1280 px and 390 px: the client page's
text with its live check, trusted persons and consent, an application's steps, a message
to many, my upcoming appointments (printed without the menu), the inbox filters and the
shared-number warning. Each page and state axe-clean, nothing wider than the screen."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from service import clock
from service.domain.events import lifecycle as ev
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Event, Message, TrustedPerson, Worker
from service.store.states import EventState
from tests.browser.conftest import Accessibility
from tests.conftest import load, load_all
from tests.reach import hel
from tests.web.conftest import PASSWORD, make_client

pytestmark = pytest.mark.browser
NOW = hel(2026, 9, 30, 12, 0)  # Wednesday noon: the sending window is open
VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


def _fits(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _open(chromium: Any, base: str, worker: Worker, viewport: dict[str, int]) -> Any:
    context = chromium.new_context(viewport=viewport, locale="fi-FI")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#email", worker.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    return page


def _check(page: Any, a11y: Accessibility, where: str) -> None:
    assert _fits(page), f"{where} scrolls sideways at {page.viewport_size}"
    a11y.check(page)


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _events(rt: Runtime, client_id: int, worker_id: int) -> tuple[int, int]:
    """Tomorrow's appointment and a pending application."""
    with transaction(rt.sessions) as session:
        appointment = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client_id, starts_at=hel(2026, 10, 1, 10, 0), place="Ryhmähuone 2"),
            NOW)
        ev.register_event(session, rt, appointment, NOW, worker_id)
        application = ev.build_application(session, ev.ApplicationInput(
            client_id=client_id, agency="Kela", submitted_on=date(2026, 9, 1),
            documents_due=date(2026, 10, 20)), NOW)
        ev.register_event(session, rt, application, NOW, worker_id)
        return appointment.id, application.id


def test_client_page_text_and_trusted_persons(chromium: Any, live: tuple[str, Runtime],
                                             worker: Worker, a11y: Accessibility,
                                             gateway: DevelopmentGateway) -> None:
    base, rt = live
    clock.freeze(NOW)
    for n, viewport in enumerate(VIEWPORTS):
        client = make_client(rt, worker.id, f"Aino Asiakas {n}", f"040 123 456{n}")
        _events(rt, client.id, worker.id)
        page = _open(chromium, base, worker, viewport)
        page.goto(f"{base}/clients/{client.id}")
        _check(page, a11y, "client page")
        page.fill("#body", "Kiitos \U0001F44D katso kela.fi")
        page.wait_for_selector("#body-check [data-part=error]")
        assert "U+1F44D" in page.inner_text("#body-check [data-part=warning]")
        assert "kela.fi" in page.inner_text("#body-check [data-part=error]")
        _check(page, a11y, "client page, live check")
        _submit(page, "#send-client-text")
        assert "Viestissä on linkki" in page.inner_text("#error-summary")
        _check(page, a11y, "client page, refused text")
        page.fill("#body", "Huomenna tavataan huoneessa 2.")
        _submit(page, "#send-client-text")
        page.wait_for_selector("text=Tekstiviesti on lähetetty.")
        assert ("sms", f"+35840123456{n}", "Huomenna tavataan huoneessa 2.") in gateway.sent

        page.click("#add-trusted summary")
        page.fill("#tp_name", "Liisa Läheinen")
        page.fill("#tp_phone", f"050 765 432{n}")
        page.select_option("#tp_relation", "family")
        page.click("label[for='tp_consent_method-in_person']")
        _check(page, a11y, "trusted person form")
        _submit(page, "#add-trusted-person")
        page.wait_for_selector("text=Läheinen Liisa Läheinen on lisätty.")
        person = load_all(rt, select(TrustedPerson).where(
            TrustedPerson.client_id == client.id))[0]
        assert person.consent_method == "in_person" and person.consent_recorded_by == worker.id
        _check(page, a11y, "client page with a trusted person")
        page.click(f"label[for='end_reason-{person.id}-ended_by_worker']")
        _submit(page, f"#end-trusted-{person.id}")
        page.wait_for_selector("text=suostumus päättynyt")
        assert load(rt, TrustedPerson, person.id).deactivation_reason == "ended_by_worker"
        _check(page, a11y, "client page, consent ended")
        page.context.close()
    assert a11y.problems == [], "\n".join(a11y.problems)
    assert len(a11y.checked) == 12


def test_application_steps_bulk_and_upcoming(chromium: Any, live: tuple[str, Runtime],
                                             worker: Worker, a11y: Accessibility) -> None:
    base, rt = live
    clock.freeze(NOW)
    for n, viewport in enumerate(VIEWPORTS):
        client = make_client(rt, worker.id, f"Eino Esimerkki {n}", f"040 987 654{n}")
        appointment, application = _events(rt, client.id, worker.id)
        page = _open(chromium, base, worker, viewport)
        page.goto(f"{base}/events/{application}")
        _check(page, a11y, "application page")
        _submit(page, "#documents-in")
        page.wait_for_selector("#documents-done")
        page.fill("#decided_on", "1.10.2026")
        _submit(page, "#record-decision")
        assert "tulevaisuudessa" in page.inner_text("#error-summary")
        _check(page, a11y, "application page, refused date")
        page.fill("#decided_on", "29.9.2026")
        _submit(page, "#record-decision")
        page.wait_for_selector("text=Päätös on kirjattu.")
        assert load(rt, Event, application).state == EventState.DECIDED
        _check(page, a11y, "application page, decided")

        page.goto(f"{base}/bulk")
        _check(page, a11y, "bulk form")
        page.fill("#day", "1.10.2026")
        page.fill("#body", "Huomisen ryhmä on huoneessa 5.")
        _submit(page, "#bulk-preview-button")
        assert f"Eino Esimerkki {n}" in page.inner_text("#bulk-clients")
        assert "Kustannusarvio" in page.inner_text("#bulk-cost")
        _check(page, a11y, "bulk preview")
        _submit(page, "#bulk-send")
        assert int(page.inner_text("#bulk-total")) >= 1
        _check(page, a11y, "bulk progress")

        page.goto(f"{base}/appointments/upcoming")
        assert page.is_visible(f"#upcoming-{appointment}") and page.is_visible("#print-upcoming")
        _check(page, a11y, "upcoming")
        page.emulate_media(media="print")
        assert not page.is_visible(".site-header") and page.is_visible(".print-only")
        page.emulate_media(media="screen")
        page.context.close()
    assert load_all(rt, select(Message).where(Message.worker_id == worker.id))
    assert a11y.problems == [], "\n".join(a11y.problems)
    assert len(a11y.checked) == 14


def test_inbox_filters_and_shared_number(chromium: Any, live: tuple[str, Runtime],
                                         worker: Worker, a11y: Accessibility) -> None:
    base, rt = live
    clock.freeze(NOW)
    make_client(rt, worker.id, "Aino Aalto", "040 111 2222")
    for n, viewport in enumerate(VIEWPORTS):
        page = _open(chromium, base, worker, viewport)
        page.goto(f"{base}/inbox")
        page.fill("#q", "Aalto")
        page.select_option("#kind", "reply")
        page.select_option("#state", "all")
        _submit(page, "#filter-inbox")
        assert "q=Aalto" in page.url and page.is_visible("#clear-filters")
        _check(page, a11y, "inbox filtered")

        page.goto(f"{base}/clients/new")
        page.fill("#name", f"Eino Aalto {n}")
        page.fill("#phone", "040 111 2222")
        _submit(page, "#save-client")
        assert "Aino Aalto" in page.inner_text("#shared-number")
        _check(page, a11y, "client form, shared number")
        page.check("#shared_ok")
        _submit(page, "#save-client")
        page.wait_for_selector(f"text=Asiakas Eino Aalto {n} on lisätty.")
        page.context.close()
    assert a11y.problems == [], "\n".join(a11y.problems)
    assert len(a11y.checked) == 4
