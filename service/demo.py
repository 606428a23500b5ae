"""The newcomer's demo: SQLite, the offline gateway, demo data, web and worker in one process."""

from __future__ import annotations

import secrets
import threading
from datetime import date, datetime, time, timedelta
from typing import Any

import click
from sqlalchemy import select

from service.clock import utcnow
from service.config import load_config
from service.domain.events import lifecycle as ev
from service.domain.people.clients import ClientInput, create_client
from service.domain.people.passwords import hash_password
from service.domain.teams.setup import first_team_id, join
from service.runtime import Runtime, build_runtime, name_the_config_team
from service.scheduling import worker as worker_process
from service.store.db import transaction
from service.store.migrate import upgrade
from service.store.models import Client, Worker
from service.store.states import Role

DEMO_EMAIL = "ohjaaja@demo.rinnalla"
DEMO_CLIENTS = [
    ("Matti Mäkinen", "040 123 4567", "fi", "auto"),
    ("Greta Lindholm", "+358 50 765 4321", "sv", "auto"),
    ("Aino Virtanen", "014 123 4567", "selko", "auto"),  # a landline: calls only
    ("Jamal Ahmed", "0449876543", "en", "sms"),
    ("Olena Kovalenko", "0451239876", "uk", "auto"),  # Cyrillic: UCS-2 segments
]


def seed(rt: Runtime) -> str:
    """Create the demo worker and clients once; every run gets a fresh printed password."""
    password = secrets.token_urlsafe(9)
    now = utcnow()
    with transaction(rt.sessions) as session:
        worker = session.scalars(select(Worker).where(Worker.email == DEMO_EMAIL)).first()
        if worker is None:
            worker = Worker(name="Demo Ohjaaja", email=DEMO_EMAIL, role=Role.ORG_ADMIN)
            other = Worker(name="Toinen Työntekijä", email="toinen@demo.rinnalla",
                           password_hash=hash_password(secrets.token_urlsafe(9)))
            session.add_all([worker, other])
            session.flush()
            for member in (worker, other):
                join(session, member.id, first_team_id(session))
        worker.password_hash = hash_password(password)
        worker.failed_logins, worker.locked_until = 0, None
        session.flush()
        if session.scalars(select(Client)).first() is None:
            _demo_events(session, rt, worker.id, now)
    return password


def _demo_events(session: object, rt: Runtime, worker_id: int, now: datetime) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    clients = [create_client(session, ClientInput(name, phone, lang, channel, worker_id), now)
               for name, phone, lang, channel in DEMO_CLIENTS]
    tz = rt.config.tz
    today = now.astimezone(tz).date()

    def at(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=tz)

    for client, starts, place, bring, transport, kind in (
        (clients[0], at(1, 10), "Sosiaalitoimisto, Keskuskatu 5", "henkilökortti", False,
         "worker"),
        (clients[0], at(12, 9, 30), "Keski-Suomen keskussairaala, Hoitajantie 3",
         "henkilökortti", True, "health"),
        (clients[1], at(2, 13), "Kelan pop-up, kirjasto", "", False, "kela"),
        (clients[2], at(3, 11), "", "", False, "home_visit"),
        (clients[3], at(8, 14), "Talous- ja velkaneuvonta, Jyväskylä",
         "tiliotteet kahdelta kuukaudelta", True, "debt_counselling"),
        (clients[4], at(4, 10), "Keskuskatu 5", "паспорт", False, "worker"),
    ):
        event = ev.build_appointment(session, ev.AppointmentInput(
            client_id=client.id, starts_at=starts, place=place, bring=bring,
            needs_transport=transport, appointment_type=kind), now)
        ev.register_event(session, rt, event, now, worker_id)
    application = ev.build_application(session, ev.ApplicationInput(
        client_id=clients[0].id, agency="Kela", submitted_on=today - timedelta(days=20),
        documents_due=today + timedelta(days=9), decision_expected=today + timedelta(days=30)),
        now)
    ev.register_event(session, rt, application, now, worker_id)
    # One reminder due right away, so the first tick shows something happening.
    soon = ev.build_appointment(session, ev.AppointmentInput(
        client_id=clients[0].id, starts_at=now + timedelta(hours=5), place="",
        appointment_type="phone"), now)
    ev.register_event(session, rt, soon, now, worker_id)
    _ = date


def demo_team() -> dict[str, Any]:
    """The demo team's number, unless the configuration gives its own: texts say
    "Soita 014 123 4567" and the phone simulator shows it as the sender."""
    return {} if load_config().team_phone else {"team_phone": "+358 14 123 4567"}


def run_demo(host: str = "127.0.0.1", port: int = 5000, serve: bool = True) -> None:
    from werkzeug.serving import run_simple

    from service.app import create_app

    config = load_config(gateway_kind="development", public_base_url=f"http://{host}:{port}",
                         tick_seconds=5, **demo_team())
    rt = build_runtime(config)
    upgrade(rt.engine)
    name_the_config_team(rt.config, rt.sessions)  # a new database: named after migrating
    password = seed(rt)
    url = f"http://{host}:{port}/login"  # the worker UI opens on its sign-in page
    click.echo("")
    click.echo("Rinnalla demo (SQLite, offline development gateway: nothing leaves this machine)")
    click.echo(f"  tietokanta: {config.database_url}")
    click.echo(f"  osoite:     {url}")
    click.echo(f"  tunnus:     {DEMO_EMAIL}")
    click.echo(f"  salasana:   {password}")
    click.echo("")
    if not serve:
        return
    stop = threading.Event()
    # The worker's own loop: woken in-process when the web commits new work.
    thread = threading.Thread(target=worker_process.serve, args=(rt, "demo-worker", stop),
                              name="demo-worker", daemon=True)
    thread.start()
    app = create_app(runtime=rt)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        stop.set()
