"""What the gateway later tells us about a message or call, and what follows from it.

Callbacks arrive out of order: a message keeps the furthest status it reached.
A call that no person answered (busy, no answer, failed, a machine) is not a
delivered reminder: it is tried again within the sending window up to
twilio.call_attempts times, then the worker is told. Any word from the gateway
about a message whose send was uncertain settles that uncertainty.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.inbox.items import notify_about, notify_about_message
from service.domain.planning import fallbacks
from service.domain.planning import reminder_states as rstate
from service.gateways.twilio_errors import PERMANENT, explain_error
from service.store.models import Client, InboxItem, Message, Reminder

# Higher rank = further along. Final failures rank above "sent" but below "delivered".
# "unknown" is our own word (no answer came when sending): anything Twilio says is further.
RANK = {
    "unknown": 0, "created": 0, "queued": 1, "accepted": 1, "scheduled": 1, "sending": 2,
    "initiated": 2, "ringing": 3, "sent": 4, "in-progress": 4, "undelivered": 5, "failed": 5,
    "busy": 5, "no-answer": 5, "canceled": 5, "delivered": 6, "completed": 6, "read": 7,
    "received": 6,
}
CALL_NOT_ANSWERED = {"busy", "no-answer", "failed", "canceled"}
SMS_FAILED = {"undelivered", "failed"}
UNSUBSCRIBED = 21610


def status_on_acceptance(current: str, accepted: str) -> str:
    """A message's status once the gateway's acceptance is recorded: its answer, unless
    a status callback was quicker than us and already moved the row on."""
    return accepted if current in ("sending", "unknown") else current


def is_further(current: str, new: str) -> bool:
    return RANK.get(new, -1) > RANK.get(current, -1)


def record_status(session: Session, rt: DomainContext, message: Message, *, status: str,
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
    if message.direction != "out":
        return
    reminder = message.reminder
    if reminder is None:
        _adhoc_outcome(session, message, status, error_code)
        return
    if reminder.state == rstate.UNCERTAIN:
        settle_uncertain(session, reminder, now)
    state_before = reminder.state
    if message.channel == "voice":
        _call_outcome(session, rt, reminder, message, status, error_code, now)
    else:
        _sms_outcome(session, reminder, status, error_code, now)
    if reminder.state == rstate.FAILED and state_before != rstate.FAILED:
        fallbacks.after_failed(session, rt, reminder, now)  # e.g. call unanswered: text


def settle_uncertain(session: Session, reminder: Reminder, now: datetime) -> None:
    """The gateway knows the message after all: it was sent, and the open question is closed."""
    rstate.move(reminder, rstate.SENT)
    reminder.sent_at = reminder.sent_at or now
    session.execute(update(InboxItem).where(
        InboxItem.reminder_id == reminder.id, InboxItem.kind == "uncertain",
        InboxItem.state != "handled").values(state="handled", handled_at=now))


def _opt_out(client: Client, now: datetime) -> None:
    if not client.opted_out:
        client.opted_out, client.opted_out_at = True, now


def _sms_outcome(session: Session, reminder: Reminder, status: str, code: int | None,
                 now: datetime) -> None:
    if status in ("delivered", "read") and rstate.can_move(reminder.state, rstate.DELIVERED):
        rstate.move(reminder, rstate.DELIVERED)
    elif status in SMS_FAILED and rstate.can_move(reminder.state, rstate.FAILED):
        rstate.move(reminder, rstate.FAILED, "undelivered")
        if code == UNSUBSCRIBED and reminder.recipient == "client":
            _opt_out(reminder.client, now)
        why = explain_error(code) if code else "viesti ei mennyt perille"
        notify_about(session, reminder, "failed", f"Tekstiviesti ei mennyt perille: {why}.")


def _adhoc_outcome(session: Session, message: Message, status: str, code: int | None) -> None:
    """A text a worker or the system sent outside any reminder: its failure is shown too."""
    if message.channel != "sms" or status not in SMS_FAILED or message.client is None:
        return
    why = explain_error(code) if code else "viesti ei mennyt perille"
    notify_about_message(session, message, message.client.worker_id, "failed",
                         f"Tekstiviesti ei mennyt perille: {why}.")


def answered_by_person(answered_by: str | None) -> bool:
    """Twilio's machine detection: human, unknown (benefit of the doubt), or a machine/fax."""
    return not answered_by or answered_by in ("human", "unknown")


def heard(reminder: Reminder, now: datetime) -> None:
    """A key was pressed during the call: a person heard the reminder, whatever AMD said."""
    if reminder.state == rstate.UNCERTAIN:
        rstate.move(reminder, rstate.SENT)
    if rstate.can_move(reminder.state, rstate.DELIVERED):
        rstate.move(reminder, rstate.DELIVERED)
        reminder.sent_at = reminder.sent_at or now


def _call_outcome(session: Session, rt: DomainContext, reminder: Reminder, message: Message,
                  status: str, code: int | None, now: datetime) -> None:
    if status == "completed" and answered_by_person(message.answered_by):
        if rstate.can_move(reminder.state, rstate.DELIVERED):
            rstate.move(reminder, rstate.DELIVERED)
        return
    if status not in CALL_NOT_ANSWERED and status != "completed":
        return
    if not rstate.can_move(reminder.state, rstate.PLANNED):
        return  # already delivered (a key was pressed) or settled otherwise
    if status == "failed" and code in PERMANENT:
        rstate.move(reminder, rstate.FAILED, "invalid_number")
        notify_about(session, reminder, "failed", f"Puhelu ei onnistunut: {explain_error(code)}.")
        return
    window = rt.client_window(reminder.client.window)
    later = window.next_open(now + timedelta(minutes=rt.call_retry_minutes))
    if reminder.attempts < rt.call_attempts and (reminder.latest_at is None
                                                 or later <= reminder.latest_at):
        rstate.move(reminder, rstate.PLANNED)
        reminder.send_at = later
        return
    rstate.move(reminder, rstate.FAILED, "not_answered")
    machine = "" if answered_by_person(message.answered_by) else " (vastasi puhelinvastaaja)"
    notify_about(session, reminder, "unanswered",
                 f"Puheluun ei vastattu {reminder.attempts} yrityksellä{machine}. "
                 "Soita asiakkaalle.")
