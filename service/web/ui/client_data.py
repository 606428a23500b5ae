"""A client's data on request, from the web UI: export (JSON, CSV, a printable summary)
and erasure.

Only an admin or the client's own worker may do either, and the audit log records
both. The client page links here with templates/client_data/actions.html.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from service.clock import utcnow
from service.domain.privacy import audit
from service.domain.privacy.erasure import erase_client
from service.domain.privacy.export import client_export, to_csv, to_json
from service.domain.teams import access
from service.store.models import Client, Event, InboxItem, Message, Worker
from service.web.context import db, runtime
from service.web.ui.audit_log import action_label
from service.web.ui.security import current_worker
from service.web.ui.signed_in import signed_in_only

bp = Blueprint("client_data", __name__, url_prefix="/clients")
bp.before_request(signed_in_only)
CONFIRM_FIELD = "confirm"


def may_handle(worker: Worker, client: Client) -> bool:
    """Export and erasure: an admin, or the worker the client is assigned to (always
    within the teams the worker may see: the caller asks access.client_for first)."""
    return worker.is_admin or (client.worker_id is not None and client.worker_id == worker.id)


def _client(client_id: int) -> Client:
    client = access.client_for(db(), current_worker(), client_id)
    if client is None or client.anonymised_at is not None:
        abort(404)  # another team's client is, to this worker, not there
    if not may_handle(current_worker(), client):
        abort(403)
    return client


@bp.get("/<id:client_id>/export.<any(json, csv):fmt>")
def export(client_id: int, fmt: str) -> ResponseReturnValue:
    _client(client_id)
    session = db()
    data = client_export(session, client_id, plain=fmt == "json")
    assert data is not None
    audit.record(session, current_worker().id, "export", "client", client_id, f"web {fmt}")
    session.commit()
    stamp = utcnow().strftime("%Y%m%d")
    if fmt == "json":
        body, mimetype = to_json(data), "application/json"
    else:
        body, mimetype = to_csv(data, runtime().tz), "text/csv"
    return Response(body, content_type=f"{mimetype}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="asiakas-{client_id}-{stamp}.{fmt}"'})


@bp.get("/<id:client_id>/summary")
def summary(client_id: int) -> ResponseReturnValue:
    """The same data as the export, as a page to read with the client or print for them."""
    client = _client(client_id)
    session = db()
    data = client_export(session, client_id, plain=False)
    assert data is not None
    audit.record(session, current_worker().id, "export", "client", client_id, "web summary")
    session.commit()
    return render_template("client_data/summary.html", client=client, data=data,
                           printed=utcnow(), audit_action=action_label)


def _counts(client_id: int) -> dict[str, int]:
    session = db()
    return {
        "events": session.scalar(select(func.count()).where(Event.client_id == client_id)) or 0,
        "messages": session.scalar(select(func.count()).where(
            Message.client_id == client_id)) or 0,
        "inbox_items": session.scalar(select(func.count()).where(
            InboxItem.client_id == client_id)) or 0,
    }


@bp.route("/<id:client_id>/erase", methods=["GET", "POST"])
def erase(client_id: int) -> ResponseReturnValue:
    client = _client(client_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get(CONFIRM_FIELD) != "yes":
            errors[CONFIRM_FIELD] = _("Vahvista, että ymmärrät tietojen katoavan pysyvästi.")
        else:
            session = db()
            erase_client(session, client_id, utcnow(), current_worker().id)
            session.commit()
            flash(_("Asiakkaan %(id)s tiedot on poistettu pysyvästi.", id=client_id), "success")
            target = "clients.index" if "clients.index" in current_app.view_functions else None
            return redirect(url_for(target) if target else url_for("client_data.erased",
                                                                   client_id=client_id))
    audit.record(db(), current_worker().id, "view", "client", client_id, "erase page")
    db().commit()
    return render_template("client_data/erase.html", client=client, counts=_counts(client_id),
                           errors=errors), 422 if errors else 200


@bp.get("/<id:client_id>/erased")
def erased(client_id: int) -> ResponseReturnValue:
    if access.client_for(db(), current_worker(), client_id) is None:
        abort(404)
    return render_template("client_data/erased.html", client_id=client_id)
