"""JSON API under /api/v1 for integrators, with a Bearer token per worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events import lifecycle as ev
from service.domain.events import recurrence as rec
from service.domain.events import series
from service.domain.fields import optional_id
from service.domain.inbox import items as box
from service.domain.people.api_tokens import hash_token
from service.domain.people.clients import ClientInput, create_client
from service.domain.privacy import audit
from service.domain.replies import corrections
from service.domain.teams import access
from service.store.models import ApiToken, Client, Event, InboxItem, Message, Reminder, Worker
from service.store.states import EventKind, InboxState
from service.web.api.openapi import OPENAPI
from service.web.api.recurring import occurrence_json, rule_from_body
from service.web.api.validation import ApiProblem, check_query, validated_body
from service.web.context import db, runtime

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(check_query)
F = TypeVar("F", bound=Callable[..., Any])


def token_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return error_response(401, "missing Bearer token")
        row = db().scalars(select(ApiToken).where(
            ApiToken.token_hash == hash_token(header[7:].strip()))).first()
        if row is None or not row.worker.active:
            return error_response(401, "invalid token")
        row.last_used_at = utcnow()
        g.api_worker = row.worker
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@bp.errorhandler(ApiProblem)
def _problem(exc: ApiProblem) -> ResponseReturnValue:
    return error_response(exc.status, exc.message)


def error_response(status: int, message: str) -> ResponseReturnValue:
    return jsonify({"error": message}), status


def invalid_response(errors: dict[str, str]) -> ResponseReturnValue:
    return jsonify({"errors": errors}), 422


def iso_or_none(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def client_json(c: Client) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "phone": c.phone, "number_type": c.number_type,
            "language": c.language, "channel": c.channel, "opted_out": c.opted_out,
            "worker_id": c.worker_id, "team_id": c.team_id, "window": c.window,
            "phone_check": c.phone_check_reason, "reference": c.reference}


def reminder_json(r: Reminder, text: str | None = None) -> dict[str, Any]:
    out = {"id": r.id, "event_id": r.event_id, "rule": r.rule_id, "channel": r.channel,
           "recipient": r.recipient, "send_at": iso_or_none(r.send_at), "state": r.state,
           "reason": r.reason, "attempts": r.attempts, "sent_at": iso_or_none(r.sent_at)}
    if text is not None:
        out["text"] = text
    return out


def event_json(e: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"id": e.id, "client_id": e.client_id, "kind": e.kind,
                           "state": e.state}
    if e.kind == EventKind.APPOINTMENT:
        out.update(starts_at=iso_or_none(e.starts_at), place=e.place, bring=e.bring,
                   needs_transport=e.needs_transport, appointment_type=e.appointment_type,
                   previous_starts_at=iso_or_none(e.previous_starts_at),
                   attendance=e.attendance, series_id=e.series_id,
                   occurrence_date=iso_or_none(e.occurrence_date))
        if e.recurrence is not None:
            out.update(recurrence=e.recurrence, recurrence_text=rec.describe(e.recurrence),
                       paused=e.series_paused_at is not None,
                       planned_until=iso_or_none(e.planned_until))
    else:
        out.update(agency=e.agency, submitted_on=iso_or_none(e.submitted_on),
                   documents_due=iso_or_none(e.documents_due),
                   decision_expected=iso_or_none(e.decision_expected))
    return out


def message_json(m: Message) -> dict[str, Any]:
    return {"id": m.id, "direction": m.direction, "channel": m.channel,
            "client_id": m.client_id, "reminder_id": m.reminder_id, "event_id": m.event_id,
            "to": m.to_number, "from": m.from_number, "body": m.body, "status": m.status,
            "intent": m.intent, "reading_reason": m.reading_reason,
            "corrected_intent": m.corrected_intent, "error_code": m.error_code,
            "created_at": iso_or_none(m.created_at), "gateway_sid": m.gateway_sid}


def inbox_json(i: InboxItem) -> dict[str, Any]:
    return {"id": i.id, "worker_id": i.worker_id, "client_id": i.client_id,
            "event_id": i.event_id, "message_id": i.message_id, "reminder_id": i.reminder_id,
            "kind": i.kind, "intent": i.intent, "summary": i.summary, "state": i.state,
            "body": i.message.body if i.message else None,
            "reading_reason": i.message.reading_reason if i.message else None,
            "held": i.holds and i.state != InboxState.HANDLED,
            "team_id": i.team_id, "cover": i.cover, "due_at": iso_or_none(i.due_at),
            "escalated_at": iso_or_none(i.escalated_at),
            "created_at": iso_or_none(i.created_at)}


def _planned_json(planned: list[tuple[Reminder, ev.PlannedReminder]]) -> list[dict[str, Any]]:
    return [reminder_json(row, plan.text) for row, plan in planned]


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(OPENAPI)


@bp.post("/clients")
@token_required
def post_client() -> ResponseReturnValue:
    worker: Worker = g.api_worker
    try:
        data = validated_body("ClientInput")
        team_id = access.team_for_new_client(db(), worker, data.get("team_id"))
        # The caller is the client's worker by default, when they work in that team (the
        # organisation's admin may add a client to a team they are not in: no worker).
        mine = worker.id if access.is_active_member(db(), worker.id, team_id) else None
        inp = ClientInput(name=data["name"], phone=data["phone"],
                          language=data.get("language", "fi"),
                          channel=data.get("channel", "auto"),
                          worker_id=data.get("worker_id") or mine,
                          window=data.get("window"), reference=data.get("reference"),
                          team_id=team_id)
        client = create_client(db(), inp, utcnow(), team_window=runtime().window)
    except ValidationError as exc:
        return invalid_response(exc.errors)
    audit.record(db(), worker.id, "create", "client", client.id, "api")
    db().commit()
    return jsonify(client_json(client)), 201


def moment_field(data: dict[str, Any], field: str) -> datetime:
    """An aware moment from an ISO 8601 string (the schema made sure it is a string)."""
    raw = data.get(field)
    if not isinstance(raw, str) or not raw:
        raise ValidationError({field: "Anna aika ISO 8601 -muodossa, esim. "
                                      "2026-06-03T10:00:00+03:00."})
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({field: "Aika ei ole ISO 8601 -muodossa, esim. "
                                      "2026-06-03T10:00:00+03:00."}) from exc
    if value.tzinfo is None:
        raise ValidationError({field: "Aikavyöhyke puuttuu: kirjoita esim. "
                                      "2026-06-03T10:00:00+03:00."})
    return value


def _date(data: dict[str, Any], field: str) -> date | None:
    """A day from "2026-06-03" (a string or null, by the schema); range checked later."""
    raw = data.get(field)
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({field: "Anna päivä muodossa 2026-06-03."}) from exc


@bp.post("/appointments")
@token_required
def post_appointment() -> ResponseReturnValue:
    session, now = db(), utcnow()
    try:
        data = validated_body("AppointmentInput")
        callers_client(data["client_id"])
        inp = ev.AppointmentInput(
            client_id=data["client_id"], starts_at=moment_field(data, "starts_at"),
            place=data.get("place", ""), bring=data.get("bring", ""),
            needs_transport=data.get("needs_transport", False),
            appointment_type=data.get("appointment_type", "other"))
        if access.client_for(session, g.api_worker, inp.client_id) is None:
            raise ValidationError({"client_id": "Asiakasta ei löydy."})
        rule = rule_from_body(data.get("recurrence"), runtime().tz)
        event = ev.build_appointment(session, inp, now)
        if rule is not None:
            return _post_series(session, event, rule, now)
    except ValidationError as exc:
        return invalid_response(exc.errors)
    planned = ev.register_event_planned(session, runtime(), event, now, g.api_worker.id)
    audit.record(session, g.api_worker.id, "create", "event", event.id, "api appointment")
    session.commit()
    return jsonify({**event_json(event),
                    "reminders": _planned_json(planned)}), 201


def _series_json(session: Session, event: Event) -> dict[str, Any]:
    views = series.upcoming(session, runtime(), event, utcnow(), runtime().config.horizon_days)
    return {**event_json(event), "reminders": [],
            "occurrences": [occurrence_json(v) for v in views]}


def _post_series(session: Session, event: Event, rule: str, now: datetime
                 ) -> ResponseReturnValue:
    series.create_series(session, runtime(), event, rule, now, runtime().config.horizon_days,
                         g.api_worker.id)
    audit.record(session, g.api_worker.id, "create", "event", event.id, "api series")
    session.commit()
    return jsonify(_series_json(session, event)), 201


@bp.post("/applications")
@token_required
def post_application() -> ResponseReturnValue:
    session, now = db(), utcnow()
    try:
        data = validated_body("ApplicationInput")
        callers_client(data["client_id"])
        inp = ev.ApplicationInput(
            client_id=data["client_id"], agency=data["agency"],
            submitted_on=_date(data, "submitted_on"), documents_due=_date(data, "documents_due"),
            decision_expected=_date(data, "decision_expected"))
        event = ev.build_application(session, inp, now)
    except ValidationError as exc:
        return invalid_response(exc.errors)
    planned = ev.register_event_planned(session, runtime(), event, now, g.api_worker.id)
    audit.record(session, g.api_worker.id, "create", "event", event.id, "api application")
    session.commit()
    return jsonify({**event_json(event),
                    "reminders": _planned_json(planned)}), 201


@bp.get("/clients/<id:client_id>")
@token_required
def get_client(client_id: int) -> ResponseReturnValue:
    client = access.client_for(db(), g.api_worker, client_id)
    if client is None or client.anonymised_at is not None:
        return error_response(404, "no such client")
    audit.record(db(), g.api_worker.id, "view", "client", client_id, "api")
    db().commit()
    return jsonify({**client_json(client), "events": [event_json(e) for e in client.events]})


@bp.get("/events/<id:event_id>")
@token_required
def get_event(event_id: int) -> ResponseReturnValue:
    event = access.event_for(db(), g.api_worker, event_id)
    if event is None:
        return error_response(404, "no such event")
    audit.record(db(), g.api_worker.id, "view", "event", event_id, "api")
    db().commit()
    if event.recurrence is not None:
        return jsonify(_series_json(db(), event))
    return jsonify({**event_json(event), "reminders": [reminder_json(r)
                                                       for r in event.reminders]})


@bp.post("/events/<id:event_id>/occurrences/<day>/skip")
@token_required
def skip_occurrence(event_id: int, day: str) -> ResponseReturnValue:
    """Leave out one occurrence of a series (the series' id, or any occurrence's)."""
    session, now = db(), utcnow()
    event = session.get(Event, event_id)
    if event is not None and event.series_id is not None:
        event = session.get(Event, event.series_id)
    if event is None or event.recurrence is None or not access.may_see_client(
            session, g.api_worker, event.client_id):
        return error_response(404, "no such series")
    try:
        skipped = series.skip(session, event, _date({"date": day}, "date") or now.date(), now)
    except ValidationError as exc:
        return invalid_response(exc.errors)
    audit.record(session, g.api_worker.id, "cancel", "event",
                 skipped.id if skipped else event.id, f"occurrence {day} skipped")
    session.commit()
    return jsonify(_series_json(session, event))


def _client_filter() -> int | None:
    """?client_id=, an id like any other (service/domain/fields.py); else a 422 naming it;
    another team's client is a 404, as if there were no such client."""
    client_id = optional_id(request.args.get("client_id"), "client_id")
    if client_id is not None and not access.may_see_client(db(), g.api_worker, client_id):
        raise ApiProblem(404, "no such client")
    return client_id


def callers_client(client_id: int) -> Client:
    """A client named in a body, if the caller may see it: otherwise the same field
    error as for a client that does not exist."""
    client = access.client_for(db(), g.api_worker, client_id)
    if client is None or client.anonymised_at is not None:
        raise ValidationError({"client_id": "Asiakasta ei löydy."})
    return client


def _audit_list(what: str, client_id: int | None, count: int) -> None:
    """A listing is a view: of one client's rows, or of everyone's."""
    if client_id is not None:
        audit.record(db(), g.api_worker.id, "view", "client", client_id, f"api {what} {count}")
    else:
        audit.record(db(), g.api_worker.id, "view", what, None, f"api list {count}")
    db().commit()


@bp.get("/reminders")
@token_required
def list_reminders() -> ResponseReturnValue:
    query = select(Reminder).where(access.reminders_rule(g.api_worker)).order_by(
        Reminder.send_at, Reminder.id).limit(1000)
    client_id = _client_filter()
    if client_id is not None:
        query = query.where(Reminder.client_id == client_id)
    rows = [reminder_json(r) for r in db().scalars(query)]
    _audit_list("reminders", client_id, len(rows))
    return jsonify({"reminders": rows})


@bp.get("/messages")
@token_required
def list_messages() -> ResponseReturnValue:
    query = select(Message).where(access.messages_rule(g.api_worker)).order_by(
        Message.created_at, Message.id).limit(1000)
    client_id = _client_filter()
    if client_id is not None:
        query = query.where(Message.client_id == client_id)
    rows = [message_json(m) for m in db().scalars(query)]
    _audit_list("messages", client_id, len(rows))
    return jsonify({"messages": rows})


@bp.get("/inbox")
@token_required
def list_inbox() -> ResponseReturnValue:
    worker: Worker = g.api_worker
    raw_team = request.args.get("team", "0")
    if raw_team not in ("0", "1", "true", "false"):
        return invalid_response({"team": "Anna 1 (tiimin yhteinen) tai 0 (omat)."})
    team = raw_team in ("1", "true")
    query = select(InboxItem).where(box.in_box(worker, team=team)).order_by(
        InboxItem.created_at.desc(), InboxItem.id.desc())
    state = request.args.get("state")
    if state:
        if state not in {s.value for s in InboxState}:
            return invalid_response({"state": "Valitse jokin näistä: new, read, handled."})
        query = query.where(InboxItem.state == state)
    items = [inbox_json(i) for i in db().scalars(query.limit(500))]
    audit.record(db(), worker.id, "view", "inbox", None,
                 f"api {'team' if team else 'own'} {len(items)} items")
    db().commit()
    return jsonify({"items": items})


def _callers_item(item_id: int) -> tuple[Session, Worker, InboxItem | None]:
    """The inbox item as the calling worker may see it (None: a 404 for them)."""
    session, worker = db(), g.api_worker
    return session, worker, box.item_for(session, item_id, worker)


@bp.post("/inbox/<id:item_id>/handle")
@token_required
def handle_inbox(item_id: int) -> ResponseReturnValue:
    session, worker, item = _callers_item(item_id)
    if item is None:
        return error_response(404, "no such inbox item for this worker")
    box.mark_handled(item, worker.id, utcnow())
    audit.record(session, worker.id, "handle", "inbox_item", item_id, "api")
    session.commit()
    return jsonify(inbox_json(item))


@bp.post("/inbox/<id:item_id>/correct")
@token_required
def correct_inbox(item_id: int) -> ResponseReturnValue:
    """What the reply really was, as the inbox page's correction (corrections.py)."""
    session, worker, item = _callers_item(item_id)
    if item is None:
        return error_response(404, "no such inbox item for this worker")
    try:
        data = validated_body("CorrectionInput")
        corrections.correct_reading(session, runtime(), item, data["intent"], worker.id,
                                    utcnow())
    except ValidationError as exc:
        return invalid_response(exc.errors)
    session.commit()
    return jsonify(inbox_json(item))
