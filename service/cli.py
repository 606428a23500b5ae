"""The `rinnalla` command: database, workers, tokens, the worker process, checks, the demo."""

from __future__ import annotations

import secrets
import sys
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from service.clock import freeze, utcnow
from service.config import ConfigError, load_config
from service.runtime import Runtime
from service.store.db import transaction


def _create_app() -> Flask:
    from service.app import create_app

    try:
        return create_app()
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True,
             add_version_option=False)
def main() -> None:
    """Rinnalla: SMS and voice reminders for clients who are not online."""


def _rt() -> Runtime:
    rt: Runtime = current_app.extensions["rinnalla"]
    return rt


@main.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database to the newest schema (safe to run again)."""
    from service.store.migrate import upgrade

    upgrade(_rt().engine)
    click.echo("Tietokanta on ajan tasalla.")


@main.command("create-worker")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--admin", is_flag=True, help="may manage other workers")
@with_appcontext
def create_worker(name: str, email: str, admin: bool) -> None:
    """Add a worker and print a generated password once."""
    from service.domain.people.passwords import hash_password
    from service.store.models import Worker

    password = secrets.token_urlsafe(12)
    with transaction(_rt().sessions) as session:
        if session.scalars(select(Worker).where(Worker.email == email.lower())).first():
            raise click.ClickException(f"worker {email} exists already")
        session.add(Worker(name=name, email=email.lower(), password_hash=hash_password(password),
                           role="admin" if admin else "worker"))
    click.echo(f"Työntekijä {email} luotu ({'admin' if admin else 'worker'}).")
    click.echo(f"Salasana: {password}")


@main.command("create-token")
@click.argument("email")
@with_appcontext
def create_token(email: str) -> None:
    """Make an API token for a worker; the token is printed once, on the last line."""
    from service.store.models import ApiToken, Worker
    from service.web.api.endpoints import hash_token

    token = secrets.token_urlsafe(32)
    with transaction(_rt().sessions) as session:
        worker = session.scalars(select(Worker).where(Worker.email == email.lower())).first()
        if worker is None:
            raise click.ClickException(f"no worker {email}")
        session.add(ApiToken(worker_id=worker.id, token_hash=hash_token(token)))
    click.echo(f"API-avain työntekijälle {email} (näytetään vain kerran):")
    click.echo(token)


@main.command("worker")
@with_appcontext
def worker() -> None:
    """Run the dispatch worker until SIGTERM."""
    from service.scheduling.worker import run_worker

    run_worker(_rt())


@main.command("tick")
@click.option("--now", "now_text", default=None,
              help="act as if it were this moment (ISO 8601 with offset), for tests and demos")
@with_appcontext
def tick_command(now_text: str | None) -> None:
    """Run one dispatch pass and exit."""
    from service.scheduling.dispatch import tick

    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as exc:
            raise click.BadParameter("use ISO 8601, e.g. 2026-06-03T10:00:00+03:00") from exc
        if now.tzinfo is None:
            raise click.BadParameter("give the offset too, e.g. 2026-06-03T10:00:00+03:00")
        freeze(now)
    try:
        result = tick(_rt(), now=now or utcnow())
    finally:
        freeze(None)
    click.echo(f"Käsitelty: {result.summary()}")
    for error in result.errors:
        click.echo(f"virhe: {error}", err=True)


@main.command("check-files")
def check_files() -> None:
    """Validate message_templates/ and schedules/ (and report each template's SMS cost)."""
    from service.domain.messages.template_check import check_team_files

    try:
        config = load_config()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    report = check_team_files(config.templates_dir, config.schedules_dir, config.sender)
    for line in report.lines:
        click.echo(line)
    if report.errors:
        for error in report.errors:
            click.echo(f"VIRHE {error}", err=True)
        sys.exit(1)
    click.echo("Kaikki tiedostot kunnossa.")


@main.command("demo")
@click.option("--port", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-serve", is_flag=True, help="only load the demo data and exit")
def demo(port: int, host: str, no_serve: bool) -> None:
    """Start web and worker together on SQLite with demo data, and print a login."""
    from service.demo import run_demo

    run_demo(host=host, port=port, serve=not no_serve)


def _add_trust_commands() -> None:
    from service.privacy_commands import COMMANDS  # retention, export-client, erase-client

    for command in COMMANDS:
        main.add_command(command)


_add_trust_commands()


def _add_reply_commands() -> None:
    from service.reply_commands import read_reply_command  # needs no app, config or database

    main.add_command(read_reply_command)


_add_reply_commands()


if __name__ == "__main__":
    main()
