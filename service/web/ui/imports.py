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
from service.domain.people.client_import import (
    ImportFileError,
    ImportPreview,
    decode_csv,
    read_client_rows,
)
from service.domain.people.clients import ClientInput, create_client
from service.domain.privacy.audit import record
from service.store.models import Client, Worker
from service.web.context import db
from service.web.ui.security import current_worker

bp = Blueprint("imports", __name__, url_prefix="/import")


def _preview(text: str, encoding: str) -> ImportPreview:
    session = db()
    workers = {email.lower(): wid for wid, email in session.execute(
        select(Worker.id, Worker.email).where(Worker.active))}
    existing = [(name.lower(), phone) for name, phone in session.execute(
        select(func.lower(Client.name), Client.phone).where(Client.anonymised_at.is_(None)))]
    return read_client_rows(text, encoding=encoding, workers=workers, existing=existing,
                            default_worker_id=current_worker().id)


@bp.get("")
def upload() -> ResponseReturnValue:
    return render_template("imports/upload.html", errors={})


@bp.post("/preview")
def preview() -> ResponseReturnValue:
    upload_file = request.files.get("file")
    data = upload_file.read() if upload_file else b""
    try:
        if not data:
            raise ImportFileError("Valitse tiedosto.")
        text, encoding = decode_csv(data)
        result = _preview(text, encoding)
    except ImportFileError as exc:
        return render_template("imports/upload.html", errors={"file": str(exc)}), 422
    return render_template("imports/preview.html", p=result, csv_text=text)


@bp.post("/run")
def run() -> ResponseReturnValue:
    text = request.form.get("csv_text", "")
    encoding = request.form.get("encoding", "UTF-8")
    try:
        result = _preview(text, encoding)
    except ImportFileError as exc:
        return render_template("imports/upload.html", errors={"file": str(exc)}), 422
    session, now, me = db(), utcnow(), current_worker()
    created = failed = 0
    for row in result.importable:
        try:  # checked again; validation fails before anything is added to the session
            create_client(session, ClientInput(
                name=row.name, phone=row.phone or "", language=row.language,
                channel=row.channel, worker_id=row.worker_id), now)
            created += 1
        except ValidationError:
            failed += 1
    record(session, me.id, "import", "client", None,
           f"created {created}, skipped {len(result.rows) - created}")
    session.commit()
    flash(_("Tuotiin %(n)s asiakasta.", n=created), "success")
    skipped = len(result.rows) - created
    if skipped or failed:
        flash(_("Ohitettiin %(n)s riviä virheiden tai kaksoiskappaleiden vuoksi.", n=skipped),
              "warning")
    return redirect(url_for("clients.index"))
