"""JSON API for changing what was agreed: rescheduling and cancelling an appointment
(telling the client if asked), recording attendance, and a client's opt-out or opt-in
told to a worker.

Thin: it validates, calls service/domain/events (lifecycle, notices, attendance) and
people/clients.py, and answers in the shapes of service/web/api/endpoints.py.
`notify_client` defaults to false here (the UI's checkbox defaults to ticked): an
integration written before it existed keeps sending nothing it did not ask for.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from service.clock import utcnow
from service.domain.events import lifecycle as ev
from service.domain.events import notices
from service.domain.events.attendance import AttendanceRefused, attendance_of, record_attendance
from service.domain.people.clients import record_opt_choice
from service.domain.privacy import audit
from service.domain.teams import access
from service.scheduling.adhoc_messages import send_message
from service.store.models import Event
from service.store.states import EventKind, EventState
from service.web.api.endpoints import (
    client_json,
    error_response,
    event_json,
    moment_field,
    reminder_json,
    token_required,
)
from service.web.api.validation import ApiProblem, check_query, validated_body
from service.web.context import db, runtime

bp = Blueprint("api_changes", __name__, url_prefix="/api/v1")
# The API's short English reasons (domain/events/attendance.py MESSAGES has the Finnish).
REFUSALS = {"not_appointment": "attendance is recorded for appointments only",
            "not_started": "the appointment has not started yet",
            "cancelled": "the appointment was cancelled",
            "cancelled_by_client": "recorded as cancelled by the client; cannot be changed"}
bp.before_request(check_query)


@bp.errorhandler(ApiProblem)
def _problem(exc: ApiProblem) -> ResponseReturnValue:
    return error_response(exc.status, exc.message)


def notice_json(notice: notices.Notice | None, sent: bool = False) -> dict[str, Any] | None:
    """What became of the notice: its message and channel, whether it went at once (or
    waits for the client's window), or why it was not sent."""
    if notice is None:
        return None
    message = notice.message
    return {"channel": notice.channel, "message_id": message.id if message else None,
            "sent": sent, "skipped": notice.skipped,
            "not_before": message.not_before.isoformat()
            if message is not None and message.not_before is not None else None}


def send_due(notice: notices.Notice | None) -> bool:
    """After the commit: send a due notice at once; the next pass retries a failure."""
    now = utcnow()
    if notice is None or notice.message is None or not notices.due_now(notice, now):
        return False
    return send_message(runtime(), notice.message.id, now)


def _appointment(event_id: int) -> Event:
    event = access.event_for(db(), g.api_worker, event_id)
    if event is None or event.client.anonymised_at is not None:
        raise ApiProblem(404, "no such event")  # another team's event is not there
    return event


@bp.patch("/events/<id:event_id>")
@token_required
def patch_event(event_id: int) -> ResponseReturnValue:
    """Reschedule an appointment: the reminders are planned again from the new facts."""
    session, rt, now = db(), runtime(), utcnow()
    event = _appointment(event_id)  # looked up first: another team's id is a 404
    data = validated_body("EventChange")
    if event.kind != EventKind.APPOINTMENT:
        raise ApiProblem(409, "only an appointment can be rescheduled")
    if event.state in (EventState.CANCELLED, EventState.DONE):
        raise ApiProblem(409, f"the event is {event.state}")
    old_start = event.starts_at
    inp = ev.AppointmentInput(
        client_id=event.client_id,
        starts_at=moment_field(data, "starts_at") if "starts_at" in data else
        event.starts_at or now,
        place=data.get("place", event.place or ""), bring=data.get("bring", event.bring or ""),
        needs_transport=data.get("needs_transport", event.needs_transport),
        appointment_type=data.get("appointment_type", event.appointment_type or "other"))
    reminders = ev.reschedule(session, rt, event, inp, now)
    worker_id = g.api_worker.id
    notice = None
    if data.get("notify_client", False) and event.starts_at != old_start:
        notice = notices.queue_notice(session, rt, event, notices.MOVED, now=now,
                                      worker_id=worker_id)
    audit.record(session, worker_id, "update", "event", event.id, "api rescheduled")
    session.commit()
    sent = send_due(notice)
    return jsonify({**event_json(event), "reminders": [reminder_json(r) for r in reminders],
                    "notice": notice_json(notice, sent)})


@bp.post("/events/<id:event_id>/cancel")
@token_required
def cancel_event(event_id: int) -> ResponseReturnValue:
    """Cancel an event and its pending reminders (a series: its coming occurrences too);
    with notify_client, tell the client (once for a whole series)."""
    session, rt, now = db(), runtime(), utcnow()
    event = access.event_for(db(), g.api_worker, event_id)
    if event is None:
        return error_response(404, "no such event")
    data = validated_body("CancelInput", required=False)
    was_cancelled = event.state == EventState.CANCELLED
    cancelled = ev.cancel_event(session, event, now)
    notice = None
    # A series is told once, by its weekday and time, not once for each occurrence.
    template = notices.CANCELLED if event.recurrence is None else notices.SERIES_CANCELLED
    if data.get("notify_client", False) and not was_cancelled:
        notice = notices.queue_notice(session, rt, event, template, now=now,
                                      worker_id=g.api_worker.id)
    audit.record(session, g.api_worker.id, "cancel", "event", event_id, "api")
    session.commit()
    sent = send_due(notice)
    return jsonify({**event_json(event), "cancelled_reminders": cancelled,
                    "notice": notice_json(notice, sent)})


@bp.post("/events/<id:event_id>/attendance")
@token_required
def post_attendance(event_id: int) -> ResponseReturnValue:
    """After the appointment: attended, did not come, or cancelled by the client."""
    session = db()
    event = _appointment(event_id)
    data = validated_body("AttendanceInput")
    try:
        record_attendance(session, event, attendance_of(
            data["attended"], data.get("cancelled_by_client", False)),
            worker_id=g.api_worker.id, now=utcnow())
    except AttendanceRefused as exc:
        return error_response(409, REFUSALS.get(exc.code, exc.code))
    session.commit()
    return jsonify(event_json(event))


def _opt(client_id: int, opted_out: bool) -> ResponseReturnValue:
    session = db()
    client = access.client_for(session, g.api_worker, client_id)
    if client is None or client.anonymised_at is not None:
        return error_response(404, "no such client")
    data = validated_body("OptChoiceInput")
    record_opt_choice(session, client, opted_out=opted_out, reason=data["reason"],
                      worker_id=g.api_worker.id, now=utcnow())
    session.commit()
    return jsonify({**client_json(client), "opt_reason": client.opt_reason})


@bp.post("/clients/<id:client_id>/opt-out")
@token_required
def opt_out(client_id: int) -> ResponseReturnValue:
    """The client told a worker to stop texts and calls: nothing more is sent."""
    return _opt(client_id, True)


@bp.post("/clients/<id:client_id>/opt-in")
@token_required
def opt_in(client_id: int) -> ResponseReturnValue:
    """The client wants reminders again."""
    return _opt(client_id, False)
