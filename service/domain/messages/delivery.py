"""What the gateway later tells us about a message or call, and what follows from it.

Callbacks arrive out of order: a message keeps the furthest status it reached
(MESSAGE_RANK), and its status changes only by move_status(), along
MESSAGE_TRANSITIONS (drawn in the Message model's docstring).
A call that no person answered (busy, no answer, failed, a machine) is not a
delivered reminder: it is tried again within the sending window up to
twilio.call_attempts times, then the worker is told. Any word from the gateway
about a message whose send was uncertain settles that uncertainty.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.inbox.items import mark_handled, notify_about, notify_about_message
from service.domain.planning import fallbacks
from service.domain.planning import reminder_states as rstate
from service.gateways.twilio_errors import (
    explain_error,
    is_permanent,
    number_problem,
    opts_out,
)
from service.store.models import Client, InboxItem, Message, Reminder
from service.store.states import (
    MESSAGE_RANK,
    MESSAGE_TRANSITIONS,
    Direction,
    InboxKind,
    InboxState,
    MessageStatus,
    ReminderState,
    check_move,
)

M = MessageStatus
CALL_NOT_ANSWERED = frozenset({M.BUSY, M.NO_ANSWER, M.FAILED, M.CANCELED})
SMS_FAILED = frozenset({M.UNDELIVERED, M.FAILED})
SMS_DELIVERED = frozenset({M.DELIVERED, M.READ})


def status_on_acceptance(current: str, accepted: str) -> str:
    """A message's status once the gateway's acceptance is recorded: its answer, unless
    a status callback was quicker than us and already moved the row on."""
    return accepted if current in (M.SENDING, M.UNKNOWN) else current


def known_status(word: str) -> MessageStatus | None:
    """The status a gateway's word names, or None for a word we do not know."""
    try:
        return MessageStatus(word)
    except ValueError:
        return None


def _rank(status: str) -> int:
    known = known_status(status)
    return -1 if known is None else MESSAGE_RANK[known]


def is_further(current: str, new: str) -> bool:
    """Whether `new` is further along than `current` (an unknown word never is)."""
    return _rank(new) > _rank(current)


def move_status(message: Message, new: MessageStatus) -> None:
    """Change a message's status only along the machine's edges; anything else is a bug."""
    message.status = check_move(MESSAGE_TRANSITIONS, f"message {message.id}",
                                message.status, new)


class NumberError(Protocol):
    """What to do when a callback says the client's number is wrong for good: the
    webhook hands in domain/people/number_checks.number_failed (this module sits below
    people and events, which plan again, so it cannot import it)."""

    def __call__(self, session: Session, rt: DomainContext, client: Client, channel: str,
                 problem: str, why: str, now: datetime) -> None: ...


def record_status(session: Session, rt: DomainContext, message: Message, *, status: str,
                  error_code: int | None, answered_by: str | None, sid: str | None,
                  now: datetime, number_error: NumberError | None = None) -> None:
    """What a status callback tells about a message: its status if further on, and for
    a reminder what follows (delivered, failed, another try, the worker told; a number
    wrong for good handed to `number_error`)."""
    if sid and not message.gateway_sid:
        message.gateway_sid = sid  # the callback can beat our own write of the sid
    if answered_by:
        message.answered_by = answered_by
    if error_code:
        message.error_code = error_code
        message.error_message = explain_error(error_code)[:300]
    new = known_status(status)
    if new is None or not is_further(message.status, new):
        return
    move_status(message, new)
    message.updated_at = now
    if message.direction != Direction.OUT:
        return
    reminder = message.reminder
    if reminder is None:
        _adhoc_outcome(session, message, new, error_code)
        return
    if reminder.state == ReminderState.UNCERTAIN:
        settle_uncertain(session, reminder, now)
    state_before = reminder.state
    if message.channel == "voice":
        _call_outcome(session, rt, reminder, message, new, error_code, now, number_error)
    else:
        _sms_outcome(session, rt, reminder, new, error_code, now, number_error)
    if reminder.state == ReminderState.FAILED and state_before != ReminderState.FAILED:
        fallbacks.after_failed(session, rt, reminder, now)  # e.g. call unanswered: text


def settle_uncertain(session: Session, reminder: Reminder, now: datetime) -> None:
    """The gateway knows the message after all: it was sent, and the open question is closed."""
    rstate.move(reminder, ReminderState.SENT)
    reminder.sent_at = reminder.sent_at or now
    for item in session.scalars(select(InboxItem).where(
            InboxItem.reminder_id == reminder.id, InboxItem.kind == InboxKind.UNCERTAIN,
            InboxItem.state != InboxState.HANDLED)):
        mark_handled(item, None, now)


def _opt_out(client: Client, now: datetime) -> None:
    if not client.opted_out:
        client.opted_out, client.opted_out_at = True, now


def _close_failure_items(session: Session, now: datetime, *, reminder_id: int | None = None,
                         message_id: int | None = None) -> None:
    """The worker's open items about a failure that turned out not to be one."""
    which = (InboxItem.reminder_id == reminder_id if reminder_id is not None
             else InboxItem.message_id == message_id)
    for item in session.scalars(select(InboxItem).where(
            which, InboxItem.kind == InboxKind.FAILED, InboxItem.state != InboxState.HANDLED)):
        mark_handled(item, None, now)


def settle_failed(session: Session, reminder: Reminder, now: datetime) -> None:
    """A success reported after a failure (operators do that): the text did arrive.

    The reminder is delivered after all, the worker's open item about the failure is
    closed, and the fallbacks planned because of it (a call instead) are not wanted.
    """
    rstate.move(reminder, ReminderState.DELIVERED, "delivered_after_all")
    reminder.sent_at = reminder.sent_at or now
    _close_failure_items(session, now, reminder_id=reminder.id)
    for fallback in session.scalars(select(Reminder).where(
            Reminder.fallback_of == reminder.id, Reminder.state == ReminderState.PLANNED)):
        rstate.move(fallback, ReminderState.CANCELLED, "delivered_after_all")


def _number_failed(session: Session, rt: DomainContext, reminder: Reminder, channel: str,
                   code: int | None, now: datetime, number_error: NumberError | None) -> bool:
    """A permanent fault of the client's own number: one check for every event
    (domain/people/number_checks.py) instead of an item per reminder."""
    problem = number_problem(code)
    if problem is None or reminder.recipient != "client" or number_error is None:
        return False
    number_error(session, rt, reminder.client, channel, problem, explain_error(code), now)
    return True


def _sms_outcome(session: Session, rt: DomainContext, reminder: Reminder,
                 status: MessageStatus, code: int | None, now: datetime,
                 number_error: NumberError | None) -> None:
    if status in SMS_DELIVERED and reminder.state == ReminderState.FAILED:
        settle_failed(session, reminder, now)
    elif status in SMS_DELIVERED and rstate.can_move(reminder.state, ReminderState.DELIVERED):
        rstate.move(reminder, ReminderState.DELIVERED)
    elif status in SMS_FAILED and rstate.can_move(reminder.state, ReminderState.FAILED):
        rstate.move(reminder, ReminderState.FAILED, "undelivered")
        if opts_out(code) and reminder.recipient == "client":
            _opt_out(reminder.client, now)
        if _number_failed(session, rt, reminder, "sms", code, now, number_error):
            return
        why = explain_error(code) if code else "viesti ei mennyt perille"
        notify_about(session, reminder, InboxKind.FAILED,
                     f"Tekstiviesti ei mennyt perille: {why}.", now)


def _adhoc_outcome(session: Session, message: Message, status: MessageStatus,
                   code: int | None) -> None:
    """A text a worker or the system sent outside any reminder: its failure is shown too,
    and closed again if the operator later says it arrived after all."""
    if message.channel == "sms" and status in SMS_DELIVERED:
        _close_failure_items(session, message.updated_at, message_id=message.id)
        return
    if message.channel != "sms" or status not in SMS_FAILED or message.client is None:
        return
    why = explain_error(code) if code else "viesti ei mennyt perille"
    notify_about_message(session, message, message.client.worker_id, InboxKind.FAILED,
                         f"Tekstiviesti ei mennyt perille: {why}.", message.updated_at)


def answered_by_person(answered_by: str | None) -> bool:
    """Twilio's machine detection: human, unknown (benefit of the doubt), or a machine/fax."""
    return not answered_by or answered_by in ("human", "unknown")


def heard(reminder: Reminder, now: datetime) -> None:
    """A key was pressed during the call: a person heard the reminder, whatever AMD said."""
    if reminder.state == ReminderState.UNCERTAIN:
        rstate.move(reminder, ReminderState.SENT)
    if rstate.can_move(reminder.state, ReminderState.DELIVERED):
        rstate.move(reminder, ReminderState.DELIVERED)
        reminder.sent_at = reminder.sent_at or now


def _call_outcome(session: Session, rt: DomainContext, reminder: Reminder, message: Message,
                  status: MessageStatus, code: int | None, now: datetime,
                  number_error: NumberError | None) -> None:
    if status == M.COMPLETED and answered_by_person(message.answered_by):
        if rstate.can_move(reminder.state, ReminderState.DELIVERED):
            rstate.move(reminder, ReminderState.DELIVERED)
        return
    if status not in CALL_NOT_ANSWERED and status != M.COMPLETED:
        return
    if not rstate.can_move(reminder.state, ReminderState.PLANNED):
        return  # already delivered (a key was pressed) or settled otherwise
    if status == M.FAILED and is_permanent(code):
        rstate.move(reminder, ReminderState.FAILED, "invalid_number")
        if _number_failed(session, rt, reminder, "voice", code, now, number_error):
            return
        notify_about(session, reminder, InboxKind.FAILED,
                     f"Puhelu ei onnistunut: {explain_error(code)}.", now)
        return
    window = rt.for_team(reminder.client.team_id).client_window(reminder.client.window)
    later = window.next_open(now + timedelta(minutes=rt.call_retry_minutes))
    if reminder.attempts < rt.call_attempts and (reminder.latest_at is None
                                                 or later <= reminder.latest_at):
        rstate.move(reminder, ReminderState.PLANNED)
        reminder.send_at = later
        return
    rstate.move(reminder, ReminderState.FAILED, "not_answered")
    machine = "" if answered_by_person(message.answered_by) else " (vastasi puhelinvastaaja)"
    notify_about(session, reminder, InboxKind.UNANSWERED,
                 f"Puheluun ei vastattu {reminder.attempts} yrityksellä{machine}. "
                 "Soita asiakkaalle.", now)
