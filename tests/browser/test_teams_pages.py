"""The teams pages in a real browser, on a desktop (1280 px) and a phone (390 px): the
organisation's admin makes a team (a bad number first: the hint), opens it, adds a
member and edits it; nothing wider than the screen, no axe-core violations."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Team, TeamMember
from tests.browser.conftest import Accessibility
from tests.web.conftest import PASSWORD, make_worker

pytestmark = pytest.mark.browser
VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _submit(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.click(button)


def _make_team(page: Any, base: str, name: str, a11y: Accessibility) -> None:
    page.goto(base + "/admin/teams/new")
    page.fill("#name", name)
    page.fill("#phone", "040 12")
    page.fill("#window", "9-17")
    _submit(page, "#save-team")
    assert page.is_visible("#phone-error") and _fits(page)
    a11y.check(page)
    page.fill("#phone", "040 222 3333")
    _submit(page, "#save-team")
    page.wait_for_selector(f"h1:text('{name}')")


def test_the_admin_makes_and_edits_a_team_on_desktop_and_phone(
        chromium: Any, live: tuple[str, Runtime], a11y: Accessibility) -> None:
    base, rt = live
    admin = make_worker(rt, "paivi@example.fi", "Päivi Pääkäyttäjä", role="org_admin")
    member = make_worker(rt, "olli@example.fi", "Olli Ohjaaja")
    for number, viewport in enumerate(VIEWPORTS):
        context = chromium.new_context(viewport=viewport, locale="fi-FI")
        context.set_default_timeout(15000)
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("#email", admin.email)
        page.fill("#password", PASSWORD)
        _submit(page, "#login-submit")

        page.goto(base + "/admin/teams")
        assert page.is_visible("#teams") and _fits(page), viewport
        a11y.check(page)
        name = f"Pihtipudas {number + 1}"
        _make_team(page, base, name, a11y)
        assert page.is_visible("#team-settings") and _fits(page), viewport
        a11y.check(page)
        page.select_option("#worker_id", str(member.id))
        _submit(page, "#add-member-button")
        assert page.is_visible(f"#remove-{member.id}") and _fits(page), viewport
        a11y.check(page)
        _submit(page, "#edit-team")
        assert _fits(page), viewport
        a11y.check(page)
        page.fill("#sender", "+358 45 777 000" + str(number))
        _submit(page, "#save-team")
        page.wait_for_selector("text=Tiedot on tallennettu.")
        context.close()
        with transaction(rt.sessions) as session:
            team = session.scalars(select(Team).where(Team.name == name)).one()
            assert (team.phone, team.window, team.sender) == (
                "+358402223333", "9-17", f"+35845777000{number}")
            assert session.get(TeamMember, (team.id, member.id)) is not None
    assert a11y.problems == [], "\n".join(a11y.problems)
