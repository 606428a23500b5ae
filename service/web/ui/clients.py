"""Clients: search and list, a client's page with its timeline, adding and editing.

The phone number is checked on the spot: with JavaScript when the field is left (the
phone-check endpoint), without it by the "check the number" button, and always on save.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events.lifecycle import replan_client
from service.domain.fields import collect_text, inbound_text, optional_id
from service.domain.inbox.items import visible_to
from service.domain.people.clients import (
    ClientInput,
    create_client,
    number_holders,
    record_opt_choice,
    update_client,
)
from service.domain.phones import PhoneError, format_phone_national, parse_phone
from service.domain.planning.reminder_states import CONTACT_CHANGED, REPLACED_REASONS
from service.domain.privacy.audit import record
from service.domain.teams import access
from service.store.models import Client, Event, InboxItem, Message, Worker
from service.store.states import EVENT_CLOSED, INBOX_OPEN
from service.web.context import db, runtime
from service.web.ui.security import current_worker

bp = Blueprint("clients", __name__, url_prefix="/clients")
PAGE = 100
REPLAN_FIELDS = ("phone", "number_type", "language", "channel", "window")


def phone_status(raw: str) -> dict[str, object]:
    """What the form says about a typed number: valid or not, and whether texts can reach it."""
    try:
        phone = parse_phone(raw)
    except PhoneError as exc:
        return {"ok": False, "landline": False, "message": _(exc.message)}
    shown = format_phone_national(phone.e164)
    if phone.number_type == "mobile":
        message = _("Numero %(n)s kelpaa: matkapuhelin, joten muistutukset voivat tulla "
                    "tekstiviestinä tai puheluna.", n=shown)
    elif phone.number_type == "fixed_line":
        message = _("Numero %(n)s on lankapuhelin: asiakas saa muistutukset vain puheluina, "
                    "koska tekstiviesti ei mene lankapuhelimeen perille.", n=shown)
    else:
        message = _("Numero %(n)s kelpaa, mutta se ei ole matkapuhelin: muistutukset tulevat "
                    "puheluina.", n=shown)
    return {"ok": True, "landline": phone.number_type != "mobile", "message": message,
            "formatted": shown}


def _workers(team_id: int | None) -> list[Worker]:
    """Who may be the client's worker: the active members of the client's team (of the
    signed-in worker's teams while no team is chosen)."""
    if team_id is not None:
        return access.team_members(db(), team_id)
    return list(db().scalars(select(Worker).where(
        Worker.active, access.colleagues_rule(current_worker())).order_by(Worker.name)))


def _client_or_404(client_id: int) -> Client:
    """The client if the signed-in worker may see it (their teams'), else a 404."""
    client = access.client_for(db(), current_worker(), client_id)
    if client is None or client.anonymised_at is not None:
        abort(404)
    return client


def _form_input(client: Client | None) -> ClientInput:
    """The form's values; a new client's team is one of the worker's own (a 422 naming
    team_id otherwise), an existing client keeps theirs."""
    form = request.form
    values = ClientInput(name=form.get("name", ""), phone=form.get("phone", ""),
                         language=form.get("language", "fi"), channel=form.get("channel", "auto"),
                         worker_id=optional_id(form.get("worker_id"), "worker_id"),
                         window=form.get("window", ""), reference=form.get("reference", ""))
    if client is not None:
        values.team_id = client.team_id
        return values
    values.team_id = optional_id(form.get("team_id"), "team_id")
    values.team_id = access.team_for_new_client(db(), current_worker(), values.team_id)
    return values


def _render_form(client: Client | None, values: ClientInput, errors: dict[str, str],
                 status: int = 200, sharing: list[Client] | None = None) -> ResponseReturnValue:
    checked = phone_status(values.phone) if values.phone.strip() else None
    team_id = client.team_id if client is not None else values.team_id
    options = [("", _("Ei nimettyä (tiimin yhteinen)"))] + [
        (w.id, w.name) for w in _workers(team_id)]
    teams = access.own_teams(db(), current_worker()) if client is None else []
    return render_template("clients/form.html", client=client, v=values, errors=errors,
                           checked=checked, worker_options=options, sharing=sharing or [],
                           team_options=[(t.id, t.name) for t in teams]
                           if len(teams) > 1 or "team_id" in errors else [],
                           sharing_phone=sharing[0].phone if sharing else ""), status


def _unconfirmed_sharing(client: Client | None, values: ClientInput) -> list[Client]:
    """Other clients with the typed number, unless the worker has confirmed this very
    number as shared (a changed number asks again)."""
    try:
        phone = parse_phone(values.phone).e164
    except PhoneError:
        return []  # the save reports the number itself
    if client is not None and client.phone == phone:
        return []  # an edit that keeps the number: asked when it was set
    holders = number_holders(db(), phone, client.id if client else None, values.team_id)
    return [] if request.form.get("shared_ok") == phone else holders


@bp.get("")
def index() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    q = collect_text(errors, "q", request.args.get("q", ""), "search")
    scope = request.args.get("scope", "mine")
    if errors:  # a NUL byte or a 1 MB search would otherwise reach the database
        return render_template("clients/index.html", clients=[], more=False,
                               q=inbound_text(q, 200),
                               scope=scope, errors=errors), 422
    me = current_worker()
    query = select(Client).where(Client.anonymised_at.is_(None), access.clients_rule(me))
    if scope != "all":
        query = query.where(Client.worker_id == me.id)
    if q:
        try:
            query = query.where(Client.phone == parse_phone(q).e164)
        except PhoneError:
            query = query.where(func.lower(Client.name).contains(q.lower(), autoescape=True))
    clients = list(db().scalars(query.order_by(Client.name, Client.id).limit(PAGE + 1)))
    return render_template("clients/index.html", clients=clients[:PAGE], more=len(clients) > PAGE,
                           q=q, scope=scope, errors=errors)


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    me = current_worker()
    if request.method == "GET":
        teams = access.own_teams(db(), me)
        return _render_form(None, ClientInput(name="", phone="", worker_id=me.id,
                                              team_id=teams[0].id if teams else None), {})
    try:
        values = _form_input(None)
    except ValidationError as exc:
        blank = ClientInput(name=request.form.get("name", ""),
                            phone=request.form.get("phone", ""))
        return _render_form(None, blank, exc.errors, 422)
    if request.form.get("action") == "check_phone":
        return _render_form(None, values, {})
    if sharing := _unconfirmed_sharing(None, values):
        return _render_form(None, values, {}, sharing=sharing)
    session = db()
    try:
        client = create_client(session, values, utcnow(), team_window=runtime().window)
    except ValidationError as exc:
        return _render_form(None, values, exc.errors, 422)
    record(session, me.id, "create", "client", client.id)
    session.commit()
    flash(_("Asiakas %(name)s on lisätty.", name=client.name), "success")
    if client.number_type != "mobile":
        flash(_("Numero on lankapuhelin: muistutukset tulevat puheluina."), "warning")
    return redirect(url_for("clients.show", client_id=client.id))


@bp.route("/<id:client_id>/edit", methods=["GET", "POST"])
def edit(client_id: int) -> ResponseReturnValue:
    client = _client_or_404(client_id)
    if request.method == "GET":
        values = ClientInput(name=client.name, phone=format_phone_national(client.phone),
                             language=client.language, channel=client.channel,
                             worker_id=client.worker_id, window=client.window,
                             reference=client.reference or "")
        return _render_form(client, values, {})
    values = _form_input(client)
    if request.form.get("action") == "check_phone":
        return _render_form(client, values, {})
    if sharing := _unconfirmed_sharing(client, values):
        return _render_form(client, values, {}, sharing=sharing)
    session, now = db(), utcnow()
    before = {name: getattr(client, name) for name in REPLAN_FIELDS}
    try:
        update_client(session, client, values, now,
                      team_window=runtime().for_team(client.team_id).window)
    except ValidationError as exc:
        session.rollback()
        return _render_form(client, values, exc.errors, 422)
    changed = [name for name in REPLAN_FIELDS if getattr(client, name) != before[name]]
    if changed:  # the reminders are replaced, not the appointment moved
        replan_client(session, runtime(), client, now, CONTACT_CHANGED)
    record(session, current_worker().id, "update", "client", client.id, ",".join(changed))
    session.commit()
    flash(_("Tiedot on tallennettu."), "success")
    if changed:
        flash(_("Tulevat muistutukset suunniteltiin uudelleen muutosten mukaan."), "info")
    return redirect(url_for("clients.show", client_id=client.id))


@bp.post("/phone-check")
def phone_check() -> ResponseReturnValue:
    """The on-the-spot check behind the form's script (POST keeps numbers out of URLs)."""
    return jsonify(phone_status(request.form.get("phone", "")))


def _event_order(event: Event) -> tuple[bool, datetime]:
    """Open events first, each group by its date (the appointment, else the nearest date)."""
    closed = event.state in EVENT_CLOSED
    day = event.documents_due or event.decision_expected
    when = event.starts_at or (datetime.combine(day, time(12), tzinfo=UTC) if day
                               else event.created_at)
    return closed, when


@bp.get("/<id:client_id>")
def show(client_id: int) -> ResponseReturnValue:
    return show_page(_client_or_404(client_id))


def show_page(client: Client, errors: dict[str, str] | None = None, reason: str = "",
              **forms: object) -> ResponseReturnValue:
    """The client's page; `forms` carries a refused form's values back (client_contacts)."""
    session = db()
    events = sorted(session.scalars(select(Event).where(Event.client_id == client.id)),
                    key=_event_order)
    messages = list(session.scalars(select(Message).where(Message.client_id == client.id)
                                    .order_by(Message.created_at.desc(), Message.id.desc())
                                    .limit(200)))
    # Only what this worker may open: the same rule as the inbox.
    open_items = list(session.scalars(select(InboxItem).where(
        InboxItem.client_id == client.id, InboxItem.state.in_(INBOX_OPEN),
        visible_to(current_worker()))
        .order_by(InboxItem.created_at.desc())))
    record(session, current_worker().id, "view", "client", client.id)
    session.commit()
    show_replaced = request.args.get("replaced") == "1"
    recorder_ids = {p.consent_recorded_by for p in client.trusted_persons} - {None}
    recorders = {w.id: w.name for w in session.scalars(
        select(Worker).where(Worker.id.in_(recorder_ids)))} if recorder_ids else {}
    return render_template("clients/show.html", client=client, events=events,
                           recorders=recorders,
                           messages=messages, open_items=open_items, errors=errors or {},
                           reason=reason, show_replaced=show_replaced,
                           hidden=REPLACED_REASONS if not show_replaced else frozenset(),
                           replaced_count=sum(1 for e in events for r in e.reminders
                                              if r.reason in REPLACED_REASONS),
                           today=utcnow().astimezone(runtime().config.tz).date(), **forms
                           ), 422 if errors else 200


@bp.post("/<id:client_id>/opt")
def opt(client_id: int) -> ResponseReturnValue:
    """The client told the worker to stop (or start again) texts and calls: recorded with
    the reason, audited (domain/people/clients.record_opt_choice)."""
    client = _client_or_404(client_id)
    opted_out = request.form.get("choice") == "out"
    reason = request.form.get("reason", "")
    try:
        record_opt_choice(db(), client, opted_out=opted_out, reason=reason,
                          worker_id=current_worker().id, now=utcnow())
    except ValidationError as exc:
        db().rollback()
        return show_page(client, exc.errors, reason)
    db().commit()
    flash(_("Kielto on kirjattu: asiakkaalle ei lähetetä viestejä eikä soiteta.") if opted_out
          else _("Asiakas saa taas muistutukset."), "success")
    return redirect(url_for("clients.show", client_id=client.id))
