"""What happens to one claimed reminder, from "still wanted?" to the gateway's answer.

The steps, each a public function here, are the same whether a reminder goes alone
(process_reminder) or with its batch (batch.py, which runs them over many rows at
once and hands the unusual ones back to these functions):
1. still_wanted: is the event cancelled, the reminder too late, the recipient opted
   out, its condition no longer met?
2. prepare: skip it, defer it to the sending window, make the worker's task, or
   write its outbound message row; that row is committed *before* the gateway is
   called, so nothing leaves that the database does not know of;
3. the gateway call (gateway_call.call);
4. record_sent or record_error: the gateway's id, or retry later, fail, or mark
   uncertain when nobody can tell whether it left;
5. finish, retry_at or push_back: the reminder leaves the worker's claim.
A crash between 2 and 4 leaves a message in status "sending": when the lease runs
out the reminder is reconciled with the gateway (reconcile.py), never sent again
blindly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from service.domain.context import DomainContext
from service.domain.inbox import holds
from service.domain.inbox.items import notify_about
from service.domain.messages.delivery import move_status
from service.domain.messages.outbound import outbound_values
from service.domain.people import trusted_persons as trusted
from service.domain.people.number_checks import number_failed
from service.domain.planning import fallbacks
from service.domain.planning import reminder_states as rstate
from service.domain.replies import received
from service.domain.texts.rendering import CLIENT as CLIENT_READER
from service.domain.texts.rendering import Reader, reader_for, render_text
from service.gateways.base import GatewayError, SendResult
from service.gateways.twilio_errors import (
    explain_error,
    number_problem,
    opts_out,
    reminder_reason,
)
from service.runtime import Runtime
from service.scheduling.claims import renew
from service.scheduling.gateway_call import call, record_acceptance, settle_status
from service.scheduling.listening import listen_reason, superseded_ids
from service.store.db import transaction
from service.store.models import Client, Event, Message, Reminder
from service.store.states import (
    EventState,
    InboxKind,
    ListenReason,
    MessageStatus,
    ReminderState,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MAX_RETRY_DELAY = 3600.0
PUSH_BACK = timedelta(minutes=10)  # after an unexpected error, try this much later
# A held reminder is looked at again this much later; releasing the hold makes it due
# at once, so this only bounds the wait if a release was missed.
HOLD_RECHECK = timedelta(minutes=30)
TASK = "task"  # a reminder's channel when it is an inbox item for the worker, nothing sent
CLIENT, TRUSTED = "client", "trusted"  # whom a reminder goes to


class Outcome(StrEnum):
    """What came of one claimed reminder: the dispatch.TickResult count it adds to."""

    SENT = "sent"
    DELIVERED = "delivered"
    TASKS = "tasks"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    DEFERRED = "deferred"
    HELD = "held"  # waits for a worker's decision on an unclear reply (inbox/holds.py)
    RETRIED = "retried"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    RELEASED = "released"  # not ours any more, or pushed back after an error


class DueReminder(Protocol):
    """The columns of a due reminder that deciding and writing its message read (a
    Reminder, or the batch path's joined row)."""

    @property
    def id(self) -> int: ...
    @property
    def client_id(self) -> int: ...
    @property
    def event_id(self) -> int: ...
    @property
    def channel(self) -> str: ...
    @property
    def template(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def condition(self) -> str | None: ...
    @property
    def latest_at(self) -> datetime | None: ...


class DueEvent(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def bring(self) -> str | None: ...
    @property
    def needs_transport(self) -> bool: ...
    @property
    def documents_in_at(self) -> datetime | None: ...
    @property
    def decided_at(self) -> datetime | None: ...


class DueClient(Protocol):
    @property
    def opted_out(self) -> bool: ...
    @property
    def anonymised_at(self) -> datetime | None: ...


def still_wanted(reminder: DueReminder, event: DueEvent, client: DueClient, now: datetime,
                 trusted_reason: str | None = None) -> str | None:
    """Why a due reminder should not go out after all (None when it should).

    `trusted_reason` is why a trusted person's reminder must not go
    (trusted_persons.why_not_sent), checked after the client's own reasons.
    """
    if event.state == EventState.CANCELLED:
        return "event_cancelled"
    if reminder.latest_at is not None and now > reminder.latest_at:
        return "too_late"
    if reminder.recipient == CLIENT and client.opted_out:
        return "opted_out"
    if client.anonymised_at is not None:
        return "opted_out"
    if reminder.recipient == TRUSTED and trusted_reason is not None:
        return trusted_reason
    return _condition_gone(reminder.condition, event)


def held_back(reminder: DueReminder, held: bool) -> bool:
    """Whether a due, still wanted reminder waits because it is held (`held`: is_held()
    below, or the same rules in the batch path's row). Both send paths ask this: the
    batch path sends nothing held in bulk, and prepare() pushes it back."""
    return held and reminder.channel not in holds.NOT_HELD_CHANNELS


def is_held(session: Session, reminder: Reminder, client: Client) -> bool:
    """Held by a person's pending decision (holds.holding), or unsure what the client or
    this trusted person last texted (received.unsure_of)."""
    numbers = [client.phone]
    if reminder.recipient == TRUSTED and reminder.trusted_person is not None:
        numbers.append(reminder.trusted_person.phone)
    return bool(session.scalar(select(or_(  # one statement, as the batch path's column
        holds.holding(reminder.event_id, client.id),
        *(received.unsure_of(number) for number in numbers if number)))))


def hold_back(reminder: Reminder, now: datetime) -> Outcome:
    """Wait, not skip: back to planned, looked at again later, marked as held so that
    releasing the hold makes it due at once."""
    retry_at(reminder, now + HOLD_RECHECK)
    reminder.reason = holds.HELD
    return Outcome.HELD


def _condition_gone(condition: str | None, event: DueEvent) -> str | None:
    """Why a conditional reminder's condition no longer holds (None when it does)."""
    if condition == "unconfirmed" and event.state in (EventState.CONFIRMED,
                                                      EventState.DECLINED):
        return "already_answered"
    if condition == "documents_missing" and event.documents_in_at is not None:
        return "documents_in"
    if condition == "undecided" and (event.decided_at is not None
                                     or event.state == EventState.DECIDED):
        return "decided"
    if condition == "needs_transport" and not event.needs_transport:
        return "no_transport"
    if condition == "something_to_bring" and not event.bring:
        return "nothing_to_bring"
    return None


def wanted_check(rt: Runtime, now: datetime) -> Callable[[Any, Any], bool]:
    """Whether a due reminder row (and its event) would go, for superseded_ids: the
    same questions the send paths ask."""
    def wanted(row: Any, event: Any) -> bool:
        return (still_wanted(row, event, row, now) is None
                and listen_reason(rt, row, event, row) is None)
    return wanted


def listening_skip(session: Session, rt: Runtime, reminder: Reminder, now: datetime
                   ) -> str | None:
    """Why the plan that listens drops this due reminder: the answer, a blocked number,
    or a later reminder due at the same time (scheduling/listening.py)."""
    reason = listen_reason(rt, reminder, reminder.event, reminder.client)
    if reason is None and reminder.channel != TASK and reminder.id in superseded_ids(
            session, [reminder.id], now, wanted_check(rt, now)):
        reason = ListenReason.SUPERSEDED
    return reason


def message_values(team: DomainContext, reminder: DueReminder, event: Event, to: str,
                   language: str, now: datetime, reader: Reader = CLIENT_READER
                   ) -> dict[str, object]:
    """The columns of the message row a due reminder sends, before it is sent: in the
    client's `team`'s words (its name and numbers), from the team's sender.

    Reads only columns, so the batch path can hand it plain rows instead of ORM objects.
    """
    body = render_text(team.templates, reminder.channel, reminder.template, language, event,
                       team.sender, reader=reader)
    return outbound_values(channel=reminder.channel, to=to, body=body,
                           from_number=team.from_number, gateway=team.gateway_name,
                           status=MessageStatus.SENDING, now=now,
                           client_id=reminder.client_id, reminder_id=reminder.id,
                           event_id=reminder.event_id)


def recipient_of(reminder: Reminder, client: Client) -> tuple[str, str]:
    """The number and language a reminder goes to: its trusted person's, or the client's."""
    person = reminder.trusted_person if reminder.trusted_person_id is not None else None
    if person is not None:
        return person.phone, person.language
    return client.phone, client.language


LOAD_WITH = (joinedload(Reminder.event), joinedload(Reminder.client))


def load_reminder(session: Session, reminder_id: int) -> Reminder:
    """The reminder with its event and client, in one query (none if the session has it)."""
    reminder = session.get(Reminder, reminder_id, options=LOAD_WITH)
    assert reminder is not None
    return reminder


def prepare(session: Session, rt: Runtime, reminder: Reminder, now: datetime
            ) -> Outcome | Message:
    """Decide on one due reminder: an outcome to count, or the message row to send
    (added to the session: it is written at commit, with the batch's other rows)."""
    event, client = reminder.event, reminder.client
    trusted_reason = (trusted.why_not_sent(reminder.trusted_person, client)
                      if reminder.recipient == TRUSTED else None)
    reason = still_wanted(reminder, event, client, now, trusted_reason)
    if reason is None:
        reason = listening_skip(session, rt, reminder, now)
    if reason is not None:
        if reason == "event_cancelled":
            finish(reminder, ReminderState.CANCELLED, reason)
            return Outcome.CANCELLED
        finish(reminder, ReminderState.SKIPPED, reason)
        return Outcome.SKIPPED
    if held_back(reminder, is_held(session, reminder, client)):
        return hold_back(reminder, now)
    team = rt.for_team(client.team_id)  # the client's team's window, words and sender
    window = team.client_window(client.window)
    if reminder.channel != TASK and not window.is_open(now):
        later = window.next_open(now)
        if reminder.latest_at is not None and later > reminder.latest_at:
            finish(reminder, ReminderState.SKIPPED, "too_late")
            return Outcome.SKIPPED
        retry_at(reminder, later)
        return Outcome.DEFERRED
    if reminder.channel == TASK:
        text = render_text(team.templates, TASK, reminder.template, "fi", event, team.sender,
                           client_name=client.name)
        notify_about(session, reminder, InboxKind.TASK, text[:300], now)
        finish(reminder, ReminderState.DELIVERED)
        reminder.sent_at = now
        return Outcome.TASKS
    to, language = recipient_of(reminder, client)
    reader = reader_for(reminder.trusted_person if reminder.trusted_person_id else None,
                        client.name)
    message = Message(**message_values(team, reminder, event, to, language, now, reader))
    session.add(message)
    reminder.attempts += 1
    return message


def process_reminder(rt: Runtime, reminder_id: int, now: datetime, name: str,
                     clock: Clock | None = None) -> Outcome:
    """Act on one claimed reminder alone: prepare, send, record.

    `now` is when the checks are made; `clock` tells the time after the gateway call.
    (A pass sends whole batches with batch.py and falls back to this one by one.)
    """
    with transaction(rt.sessions) as session:
        if not renew(session, rt, reminder_id, name, now):
            return Outcome.RELEASED  # our lease ran out and another worker has the row
        prepared = prepare(session, rt, load_reminder(session, reminder_id), now)
    if isinstance(prepared, Outcome):
        return prepared
    # Committed; the detached row keeps what the gateway call needs.
    return _send_and_record(rt, reminder_id, prepared, clock or (lambda: now))


def process_safely(rt: Runtime, reminder_id: int, clock: Clock, name: str
                   ) -> tuple[Outcome, str]:
    """process_reminder, with one bad row kept from stopping the others: an unexpected
    error pushes the reminder back and comes back as text."""
    try:
        return process_reminder(rt, reminder_id, clock(), name, clock), ""
    except Exception as exc:
        log.exception("reminder %s could not be processed", reminder_id)
        push_back(rt, reminder_id, clock())
        return Outcome.RELEASED, f"reminder {reminder_id}: {type(exc).__name__}"


def _send_and_record(rt: Runtime, reminder_id: int, message: Message, clock: Clock) -> Outcome:
    try:
        sent = call(rt, message)
    except GatewayError as exc:
        now = clock()
        with transaction(rt.sessions) as session:
            lock_for_recording(session, [reminder_id], [message.id])
            return record_error(session, rt, reminder_id, message.id, exc, now)
    now = clock()
    with transaction(rt.sessions) as session:
        lock_for_recording(session, [reminder_id], [message.id])
        return record_sent(session, rt, reminder_id, message.id, sent, now)


def lock_for_recording(session: Session, reminder_ids: list[int],
                       message_ids: list[int]) -> None:
    """Load (and on PostgreSQL lock) the rows an answer is recorded on, two queries in all.

    The lock makes a status callback arriving at the same moment wait for this
    transaction, so neither overwrites the other with what it read before.
    """
    reminders = session.scalars(select(Reminder).where(Reminder.id.in_(reminder_ids))
                                .options(*LOAD_WITH).with_for_update(of=Reminder)).unique().all()
    messages = session.scalars(select(Message).where(Message.id.in_(message_ids))
                               .with_for_update()).all()
    # The session keeps loaded rows only while something refers to them.
    session.info.setdefault("held", []).extend([*reminders, *messages])


def record_sent(session: Session, rt: Runtime, reminder_id: int, message_id: int,
                sent: SendResult, now: datetime) -> Outcome:
    """The gateway took it: its id on the message, the reminder moved on."""
    message = session.get(Message, message_id)
    assert message is not None
    record_acceptance(message, sent)
    message.updated_at = now
    reminder = load_reminder(session, reminder_id)
    reminder.claimed_by = None
    reminder.lease_until = None
    delivered = sent.status == MessageStatus.DELIVERED
    outcome = Outcome.DELIVERED if delivered else Outcome.SENT
    if reminder.state not in (ReminderState.SENDING, ReminderState.UNCERTAIN):
        return outcome  # a status callback already moved it on
    reminder.sent_at = now
    rstate.move(reminder, ReminderState.DELIVERED if delivered else ReminderState.SENT)
    fallbacks.after_sent(session, rt, reminder, now)
    return outcome


def record_error(session: Session, rt: Runtime, reminder_id: int, message_id: int,
                 exc: GatewayError, now: datetime) -> Outcome:
    """The gateway refused or did not answer: retry later, fail, or mark uncertain."""
    message = session.get(Message, message_id)
    reminder = session.get(Reminder, reminder_id)
    assert message is not None and reminder is not None
    message.error_code = exc.code
    message.error_message = exc.message[:300]
    message.updated_at = now
    settle_status(message, MessageStatus.UNKNOWN if exc.uncertain else MessageStatus.FAILED)
    if reminder.state != ReminderState.SENDING:
        # Our lease ran out during the call and the take-over settled the row:
        # keep its decision, only record what the gateway said.
        return Outcome.UNCERTAIN if exc.uncertain else Outcome.FAILED
    if exc.uncertain:
        finish(reminder, ReminderState.UNCERTAIN, "outcome_unknown")
        notify_about(session, reminder, InboxKind.UNCERTAIN,
                     "Välityspalvelu ei vastannut: ei tiedetä, lähtikö muistutus.", now)
        return Outcome.UNCERTAIN
    if exc.permanent and number_problem(exc.code) and reminder.recipient == CLIENT:
        return number_error(session, rt, reminder, exc.code, now)
    if exc.permanent:
        reason = reminder_reason(exc.code)
        if opts_out(exc.code):
            client = reminder.client
            client.opted_out, client.opted_out_at = True, now
        return fail(session, rt, reminder, reason,
                    f"Muistutus ei lähtenyt: {rstate.REASONS[reason]}.", now)
    return _retry_or_fail(session, rt, reminder, exc, now)


def number_error(session: Session, rt: Runtime, reminder: Reminder, code: int | None,
                 now: datetime) -> Outcome:
    """The client's number cannot take this channel: the reminder fails, the channel is
    blocked for every event and the worker told once (domain/people/number_checks.py),
    instead of one item per reminder."""
    finish(reminder, ReminderState.FAILED, reminder_reason(code))
    number_failed(session, rt, reminder.client, reminder.channel,
                  number_problem(code) or "", explain_error(code), now)
    fallbacks.after_failed(session, rt, reminder, now)  # another way now, if one is left
    return Outcome.FAILED


def _retry_or_fail(session: Session, rt: Runtime, reminder: Reminder, exc: GatewayError,
                   now: datetime) -> Outcome:
    """A transient error: try again later (backing off, inside the sending window) while
    attempts and time are left."""
    if reminder.attempts >= rt.config.max_attempts:
        return fail(session, rt, reminder, "gateway_error",
                    f"Muistutus ei lähtenyt {reminder.attempts} yrityksellä.", now)
    delay = exc.retry_after or rt.config.retry_seconds * 2.0 ** (reminder.attempts - 1)
    window = rt.for_team(reminder.client.team_id).client_window(reminder.client.window)
    later = window.next_open(now + timedelta(seconds=min(delay, MAX_RETRY_DELAY)))
    if reminder.latest_at is not None and later > reminder.latest_at:
        return fail(session, rt, reminder, "too_late",
                    "Muistutus ei ehtinyt lähteä ennen tapahtumaa.", now)
    retry_at(reminder, later)
    return Outcome.RETRIED


def fail(session: Session, rt: Runtime, reminder: Reminder, reason: str, summary: str,
         now: datetime) -> Outcome:
    """A reminder that will not go out: the worker is told and any fallback planned."""
    finish(reminder, ReminderState.FAILED, reason)
    notify_about(session, reminder, InboxKind.FAILED, summary, now)
    fallbacks.after_failed(session, rt, reminder, now)
    return Outcome.FAILED


def finish(reminder: Reminder, state: ReminderState, reason: str | None = None) -> None:
    """Move the reminder on and out of the worker's claim."""
    rstate.move(reminder, state, reason)
    reminder.claimed_by = None
    reminder.lease_until = None


def retry_at(reminder: Reminder, when: datetime) -> None:
    """Back to planned, due again at `when`, out of the worker's claim."""
    rstate.move(reminder, ReminderState.PLANNED)
    reminder.send_at = when
    reminder.claimed_by = None
    reminder.lease_until = None


def push_back(rt: Runtime, reminder_id: int, now: datetime) -> None:
    """After an unexpected error, try this reminder again later instead of crash-looping;
    if its message may have left already, it is uncertain instead."""
    with transaction(rt.sessions) as session:
        reminder = session.get(Reminder, reminder_id)
        if reminder is None or reminder.state != ReminderState.SENDING:
            return
        in_flight = session.scalars(select(Message).where(
            Message.reminder_id == reminder.id,
            Message.status == MessageStatus.SENDING)).first()
        if in_flight is not None:
            move_status(in_flight, MessageStatus.UNKNOWN)
            finish(reminder, ReminderState.UNCERTAIN, "outcome_unknown")
        else:
            retry_at(reminder, now + PUSH_BACK)
