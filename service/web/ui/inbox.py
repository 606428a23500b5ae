"""The inbox: the worker's own items and the team's shared one; read, answer, hand over.

Client text is shown only through autoescaped templates. A reply is a queued outbound
Message, committed first and then sent at once; the tick retries it if that failed.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.fields import collect_text, optional_id
from service.domain.inbox import holds
from service.domain.inbox import items as box
from service.domain.messages.outbound import queue_worker_text, sms_recipient
from service.domain.phones import PhoneError, parse_phone
from service.domain.privacy.audit import record
from service.domain.privacy.export import safe_cell
from service.domain.replies import corrections
from service.domain.teams import access
from service.store.models import Client, InboxItem, Message, Worker
from service.store.states import INBOX_OPEN, InboxKind, InboxState
from service.web.context import db, runtime
from service.web.ui.security import admin_required, current_worker
from service.web.ui.sending import send_now
from service.web.ui.text_check import checked_text, feedback

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
LIMIT = 200


def _item(item_id: int) -> InboxItem:
    item = box.item_for(db(), item_id, current_worker())
    if item is None:
        abort(404)  # another worker's item is, to this worker, not there
    return item


STATE_FILTERS = {"open": tuple(INBOX_OPEN), "all": tuple(InboxState),
                 **{s.value: (s,) for s in InboxState}}


def _filtered(query: Select[tuple[InboxItem]], q: str, kind: str) -> Select[tuple[InboxItem]]:
    """Search by the client's name or number (or the unknown sender's), and one kind."""
    if kind in set(InboxKind):
        query = query.where(InboxItem.kind == kind)
    if not q:
        return query
    try:
        number = parse_phone(q).e164
    except PhoneError:
        return query.where(InboxItem.client_id.in_(select(Client.id).where(
            func.lower(Client.name).contains(q.lower(), autoescape=True))))
    return query.where(or_(
        InboxItem.client_id.in_(select(Client.id).where(Client.phone == number)),
        InboxItem.message_id.in_(select(Message.id).where(Message.from_number == number))))


def _box(me: Worker) -> str:
    """Which box: the worker's own, the teams' shared one, or for an admin every item
    they may act on (a team admin's whole team: any of it may be handed over)."""
    which = request.args.get("box", "mine")
    if which == "all" and me.is_admin:
        return "all"
    return "team" if which == "team" else "mine"


@bp.get("")
def index() -> ResponseReturnValue:
    me, errors = current_worker(), dict[str, str]()
    which = _box(me)
    state = request.args.get("state", "open")
    state = state if state in STATE_FILTERS else "open"
    kind = request.args.get("kind", "")
    q = collect_text(errors, "q", request.args.get("q", ""), "search")
    rule = box.visible_to(me) if which == "all" else box.in_box(me, team=which == "team")
    query = select(InboxItem).where(rule,
                                    InboxItem.state.in_(STATE_FILTERS[state]))
    items = [] if errors else list(db().scalars(
        _filtered(query, q, kind).order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
        .limit(LIMIT)))
    originals = {item.id: box.original_message(db(), item) for item in items}
    return render_template("inbox/index.html", items=items, originals=originals,
                           box=which, state=state, kind=kind,
                           q=q if not errors else "", errors=errors,
                           filtered=bool(q or kind or state not in ("open", InboxState.HANDLED)),
                           ), 422 if errors else 200


def _render_item(item: InboxItem, errors: dict[str, str], body: str = "",
                 status: int = 200) -> ResponseReturnValue:
    session = db()
    workers = access.team_members(session, item.team_id)  # only within the item's team
    reply_blocker = None
    try:
        sms_recipient(item.client, item.message.from_number if item.message else None)
    except ValidationError as exc:
        reply_blocker = exc.errors["body"]
    held = item.holds and item.state != InboxState.HANDLED
    owner = session.get(Worker, item.worker_id) if item.worker_id is not None else None
    return render_template("inbox/item.html", item=item, errors=errors, body=body,
                           owner_name=owner.name if owner is not None else "",
                           original=box.original_message(session, item),
                           replies=box.replies_sent(session, item), workers=workers,
                           reply_blocker=reply_blocker, choices=corrections.CHOICES,
                           can_correct=corrections.can_correct(item),
                           check=feedback(body) if body else None,
                           held=holds.waiting(session, [item])[item.id] if held else None
                           ), status


@bp.get("/<id:item_id>")
def item(item_id: int) -> ResponseReturnValue:
    found = _item(item_id)
    if box.mark_read(found):
        db().commit()
    return _render_item(found, {})


@bp.post("/<id:item_id>/reply")
def reply(item_id: int) -> ResponseReturnValue:
    found, me = _item(item_id), current_worker()
    rt, session, now = runtime(), db(), utcnow()
    body = request.form.get("body", "")
    try:
        text, warning = checked_text(body)
        to = sms_recipient(found.client, found.message.from_number if found.message else None)
    except ValidationError as exc:
        return _render_item(found, exc.errors, body, 422)
    message = queue_worker_text(rt, to=to, body=text, client=found.client, worker_id=me.id,
                                now=now, event_id=found.event_id, team_id=found.team_id)
    session.add(message)
    session.flush()
    record(session, me.id, "send", "message", message.id, f"inbox item {found.id}")
    if request.form.get("handled") == "1":
        box.mark_handled(found, me.id, now)
        record(session, me.id, "handle", "inbox_item", found.id)
    session.commit()
    if warning:
        flash(warning, "info")
    send_now(message.id)
    return redirect(url_for("inbox.item", item_id=found.id))


@bp.post("/<id:item_id>/handle")
def handle(item_id: int) -> ResponseReturnValue:
    found, me = _item(item_id), current_worker()
    box.mark_handled(found, me.id, utcnow())
    record(db(), me.id, "handle", "inbox_item", found.id)
    db().commit()
    flash(_("Merkitty käsitellyksi."), "success")
    return redirect(url_for("inbox.index", box="team" if found.worker_id is None else None))


@bp.post("/<id:item_id>/reopen")
def reopen(item_id: int) -> ResponseReturnValue:
    found, me = _item(item_id), current_worker()
    box.reopen(found)
    record(db(), me.id, "update", "inbox_item", found.id, "reopened")
    db().commit()
    flash(_("Asia on taas avoin."), "info")
    return redirect(url_for("inbox.item", item_id=found.id))


@bp.post("/<id:item_id>/reassign")
def reassign(item_id: int) -> ResponseReturnValue:
    found, me = _item(item_id), current_worker()
    try:
        target = optional_id(request.form.get("worker_id"), "worker_id")
        box.reassign(db(), found, target)
    except ValidationError as exc:
        return _render_item(found, exc.errors, status=422)
    record(db(), me.id, "reassign", "inbox_item", found.id, f"to {target or 'team'}")
    db().commit()
    if target == me.id:
        flash(_("Asia on nyt sinun."), "success")
        return redirect(url_for("inbox.item", item_id=found.id))
    flash(_("Asia on siirretty."), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<id:item_id>/correct")
def correct(item_id: int) -> ResponseReturnValue:
    """The worker says what the reply was: applied as if read so, handled, audited."""
    found, me = _item(item_id), current_worker()
    try:
        corrections.correct_reading(db(), runtime(), found, request.form.get("intent", ""),
                                    me.id, utcnow())
    except ValidationError as exc:
        return _render_item(found, exc.errors, status=422)
    db().commit()
    flash(_("Vastaus on korjattu ja asia käsitelty."), "success")
    return redirect(url_for("inbox.item", item_id=found.id))


@bp.get("/export-corrections.csv")
@admin_required
def corrections_csv() -> ResponseReturnValue:
    """Corrected readings for the reply table: no number, name or id (Excel reads the
    BOM and the semicolons)."""
    rows = corrections.export_rows(db(), access.messages_rule(current_worker()))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(corrections.EXPORT_HEADER)
    # Only the client's text can start like a formula; "-" means "not known".
    writer.writerows((safe_cell(text), *rest) for text, *rest in rows)
    record(db(), current_worker().id, "export", "corrections", None, f"{len(rows)} rows")
    db().commit()
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="korjaukset.csv"'})
