"""Importing a client list from CSV: a dry-run preview first, then only the valid rows.

The preview carries the file's decoded text in the form, so nothing is stored between
the two steps, and the import checks every row again before saving it.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.fields import optional_id
from service.domain.people.client_import import (
    ImportFileError,
    ImportPreview,
    decode_csv,
    read_client_rows,
)
from service.domain.people.clients import ClientInput, create_client
from service.domain.privacy.audit import record
from service.domain.teams import access
from service.store.models import Client
from service.web.context import db
from service.web.ui.security import current_worker

bp = Blueprint("imports", __name__, url_prefix="/import")


def _team() -> int:
    """The one team the file is imported into: one of the worker's own (ValidationError
    naming team_id otherwise; a worker of one team need not choose)."""
    return access.team_for_new_client(db(), current_worker(),
                                      optional_id(request.form.get("team_id"), "team_id"))


def _upload_page(errors: dict[str, str], team_id: int | None = None) -> ResponseReturnValue:
    teams = access.own_teams(db(), current_worker())
    options = [(t.id, t.name) for t in teams] if len(teams) > 1 else []
    return render_template("imports/upload.html", errors=errors, team_options=options,
                           team_id=team_id or ""), 422 if errors else 200


def _preview(text: str, encoding: str, team_id: int) -> ImportPreview:
    """The rows as they would be imported into the team: its active workers by email,
    and duplicates looked for among its own clients."""
    session = db()
    workers = {w.email.lower(): w.id for w in access.team_members(session, team_id)}
    existing = [(name.lower(), phone) for name, phone in session.execute(
        select(func.lower(Client.name), Client.phone).where(
            Client.anonymised_at.is_(None), Client.team_id == team_id))]
    return read_client_rows(text, encoding=encoding, workers=workers, existing=existing,
                            default_worker_id=current_worker().id)


@bp.get("")
def upload() -> ResponseReturnValue:
    return _upload_page({})


@bp.post("/preview")
def preview() -> ResponseReturnValue:
    upload_file = request.files.get("file")
    data = upload_file.read() if upload_file else b""
    try:
        team_id = _team()
        if not data:
            raise ImportFileError("Valitse tiedosto.")
        text, encoding = decode_csv(data)
        result = _preview(text, encoding, team_id)
    except ValidationError as exc:
        return _upload_page(exc.errors)
    except ImportFileError as exc:
        return _upload_page({"file": str(exc)}, team_id)
    return render_template("imports/preview.html", p=result, csv_text=text, team_id=team_id)


@bp.post("/run")
def run() -> ResponseReturnValue:
    text = request.form.get("csv_text", "")
    encoding = request.form.get("encoding", "UTF-8")
    try:
        team_id = _team()
        result = _preview(text, encoding, team_id)
    except ValidationError as exc:
        return _upload_page(exc.errors)
    except ImportFileError as exc:
        return _upload_page({"file": str(exc)}, team_id)
    session, now, me = db(), utcnow(), current_worker()
    created = failed = 0
    for row in result.importable:
        try:  # checked again; validation fails before anything is added to the session
            create_client(session, ClientInput(
                name=row.name, phone=row.phone or "", language=row.language,
                channel=row.channel, worker_id=row.worker_id, team_id=team_id), now)
            created += 1
        except ValidationError:
            failed += 1
    record(session, me.id, "import", "client", None,
           f"created {created}, skipped {len(result.rows) - created}", team_id=team_id)
    session.commit()
    flash(_("Tuotiin %(n)s asiakasta.", n=created), "success")
    skipped = len(result.rows) - created
    if skipped or failed:
        flash(_("Ohitettiin %(n)s riviä virheiden tai kaksoiskappaleiden vuoksi.", n=skipped),
              "warning")
    return redirect(url_for("clients.index"))
