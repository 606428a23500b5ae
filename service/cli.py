"""The `rinnalla` command: database, workers, tokens, the worker process, checks, the demo."""

from __future__ import annotations

import secrets
import sys
from datetime import datetime
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import freeze, utcnow
from service.config import Config, ConfigError, load_config
from service.domain.replies.received import MAX_ATTEMPTS
from service.runtime import Runtime
from service.scheduling.text_reading import read_waiting, retry_unreadable
from service.store.db import transaction

if TYPE_CHECKING:
    from service.store.models import Worker


def _create_app() -> Flask:
    from service.app import create_app

    try:
        return create_app()
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


class RinnallaGroup(FlaskGroup):
    """`rinnalla --help` lists Rinnalla's own commands and options, descriptions uncut.

    Flask's generic options (--app, --env-file, --debug) and commands (run, shell, routes,
    plugins' such as limiter) still work but are hidden: a newcomer reads only what is ours.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        for param in self.params:
            if param.name in ("app", "env_file", "debug") and isinstance(param, click.Option):
                param.hidden = True

    def list_commands(self, ctx: click.Context) -> list[str]:
        own = []
        for name in super().list_commands(ctx):
            command = self.get_command(ctx, name)
            callback = command.callback if command is not None else None
            if callback is not None and callback.__module__.startswith("service."):
                own.append(name)
        return own

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=RinnallaGroup, create_app=_create_app, add_default_commands=True,
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
    from service.runtime import name_the_config_team
    from service.store.migrate import upgrade

    rt = _rt()
    upgrade(rt.engine)
    name_the_config_team(rt.config, rt.sessions)
    click.echo("Tietokanta on ajan tasalla.")


@main.command("create-team")
@click.option("--name", required=True, help="the name clients see in texts and calls")
@click.option("--phone", required=True, help="the number clients call back")
@click.option("--booking-number", default="", help="the transport (Kela taxi) booking number")
@with_appcontext
def create_team(name: str, phone: str, booking_number: str) -> None:
    """Add a team; its id is printed alone on the last line (for scripts)."""
    from service.domain.errors import ValidationError
    from service.domain.teams.setup import TeamInput, check_team
    from service.domain.teams.setup import create_team as make_team

    try:
        values = check_team(TeamInput(name=name, phone=phone, booking_number=booking_number))
    except ValidationError as exc:
        raise click.UsageError("; ".join(f"--{k.replace('_', '-')}: {v}"
                                         for k, v in exc.errors.items())) from exc
    with transaction(_rt().sessions) as session:
        team = make_team(session, str(values["name"]), str(values["phone"]),
                         str(values["booking_number"] or ""))
        team_id = team.id
    click.echo(f"Tiimi {name} luotu.")
    click.echo(str(team_id))


@main.command("create-worker")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--team", "team_id", type=int, default=None,
              help="the team's id (default: the first team)")
@click.option("--role", type=click.Choice(["worker", "team_admin", "org_admin"]),
              default=None, help="worker (default), team_admin or org_admin")
@click.option("--admin", is_flag=True, help="the same as --role org_admin")
@with_appcontext
def create_worker(name: str, email: str, team_id: int | None, role: str | None,
                  admin: bool) -> None:
    """Add a worker to a team and print a generated password once."""
    from service.domain.people.passwords import hash_password
    from service.domain.teams.setup import first_team_id, join
    from service.store.models import Team, Worker
    from service.store.states import Role

    chosen = Role(role) if role else Role.ORG_ADMIN if admin else Role.WORKER
    if admin and role and chosen != Role.ORG_ADMIN:
        raise click.UsageError("--admin is --role org_admin: give one of them")
    password = secrets.token_urlsafe(12)
    with transaction(_rt().sessions) as session:
        if team_id is not None and session.get(Team, team_id) is None:
            raise click.UsageError(f"--team: no team has the id {team_id} "
                                   "(`rinnalla create-team` prints a new team's id)")
        if session.scalars(select(Worker).where(Worker.email == email.lower())).first():
            raise click.ClickException(f"worker {email} exists already")
        worker = Worker(name=name, email=email.lower(), password_hash=hash_password(password),
                        role=chosen, must_change_password=True)
        session.add(worker)
        session.flush()
        join(session, worker.id, team_id if team_id is not None else first_team_id(session))
    click.echo(f"Työntekijä {email} luotu ({chosen.value}).")
    click.echo(f"Salasana: {password}")


@main.command("create-token")
@click.argument("email")
@with_appcontext
def create_token(email: str) -> None:
    """Make an API token for a worker; the token is printed once, on the last line."""
    from service.domain.people.api_tokens import create_token as make_token

    with transaction(_rt().sessions) as session:
        token = make_token(session, _worker_by_email(session, email).id, utcnow())
    click.echo(f"API-avain työntekijälle {email} (näytetään vain kerran):")
    click.echo(token)


@main.command("list-tokens")
@click.argument("email")
@with_appcontext
def list_tokens(email: str) -> None:
    """A worker's API tokens: id, when made, when last used (the tokens are not stored)."""
    from service.domain.people.api_tokens import tokens_of

    with transaction(_rt().sessions) as session:
        rows = tokens_of(session, _worker_by_email(session, email).id)
    if not rows:
        click.echo(f"Työntekijällä {email} ei ole API-avaimia.")
    for row in rows:
        used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "ei koskaan"
        click.echo(f"{row.id}\tluotu {row.created_at.isoformat(timespec='seconds')}"
                   f"\tkäytetty {used}")


@main.command("revoke-token")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
@with_appcontext
def revoke_token(token_id: int) -> None:
    """Revoke one API token by its id (from list-tokens); it stops working at once."""
    from service.domain.people.api_tokens import revoke_token as revoke

    with transaction(_rt().sessions) as session:
        if not revoke(session, token_id, None, utcnow()):
            raise click.ClickException(f"no API token {token_id}")
    click.echo(f"API-avain {token_id} on poistettu käytöstä.")


def _worker_by_email(session: Session, email: str) -> Worker:
    from service.store.models import Worker

    worker = session.scalars(select(Worker).where(Worker.email == email.lower())).first()
    if worker is None:
        raise click.ClickException(f"no worker {email}")
    return worker


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


@main.command("read-texts")
@click.option("--retry", is_flag=True,
              help=f"first give the texts whose reading failed {MAX_ATTEMPTS} times "
                   "(/readyz: texts) as many tries again, once the cause is fixed")
@with_appcontext
def read_texts_command(retry: bool) -> None:
    """Read the texts the SMS webhook stored, now, as the worker does."""
    rt = _rt()
    if retry:
        click.echo(f"Uudelleen luettavaksi: {retry_unreadable(rt)}")
    counts = read_waiting(rt)
    click.echo(f"Luettu: {counts.read}, epäonnistui: {counts.failed}")
    if counts.failed:
        raise click.ClickException("osaa viesteistä ei voitu lukea: katso loki")


@main.command("check-files")
def check_files() -> None:
    """Validate message_templates/ and schedules/ with the configured team values: each
    template's SMS cost and a call's spoken seconds, in every language, reader and kind."""
    from service.domain.messages.template_check import check_team_files

    try:
        config = load_config()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    report = check_team_files(config.templates_dir, config.schedules_dir, config.sender)
    for line in report.lines:
        click.echo(line)
    for warning in report.warnings:
        click.echo(f"VAROITUS {warning}", err=True)
    report.errors.extend(_check_teams(config))
    if report.errors:
        for error in report.errors:
            click.echo(f"VIRHE {error}", err=True)
        sys.exit(1)
    click.echo("Kaikki tiedostot kunnossa.")


def _check_teams(config: Config) -> list[str]:
    """Every team with settings of its own: its folder laid over the installation's files,
    and its name and numbers in every text (as each process checks them at start-up)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from service.domain.teams.settings import TeamSettings, is_plain, team_sender
    from service.runtime import TeamFileProblem, load_team_files
    from service.store.db import make_engine, normalise_url
    from service.store.models import Team

    if not config.database_url:
        return []
    url = make_url(normalise_url(config.database_url))
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return []  # no database yet (a fresh checkout): no teams but the configured one
    engine = make_engine(config.database_url)
    try:
        with Session(engine) as session:
            teams = [TeamSettings.of(t) for t in session.scalars(
                select(Team).where(Team.active).order_by(Team.id))]
    except DBAPIError:
        click.echo("(teams not checked: the database is not migrated yet, init-db)")
        return []
    finally:
        engine.dispose()
    errors = []
    for team in teams:
        if is_plain(team):
            continue
        try:
            load_team_files(config, None, Path(team.files_dir) if team.files_dir else None,
                            team_sender(team, config.sender))
        except TeamFileProblem as exc:
            errors.append(f"team {team.id} ({team.name}): {exc}")
        else:
            click.echo(f"team {team.id} ({team.name}): ok"
                       + (f", folder {team.files_dir}" if team.files_dir else ""))
    return errors


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
