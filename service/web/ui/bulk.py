"""A message to many clients at once ("tomorrow's group: the room has changed").

Chosen by a filter (clients with an appointment on a day, all of a worker's clients,
all my own), then narrowed from the list; at most MAX_CLIENTS a send, and a filter that
finds more is refused with the cap named, never cut short. The preview shows the text
as it goes, its segments, the character that forces UCS-2, and the cost estimated at
the configured per-segment price; opted-out, erased and text-less clients are left out and counted.
Sending queues one text a client (domain/messages/to_clients.py): each waits for its
client's window, and the dispatch pass sends them within the rate limits. The progress
page counts them by status.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.fields import optional_id
from service.domain.messages.to_clients import (
    EXCLUDED,
    appointment_clients,
    plan_bulk,
    queue_bulk,
)
from service.domain.teams import access
from service.domain.texts.worker_texts import estimate_cost, inspect_text
from service.store.models import Client, Message, Worker
from service.web.context import db, runtime
from service.web.ui.form_input import input_date, parse_date_field
from service.web.ui.security import current_worker
from service.web.ui.text_check import checked_text, feedback

bp = Blueprint("bulk", __name__, url_prefix="/bulk")
MAX_CLIENTS = 500
AUDIENCES = ("appointments", "mine", "worker")


def _today() -> date:
    return utcnow().astimezone(runtime().config.tz).date()


def _values() -> dict[str, str]:
    form = request.values
    return {"audience": form.get("audience", "appointments"),
            "day": form.get("day", input_date(_today() + timedelta(days=1))),
            "only_mine": form.get("only_mine", "1" if request.method == "GET" else ""),
            "worker_id": form.get("worker_id", ""), "body": form.get("body", "")}


def _within_cap(found: list[Client], field: str) -> list[Client]:
    """The clients found, or a refusal naming the cap: more than MAX_CLIENTS are never
    cut silently (the ones left over would not know they were left out)."""
    if len(found) > MAX_CLIENTS:
        raise ValidationError({field: _(
            "Valinnalla löytyi yli %(n)s asiakasta. Viestin voi lähettää kerralla enintään "
            "%(n)s asiakkaalle: rajaa valintaa (esimerkiksi vain omat asiakkaat tai yhden "
            "työntekijän asiakkaat) ja lähetä muille erikseen.", n=MAX_CLIENTS)})
    return found


def _chosen(values: dict[str, str]) -> list[Client]:
    """The clients the filter finds (ValidationError for a bad day or worker, or for
    more clients than one send may reach)."""
    session, me = db(), current_worker()
    audience = values["audience"] if values["audience"] in AUDIENCES else "appointments"
    if audience == "appointments":
        try:
            day = parse_date_field(values["day"])
        except ValueError as exc:
            raise ValidationError({"day": str(exc)}) from exc
        mine = me.id if values["only_mine"] == "1" else None
        return _within_cap(appointment_clients(session, day, runtime().config.tz, mine,
                                               access.clients_rule(me)), "day")
    worker_id = me.id if audience == "mine" else optional_id(values["worker_id"], "worker_id")
    if worker_id is None:
        raise ValidationError({"worker_id": "Valitse työntekijä."})
    return _within_cap(list(session.scalars(
        select(Client).where(Client.worker_id == worker_id, access.clients_rule(me))
        .order_by(Client.name, Client.id).limit(MAX_CLIENTS + 1))),
        "audience" if audience == "mine" else "worker_id")


def _picked(found: list[Client]) -> list[Client]:
    """Of the clients found, those still ticked in the list (all on the first preview)."""
    if request.form.get("picked") != "1":
        return found
    ids = {int(raw) for raw in request.form.getlist("client_id") if raw.isdigit()}
    return [c for c in found if c.id in ids]


def _page(values: dict[str, str], errors: dict[str, str], found: list[Client] | None = None,
          picked: list[Client] | None = None) -> ResponseReturnValue:
    plan = plan_bulk(picked) if picked is not None else None
    check = inspect_text(values["body"]) if values["body"].strip() else None
    cost = estimate_cost(check.info.segments, len(plan.recipients),
                         runtime().config.sms_segment_price) if plan and check else None
    workers = list(db().scalars(select(Worker).where(
        Worker.active, access.colleagues_rule(current_worker())).order_by(Worker.name)))
    return render_template(
        "bulk/index.html", v=values, errors=errors, found=found, plan=plan,
        picked_ids={c.id for c in picked or []}, check=feedback(values["body"]) if check
        else None, preview=check.text if check else "", cost=cost, excluded=EXCLUDED,
        price=runtime().config.sms_segment_price, workers=workers, cap=MAX_CLIENTS,
        ), 422 if errors else 200


@bp.route("", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    values = _values()
    if request.method == "GET" and "audience" not in request.args:
        return _page(values, {})
    try:
        found = _chosen(values)
    except ValidationError as exc:
        return _page(values, exc.errors)
    picked = _picked(found)
    if request.form.get("action") != "send":
        return _page(values, {}, found, picked)
    return _send(values, found, picked)


def _send(values: dict[str, str], found: list[Client], picked: list[Client]
          ) -> ResponseReturnValue:
    session, me, now = db(), current_worker(), utcnow()
    try:
        text, _warning = checked_text(values["body"])
        plan = plan_bulk(picked)
        queue_bulk(session, runtime(), plan, text, me.id, now)
    except ValidationError as exc:
        session.rollback()
        return _page(values, exc.errors, found, picked)
    session.commit()
    counts = "".join(f"&{key}={n}" for key, n in sorted(plan.left_out.items()))
    return redirect(url_for("bulk.progress", at=now.isoformat()) + counts)


@bp.get("/sent")
def progress() -> ResponseReturnValue:
    """The texts one send queued (same worker, same moment), counted by status."""
    try:
        at = datetime.fromisoformat(request.args.get("at", ""))
    except ValueError:
        abort(404)
    if at.tzinfo is None:
        abort(404)
    rows = db().execute(select(Message.status, func.count()).where(
        Message.worker_id == current_worker().id, Message.created_at == at,
        Message.reminder_id.is_(None), Message.event_id.is_(None))
        .group_by(Message.status)).tuples().all()
    if not rows:
        abort(404)
    waiting = db().scalar(select(func.count()).where(
        Message.worker_id == current_worker().id, Message.created_at == at,
        Message.not_before.is_not(None), Message.not_before > utcnow())) or 0
    left_out = {k: request.args.get(k, 0, type=int) for k in EXCLUDED}
    return render_template("bulk/sent.html", counts=dict(rows), total=sum(n for _s, n in rows),
                           waiting=waiting, left_out=left_out, excluded=EXCLUDED,
                           title=_("Viesti monelle: eteneminen"))
