"""The audit log for admins: who viewed, created, changed, exported or erased what, and when.

Reading the log is itself recorded. Each entry reads as a Finnish sentence with the
client's or worker's name (the log itself keeps ids only). Filters: worker, action,
object, client name, days; newest first, a page at a time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as L
from sqlalchemy import func, select

from service.domain.errors import ValidationError
from service.domain.fields import collect_text, day_problem, optional_id
from service.domain.privacy import audit
from service.domain.teams import access
from service.store.models import AuditEntry, Client, Worker
from service.web.context import db, runtime
from service.web.ui.security import admin_required, current_worker
from service.web.ui.signed_in import signed_in_only

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
bp.before_request(signed_in_only)
PAGE_SIZE = 100


def _day(name: str, errors: dict[str, str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Anna päivä muodossa 2026-06-03.")
        return None
    problem = day_problem(value)
    if problem:
        errors[name] = problem
        return None
    return value


def _filters() -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    args = request.args
    values: dict[str, Any] = {
        "worker_id": _number("worker_id", errors),
        "action": args.get("action") if args.get("action") in audit.ACTIONS else None,
        "object_type": collect_text(errors, "object_type", args.get("object_type"),
                                    "filter") or None,
        "object_id": _number("object_id", errors),
        "client": collect_text(errors, "client", args.get("client"), "filter") or None,
        "from": _day("from", errors), "to": _day("to", errors),
        "page": _number("page", errors) or 1,
    }
    for name in ("object_type", "client"):
        if name in errors:
            values[name] = None
    return values, errors


def _number(name: str, errors: dict[str, str]) -> int | None:
    """An id (or a page number) from the query: ASCII digits within range, else an error."""
    try:
        return optional_id(request.args.get(name, "").strip(), name)
    except ValidationError as exc:
        errors.update(exc.errors)
        return None


def _query(values: dict[str, Any]) -> Any:
    """The filtered entries, always within what the reader may read (a team admin their
    teams' entries, the organisation's admin all: domain/teams/access.audit_rule)."""
    tz = runtime().config.tz
    query = select(AuditEntry).where(access.audit_rule(current_worker()))
    if values["worker_id"] is not None:
        query = query.where(AuditEntry.worker_id == values["worker_id"])
    if values["action"]:
        query = query.where(AuditEntry.action == values["action"])
    if values["object_type"]:
        query = query.where(AuditEntry.object_type == values["object_type"])
    if values["object_id"] is not None:
        query = query.where(AuditEntry.object_id == values["object_id"])
    if values["client"]:
        pattern = "%" + values["client"].replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        query = query.where(audit.concerning(
            select(Client.id).where(Client.name.ilike(pattern, escape="\\"))))
    if values["from"]:
        query = query.where(AuditEntry.at >= datetime.combine(values["from"], time(0), tz))
    if values["to"]:
        end = datetime.combine(values["to"] + timedelta(days=1), time(0), tz)
        query = query.where(AuditEntry.at < end)
    return query


# How each recorded action reads in the log; the codes stay in the data and the URL.
ACTION_LABELS = {
    "view": L("katsoi"), "create": L("loi"), "update": L("muutti"), "delete": L("poisti"),
    "export": L("vei tiedot"), "erase": L("poisti pysyvästi"), "login": L("kirjautui sisään"),
    "logout": L("kirjautui ulos"), "login_failed": L("kirjautuminen epäonnistui"),
    "send": L("lähetti"), "handle": L("käsitteli"), "reassign": L("siirsi toiselle"),
    "import": L("toi tiedostosta"), "cancel": L("perui"), "anonymise": L("anonymisoi"),
    "correct": L("korjasi luennan"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


OBJECT_LABELS = {
    "client": L("asiakas"), "event": L("tapahtuma"), "message": L("viesti"),
    "inbox_item": L("saapunut viesti"), "worker": L("työntekijä"), "api_token": L("API-avain"),
    "team_file": L("tiimin tiedosto"), "audit_log": L("lokitiedot"), "inbox": L("saapuneet"),
    "retention": L("säilytysajat"), "corrections": L("luentojen korjaukset"),
}
# The common entries as sentences; %(name)s is the client's (or the worker's) name.
SENTENCES = {
    ("view", "client"): L("katsoi asiakkaan %(name)s tietoja"),
    ("create", "client"): L("lisäsi asiakkaan %(name)s"),
    ("update", "client"): L("muutti asiakkaan %(name)s tietoja"),
    ("export", "client"): L("vei asiakkaan %(name)s tiedot"),
    ("anonymise", "client"): L("anonymisoi asiakkaan %(name)s"),
    ("view", "event"): L("katsoi asiakkaan %(name)s tapahtumaa"),
    ("create", "event"): L("kirjasi asiakkaalle %(name)s tapahtuman"),
    ("update", "event"): L("muutti asiakkaan %(name)s tapahtumaa"),
    ("cancel", "event"): L("perui asiakkaan %(name)s tapahtuman"),
    ("send", "message"): L("lähetti viestin asiakkaalle %(name)s"),
    ("handle", "inbox_item"): L("käsitteli asiakkaan %(name)s viestin"),
    ("update", "inbox_item"): L("muutti asiakkaan %(name)s viestin tilaa"),
    ("reassign", "inbox_item"): L("siirsi asiakkaan %(name)s viestin toiselle"),
    ("correct", "inbox_item"): L("korjasi asiakkaan %(name)s vastauksen luennan"),
    ("create", "worker"): L("lisäsi työntekijän %(name)s"),
    ("update", "worker"): L("muutti työntekijän %(name)s tietoja"),
}


def describe(entry: AuditEntry, names: dict[tuple[str, int], str]) -> str:
    """The entry as a sentence: "katsoi asiakkaan Matti Meikäläinen tietoja"."""
    name = names.get((entry.object_type, entry.object_id)) if entry.object_id else None
    sentence = SENTENCES.get((entry.action, entry.object_type))
    if sentence is not None and name:
        return str(sentence) % {"name": name}
    if entry.action in ("login", "logout", "login_failed"):
        return action_label(entry.action)
    what = str(OBJECT_LABELS.get(entry.object_type, entry.object_type))
    if name:
        what = f"{what} {name}"
    elif entry.object_id is not None and entry.object_type in ("client",):
        what = f"{what} ({_('tiedot poistettu')})"
    return f"{action_label(entry.action)}: {what}"


LINKS = {"client": ("clients.show", "client_id"), "event": ("events.show", "event_id"),
         "inbox_item": ("inbox.item", "item_id")}


def object_link(entry: AuditEntry) -> str | None:
    """Where the entry's object is shown in the UI, when that page exists."""
    target = LINKS.get(entry.object_type)
    if target is None or entry.object_id is None or target[0] not in current_app.view_functions:
        return None
    values: dict[str, Any] = {target[1]: entry.object_id}
    return url_for(target[0], **values)


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    session = db()
    values, errors = _filters()
    query = _query(values)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = list(session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                   .limit(PAGE_SIZE).offset((values["page"] - 1) * PAGE_SIZE)))
    workers = list(session.scalars(select(Worker).where(
        access.colleagues_rule(current_worker())).order_by(Worker.name)))
    names = {w.id: w.name for w in workers}
    subjects = audit.subjects(session, entries)
    audit.record(session, current_worker().id, "view", "audit_log", None,
                 f"page {values['page']} of {total} entries")
    session.commit()
    return render_template("audit/index.html", entries=entries, names=names, workers=workers,
                           values=values, errors=errors, total=total, page_size=PAGE_SIZE,
                           actions=audit.ACTIONS, object_link=object_link,
                           action_label=action_label, describe=describe, subjects=subjects,
                           object_labels=OBJECT_LABELS), 422 if errors else 200
