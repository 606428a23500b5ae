"""What the gateway later tells us about a message or call, and what follows from it.

Callbacks arrive out of order: a message keeps the furthest status it reached.
A call that no person answered is not a delivered reminder.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.domain import reminders as rstate
from service.domain.twilio_errors import explain_error
from service.models import InboxItem, Message, Reminder
from service.runtime import Runtime

# Higher rank = further along. Final failures rank above "sent" but below "delivered".
RANK = {
    "created": 0, "queued": 1, "accepted": 1, "scheduled": 1, "sending": 2, "initiated": 2,
    "ringing": 3, "sent": 4, "in-progress": 4, "undelivered": 5, "failed": 5, "busy": 5,
    "no-answer": 5, "canceled": 5, "unknown": 5, "delivered": 6, "completed": 6, "read": 7,
    "received": 6,
}
CALL_NOT_ANSWERED = {"busy", "no-answer", "failed", "canceled"}
SMS_FAILED = {"undelivered", "failed"}


def is_further(current: str, new: str) -> bool:
    return RANK.get(new, -1) > RANK.get(current, -1)


def _inbox(session: Session, reminder: Reminder, kind: str, summary: str) -> None:
    session.add(InboxItem(worker_id=reminder.client.worker_id, client_id=reminder.client_id,
                          event_id=reminder.event_id, reminder_id=reminder.id, kind=kind,
                          summary=summary[:300]))


def record_status(session: Session, rt: Runtime, message: Message, *, status: str,
                  error_code: int | None, answered_by: str | None, sid: str | None,
                  now: datetime) -> None:
    if sid and not message.gateway_sid:
        message.gateway_sid = sid  # the callback can beat our own write of the sid
    if answered_by:
        message.answered_by = answered_by
    if error_code:
        message.error_code = error_code
        message.error_message = explain_error(error_code)[:300]
    if not is_further(message.status, status):
        return
    message.status = status
    message.updated_at = now
    reminder = message.reminder
    if reminder is None or message.direction != "out":
        return
    if message.channel == "voice":
        _call_outcome(session, rt, reminder, message, status, now)
    else:
        _sms_outcome(session, reminder, status, error_code)


def _sms_outcome(session: Session, reminder: Reminder, status: str, code: int | None) -> None:
    if status in ("delivered", "read") and rstate.can_move(reminder.state, rstate.DELIVERED):
        rstate.move(reminder, rstate.DELIVERED)
    elif status in SMS_FAILED and rstate.can_move(reminder.state, rstate.FAILED):
        rstate.move(reminder, rstate.FAILED, "undelivered")
        why = explain_error(code) if code else "viesti ei mennyt perille"
        _inbox(session, reminder, "failed", f"Tekstiviesti ei mennyt perille: {why}.")


def answered_by_person(answered_by: str | None) -> bool:
    return not answered_by or answered_by in ("human", "unknown")


def _call_outcome(session: Session, rt: Runtime, reminder: Reminder, message: Message,
                  status: str, now: datetime) -> None:
    if status == "completed" and answered_by_person(message.answered_by):
        if rstate.can_move(reminder.state, rstate.DELIVERED):
            rstate.move(reminder, rstate.DELIVERED)
        return
    if status not in CALL_NOT_ANSWERED and status != "completed":
        return
    if not rstate.can_move(reminder.state, rstate.PLANNED):
        return
    tw = rt.config.twilio
    window = rt.client_window(reminder.client.window)
    later = window.next_open(now + timedelta(minutes=tw.call_retry_minutes))
    if reminder.attempts < tw.call_attempts and (reminder.latest_at is None
                                                 or later <= reminder.latest_at):
        rstate.move(reminder, rstate.PLANNED)
        reminder.send_at = later
        return
    rstate.move(reminder, rstate.FAILED, "not_answered")
    _inbox(session, reminder, "unanswered",
           f"Puheluun ei vastattu {reminder.attempts} yrityksellä. Soita asiakkaalle.")
