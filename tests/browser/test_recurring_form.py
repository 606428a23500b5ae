"""The appointment form's "Toistuu" in a real browser: a weekly series on two weekdays
previewed with its occurrences (a public holiday flagged), saved, and its page listing
the coming occurrences; no axe-core (WCAG 2.1 A and AA) violations on either page."""

from __future__ import annotations

from typing import Any

import pytest

from service import clock
from service.runtime import Runtime
from service.store.models import Worker
from tests.browser.conftest import Accessibility
from tests.browser.test_attendance_and_notice import _sign_in
from tests.reach import hel
from tests.web.conftest import make_client

pytestmark = pytest.mark.browser


def test_weekly_series_through_the_form(page: Any, live: tuple[str, Runtime], worker: Worker,
                                        a11y: Accessibility) -> None:
    base, rt = live
    clock.freeze(hel(2027, 4, 26, 10, 0))
    client = make_client(rt, worker.id)
    _sign_in(page, base, worker)
    page.goto(f"{base}/events/new/appointment?client_id={client.id}")
    page.fill("#date", "29.4.2027")
    page.fill("#time", "9.00")
    page.fill("#place", "Kirjasto")
    page.select_option("#repeat", "weekly")
    page.check("#repeat-day-TH")
    page.check("#repeat-day-MO")
    page.fill("#repeat_count", "6")
    page.click("#preview-event")
    preview = page.locator("#occurrence-preview")
    assert "to 6.5.2027 klo 9.00" in preview.inner_text()
    assert "pyhäpäivä" in preview.inner_text()  # Ascension Day
    a11y.check(page)
    page.click("#save-event")
    page.wait_for_selector("#occurrences")
    rows = page.locator("#occurrences tbody tr")
    assert rows.count() == 6
    assert "joka viikko, ma, to, 6 kertaa" in page.locator("#rule-text").inner_text()
    a11y.check(page)
    assert a11y.problems == []
