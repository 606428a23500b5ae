"""Appointments from a CSV or an .ics file, with a dry run first and per-row errors (as
the client import), for one team; and the .ics download of my coming appointments.

The preview carries the file's text in the form, so nothing is stored between the two
steps, and the run reads and checks every row again before saving it.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events import ics_export
from service.domain.people import appointment_import as imp
from service.domain.people.client_import import ImportFileError, decode_csv
from service.domain.privacy.audit import record
from service.domain.teams import access
from service.web.context import db, runtime
from service.web.ui.formatting import APPOINTMENT_TYPES
from service.web.ui.security import current_worker

bp = Blueprint("appointment_imports", __name__, url_prefix="/import/appointments")


def _team_id() -> int:
    """The team the import runs for: the caller's (chosen when they have several)."""
    teams = access.team_ids(db(), current_worker())
    if not teams:
        abort(403)
    chosen = request.values.get("team_id", "")
    return int(chosen) if chosen.isdigit() and int(chosen) in teams else teams[0]


def _read(text: str, kind: str, encoding: str, team_id: int) -> imp.AppointmentPreview:
    rt, now = runtime(), utcnow()
    team = imp.team_clients(db(), team_id)
    if kind == "ics":
        return imp.read_ics(text.encode("utf-8"), team, now, rt.config.tz)
    return imp.read_csv(text, encoding, team, now, rt.config.tz)


def _upload(errors: dict[str, str], status: int = 200) -> ResponseReturnValue:
    return render_template("imports/appointments_upload.html", errors=errors,
                           teams=current_worker().teams), status


@bp.get("")
def upload() -> ResponseReturnValue:
    return _upload({})


@bp.post("/preview")
def preview() -> ResponseReturnValue:
    upload_file = request.files.get("file")
    data = upload_file.read() if upload_file else b""
    name = (upload_file.filename or "").lower() if upload_file else ""
    kind = "ics" if name.endswith(".ics") or data.lstrip().startswith(b"BEGIN:VCALENDAR") \
        else "csv"
    team_id = _team_id()
    try:
        if not data:
            raise ImportFileError("Valitse tiedosto.")
        text, encoding = decode_csv(data)
        result = _read(text, kind, encoding, team_id)
    except ImportFileError as exc:
        return _upload({"file": str(exc)}, 422)
    return render_template("imports/appointments_preview.html", p=result, text=text,
                           team_id=team_id, names=imp.team_clients(db(), team_id).names)


@bp.post("/run")
def run() -> ResponseReturnValue:
    team_id, rt, now, me = _team_id(), runtime(), utcnow(), current_worker()
    try:
        result = _read(request.form.get("text", ""), request.form.get("kind", "csv"),
                       request.form.get("encoding", "UTF-8"), team_id)
    except ImportFileError as exc:
        return _upload({"file": str(exc)}, 422)
    session, created = db(), 0
    for row in result.importable:
        try:
            with session.begin_nested():  # one row that fails now leaves the others
                imp.save(session, rt, row, now, rt.config.horizon_days, me.id)
            created += 1
        except ValidationError:
            continue
    record(session, me.id, "import", "event", None,
           f"{result.kind}: created {created}, skipped {len(result.rows) - created}")
    session.commit()
    flash(_("Tuotiin %(n)s aikaa.", n=created), "success")
    if len(result.rows) > created:
        flash(_("Ohitettiin %(n)s riviä virheiden tai kaksoiskappaleiden vuoksi.",
                n=len(result.rows) - created), "warning")
    return redirect(url_for("upcoming.index"))


@bp.get("/my-appointments.ics")
def export() -> ResponseReturnValue:
    """My coming appointments as a file for my own calendar (a download, not a feed)."""
    me, now = current_worker(), utcnow()
    events = ics_export.coming(db(), me.id, now)
    body = ics_export.calendar_bytes(events, {k: str(v) for k, v in APPOINTMENT_TYPES.items()},
                                     request.host.split(":")[0] or "rinnalla", now)
    record(db(), me.id, "export", "appointments", None, f"ics {len(events)} appointments")
    db().commit()
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="tulevat-ajat.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response
