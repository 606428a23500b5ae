"""Screenshots of the main pages for a reviewer (not committed: screenshots/ is ignored).

    .venv/bin/python -m tests.browser.screenshots [folder]

Runs the app on a throw-away SQLite database with the demo data, in Finnish (and the
sign-in page in Swedish and English), using Debian's Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from service.config import load_config
from service.demo import DEMO_EMAIL, seed
from service.runtime import build_runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.migrate import upgrade
from service.store.models import Client, Event, Reminder
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.server import serve


def main(folder: str = "screenshots") -> int:
    from playwright.sync_api import sync_playwright

    out = Path(folder)
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(env={}, database_url=f"sqlite:///{tmp}/shots.sqlite3",
                             gateway_kind="development")
        rt = build_runtime(config)
        upgrade(rt.engine)
        password = seed(rt)
        with transaction(rt.sessions) as session:
            first = session.scalars(select(Reminder).where(Reminder.state == "planned")
                                    .order_by(Reminder.send_at)).first()
            client_id = session.scalars(select(Client.id)).first()
            event_id = session.scalars(select(Event.id)).first()
        if first is not None:
            tick(rt, now=first.send_at + timedelta(seconds=1))
        with serve(rt) as (base, _live), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for lang in ("sv", "en", "fi"):
                page.goto(base + "/login")
                page.select_option("#ui-language", lang)
                page.click("#ui-language ~ button")
                page.screenshot(path=str(out / f"login-{lang}.png"), full_page=True)
            page.fill("#email", DEMO_EMAIL)
            page.fill("#password", password)
            page.click("#login-submit")
            pages = {"today": "/", "clients": "/clients", "client": f"/clients/{client_id}",
                     "client-new": "/clients/new", "event": f"/events/{event_id}",
                     "inbox": "/inbox", "team-inbox": "/inbox?box=team", "import": "/import",
                     "team-files": "/team-files", "simulator": f"/simulator/{client_id}",
                     "workers": "/admin/workers"}
            for name, path in pages.items():
                page.goto(base + path)
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            page.goto(base + f"/events/new/appointment?client_id={client_id}")
            page.fill("#date", "15.1.2031")
            page.fill("#time", "10.00")
            page.fill("#place", "Sosiaalitoimisto, Keskuskatu 5")
            page.click("#preview-event")
            page.screenshot(path=str(out / "appointment-preview.png"), full_page=True)
            browser.close()
    print(f"screenshots in {out.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
