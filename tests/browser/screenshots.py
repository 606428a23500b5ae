"""Screenshots of the main pages at a desktop's and a phone's width, for the README.

    .venv/bin/python -m tests.browser.screenshots [folder]

Writes docs/screenshots/<page>-1280.png and <page>-390.png (kept in the repository and
shown in the README: run it again after changing a page). The app runs on a throw-away
SQLite database with the demo data, in Finnish (the sign-in page also in Swedish and
English), in Debian's Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from service.config import load_config
from service.demo import DEMO_EMAIL, demo_team, seed
from service.runtime import Runtime, build_runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.migrate import upgrade
from service.store.models import Client, Event, Reminder
from service.store.states import ReminderState
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.server import serve

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


def _demo(rt: Runtime) -> tuple[str, dict[str, str]]:
    """Demo data with the first reminder sent; the sign-in password and the pages to shoot."""
    upgrade(rt.engine)
    password = seed(rt)
    with transaction(rt.sessions) as session:
        first = session.scalars(select(Reminder).where(Reminder.state == ReminderState.PLANNED)
                                .order_by(Reminder.send_at)).first()
        client_id = session.scalars(select(Client.id).order_by(Client.id)).first()
        event_id = session.scalars(select(Event.id).order_by(Event.id)).first()
    if first is not None:
        tick(rt, now=first.send_at + timedelta(seconds=1))
    pages = {"today": "/", "clients": "/clients", "client": f"/clients/{client_id}",
             "event": f"/events/{event_id}", "inbox": "/inbox", "team-files": "/team-files",
             "team-file-edit": "/team-files/edit?path=message_templates/sms/"
                               "appointment_reminder.fi.txt",
             "simulator": f"/simulator/{client_id}", "audit": "/admin/audit",
             "client-summary": f"/clients/{client_id}/summary"}
    return password, pages


def _shoot(browser: Any, base: str, password: str, pages: dict[str, str], out: Path) -> None:
    for size, viewport in SIZES.items():
        page = browser.new_page(viewport=viewport)
        page.goto(base + "/login")
        page.screenshot(path=str(out / f"login-{size}.png"), full_page=True)
        page.fill("#email", DEMO_EMAIL)
        page.fill("#password", password)
        page.click("#login-submit")
        page.wait_for_selector("h1")
        for name, path in pages.items():
            page.goto(base + path)
            page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=True)
        if size == "390":  # the menu opened from its button
            page.goto(base + "/")
            page.click("#site-menu > summary")
            page.screenshot(path=str(out / f"menu-{size}.png"))
        page.close()


def main(folder: str | None = None) -> int:
    from playwright.sync_api import sync_playwright

    out = Path(folder) if folder else FOLDER
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(env={}, database_url=f"sqlite:///{tmp}/shots.sqlite3",
                             gateway_kind="development", **demo_team())
        rt = build_runtime(config)
        password, pages = _demo(rt)
        with serve(rt) as (base, _live), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            _shoot(browser, base, password, pages, out)
            browser.close()
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
