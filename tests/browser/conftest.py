"""Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser),
the app served on loopback, axe-core checking every page against WCAG 2.1 A and AA."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from service.runtime import Runtime
from tests.browser.server import serve
from tests.conftest import service_missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        service_missing(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("playwright (python) is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(rt: Runtime) -> Iterator[tuple[str, Runtime]]:
    with serve(rt) as running:
        yield running


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale="fi-FI")
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()


class Accessibility:
    """Runs axe-core on the current page and collects what it finds."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.checked: list[str] = []
        self.problems: list[str] = []

    def check(self, page: Any) -> None:
        result = self.axe.run(page, options=WCAG)
        self.checked.append(page.url)
        for violation in result.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            self.problems.append(f"{page.url}: {violation['id']} {violation['help']} {targets}")


@pytest.fixture
def a11y() -> Accessibility:
    return Accessibility()
