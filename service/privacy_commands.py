"""The data-protection commands: `rinnalla retention`, `export-client`, `erase-client`.

Run by an operator at the server; the audit log records exports and erasures with
the worker given by --by (or none: "done at the console").
"""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from service.clock import freeze, utcnow
from service.runtime import Runtime
from service.store.db import transaction


def _rt() -> Runtime:
    rt: Runtime = current_app.extensions["rinnalla"]
    return rt


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter("käytä ISO 8601 -muotoa, esim. 2026-06-03T03:00:00+03:00") \
            from exc
    if value.tzinfo is None:
        raise click.BadParameter("anna myös aikavyöhyke, esim. 2026-06-03T03:00:00+03:00")
    return value


def _worker_id(email: str | None) -> int | None:
    if not email:
        return None
    from service.store.models import Worker

    with transaction(_rt().sessions) as session:
        worker_id = session.scalar(select(Worker.id).where(Worker.email == email.lower()))
    if worker_id is None:
        raise click.ClickException(f"työntekijää {email} ei löydy")
    return worker_id


@click.command("retention")
@click.option("--now", "now_text", default=None,
              help="as if it were this moment (ISO 8601 with offset), for tests and checks")
@with_appcontext
def retention_command(now_text: str | None) -> None:
    """Erase old message bodies and anonymise inactive clients and events now."""
    from service.scheduling.daily import retention_now

    now = _moment(now_text)
    if now is not None:
        freeze(now)
    try:
        result = retention_now(_rt(), now or utcnow())
    finally:
        freeze(None)
    click.echo(f"Säilytysaika: viestien tekstejä poistettu {result.bodies_erased}, "
               f"tehtävätekstejä {result.task_texts_erased}, tapahtumia anonymisoitu "
               f"{result.events_anonymised}, asiakkaita anonymisoitu "
               f"{result.clients_anonymised}.")


@click.command("export-client")
@click.argument("client_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="write to this file instead of standard output")
@click.option("--by", "by_email", default=None, help="the worker asking (for the audit log)")
@with_appcontext
def export_client_command(client_id: int, fmt: str, output: str | None,
                          by_email: str | None) -> None:
    """Print (or write) all of one client's data, and record the export in the audit log."""
    from service.domain.privacy import audit
    from service.domain.privacy.export import client_export, to_csv, to_json

    worker_id = _worker_id(by_email)
    with transaction(_rt().sessions) as session:
        data = client_export(session, client_id, plain=fmt == "json")
        if data is None:
            raise click.ClickException(f"asiakasta {client_id} ei löydy")
        audit.record(session, worker_id, "export", "client", client_id, f"cli {fmt}")
    text = to_json(data) + "\n" if fmt == "json" else to_csv(data, _rt().tz,
                                                                  bom=output is not None)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        click.echo(f"Asiakkaan {client_id} tiedot kirjoitettu tiedostoon {output}.", err=True)
    else:
        sys.stdout.write(text)


@click.command("erase-client")
@click.argument("client_id", type=int)
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@click.option("--by", "by_email", default=None, help="the worker asking (for the audit log)")
@with_appcontext
def erase_client_command(client_id: int, yes: bool, by_email: str | None) -> None:
    """Erase all of one client's personal data for good (export it first if asked for)."""
    from service.domain.privacy.erasure import NoSuchClient, erase_client

    worker_id = _worker_id(by_email)
    if not yes:
        click.confirm(f"Poistetaanko asiakkaan {client_id} tiedot pysyvästi?", abort=True)
    try:
        with transaction(_rt().sessions) as session:
            result = erase_client(session, client_id, utcnow(), worker_id)
    except NoSuchClient as exc:
        raise click.ClickException(f"asiakasta {client_id} ei löydy") from exc
    click.echo(f"Asiakkaan {client_id} tiedot poistettu: {result.summary()}.")


COMMANDS = (retention_command, export_client_command, erase_client_command)
