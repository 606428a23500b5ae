"""One dispatch pass: claim due reminders, record each message, call the gateway, record the outcome.

The order of writes is what makes it safe:
1. a check-and-set claim (planned -> sending, with a lease) so no two workers take a row;
2. the outbound message row is committed *before* the gateway is called;
3. the gateway's id or error is written after.
A crash between 2 and 3 leaves a message in status "sending": its reminder is not
sent again blindly but marked uncertain when the lease runs out.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.db import transaction
from service.domain import reminders as rstate
from service.domain.rendering import render_text
from service.gateways.base import GatewayError, SendResult
from service.models import Client, Event, Heartbeat, InboxItem, Message, Reminder
from service.runtime import Runtime

log = logging.getLogger(__name__)

PERMANENT_REASONS = {21211: "invalid_number", 21614: "not_a_mobile", 30006: "not_a_mobile",
                     21610: "unsubscribed"}


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickResult:
    claimed: int = 0
    sent: int = 0
    delivered: int = 0
    tasks: int = 0
    skipped: int = 0
    cancelled: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    released: int = 0
    messages_sent: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        parts = [f"{k}={v}" for k, v in self.__dict__.items() if isinstance(v, int) and v]
        return ", ".join(parts) or "nothing due"


def tick(rt: Runtime, now: datetime | None = None, worker_name: str | None = None,
         limit: int | None = None) -> TickResult:
    """One pass; safe to run from any number of processes at once."""
    now = now or utcnow()
    name = worker_name or default_worker_name()
    result = TickResult()
    result.released = release_expired_claims(rt, now)
    for reminder_id in claim_due(rt, now, name, limit or rt.config.batch_size):
        result.claimed += 1
        try:
            result.add(process_reminder(rt, reminder_id, now, name))
        except Exception as exc:  # one bad row must not stop the others
            log.exception("reminder %s could not be processed", reminder_id)
            result.errors.append(f"reminder {reminder_id}: {type(exc).__name__}")
            _push_back(rt, reminder_id, now)
    result.messages_sent = send_queued_messages(rt, now)
    beat(rt, name, now, result.summary())
    return result


def claim_due(rt: Runtime, now: datetime, name: str, limit: int) -> list[int]:
    """Claim up to `limit` due reminders with a check-and-set update each."""
    lease = now + timedelta(seconds=rt.config.lease_seconds)
    claimed: list[int] = []
    with transaction(rt.sessions) as session:
        ids = session.scalars(
            select(Reminder.id)
            .where(Reminder.state == rstate.PLANNED, Reminder.send_at <= now)
            .order_by(Reminder.send_at, Reminder.id)
            .limit(limit)).all()
    for reminder_id in ids:
        with transaction(rt.sessions) as session:
            changed = session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.state == rstate.PLANNED)
                .values(state=rstate.SENDING, claimed_by=name, lease_until=lease,
                        updated_at=now)).rowcount
        if changed == 1:
            claimed.append(reminder_id)
    return claimed


def release_expired_claims(rt: Runtime, now: datetime) -> int:
    """Take over claims whose worker died: back to planned, or uncertain if a send may have left."""
    count = 0
    with transaction(rt.sessions) as session:
        stale = session.scalars(select(Reminder).where(
            Reminder.state == rstate.SENDING, Reminder.lease_until < now)).all()
        for reminder in stale:
            in_flight = session.scalars(select(Message).where(
                Message.reminder_id == reminder.id, Message.status == "sending")).first()
            if in_flight is not None:
                in_flight.status = "unknown"
                rstate.move(reminder, rstate.UNCERTAIN, "outcome_unknown")
                _inbox(session, reminder, "uncertain", "Ei tiedetä, lähtikö muistutus: tarkista.")
            else:
                rstate.move(reminder, rstate.PLANNED)
            reminder.claimed_by = None
            reminder.lease_until = None
            count += 1
    return count


def _still_wanted(reminder: Reminder, event: Event, client: Client, now: datetime) -> str | None:
    """Why a due reminder should not go out after all (None when it should)."""
    if event.state == "cancelled":
        return "event_cancelled"
    if reminder.latest_at is not None and now > reminder.latest_at:
        return "too_late"
    if reminder.recipient == "client" and client.opted_out:
        return "opted_out"
    if client.anonymised_at is not None:
        return "opted_out"
    cond = reminder.condition
    if cond == "unconfirmed" and event.state in ("confirmed", "declined"):
        return "already_answered"
    if cond == "documents_missing" and event.documents_in_at is not None:
        return "documents_in"
    if cond == "undecided" and (event.decided_at is not None or event.state == "decided"):
        return "decided"
    if cond == "needs_transport" and not event.needs_transport:
        return "no_transport"
    return None


def process_reminder(rt: Runtime, reminder_id: int, now: datetime, name: str) -> str:
    """Act on one claimed reminder; returns the TickResult field to count."""
    with transaction(rt.sessions) as session:
        reminder = session.get(Reminder, reminder_id)
        if reminder is None or reminder.state != rstate.SENDING or reminder.claimed_by != name:
            return "released"
        event, client = reminder.event, reminder.client
        reason = _still_wanted(reminder, event, client, now)
        if reason is not None:
            _finish(reminder, rstate.CANCELLED if reason == "event_cancelled" else rstate.SKIPPED,
                    reason)
            return "cancelled" if reason == "event_cancelled" else "skipped"
        window = rt.client_window(client.window)
        if reminder.channel != "task" and not window.is_open(now):
            later = window.next_open(now)
            if reminder.latest_at is not None and later > reminder.latest_at:
                _finish(reminder, rstate.SKIPPED, "too_late")
                return "skipped"
            _retry_at(reminder, later)
            return "deferred"
        if reminder.channel == "task":
            text = render_text(rt.templates, "task", reminder.template, "fi", event, rt.sender,
                               client_name=client.name)
            _inbox(session, reminder, "task", text[:300])
            _finish(reminder, rstate.DELIVERED)
            reminder.sent_at = now
            return "tasks"
        message = _outbound_message(session, rt, reminder, event, client, now)
        reminder.attempts += 1
        message_id = message.id
    return _send_and_record(rt, reminder_id, message_id, now)


def _outbound_message(session: Session, rt: Runtime, reminder: Reminder, event: Event,
                      client: Client, now: datetime) -> Message:
    person = reminder.trusted_person
    to = person.phone if person is not None else client.phone
    language = person.language if person is not None else client.language
    body = render_text(rt.templates, reminder.channel, reminder.template, language, event,
                       rt.sender)
    message = Message(direction="out", channel=reminder.channel, client_id=client.id,
                      reminder_id=reminder.id, event_id=event.id, to_number=to,
                      from_number=rt.config.twilio.from_number, body=body,
                      gateway=rt.gateway.name, status="sending",
                      callback_token=secrets.token_urlsafe(24), created_at=now, updated_at=now)
    session.add(message)
    session.flush()
    return message


def call(rt: Runtime, message: Message) -> SendResult:
    """Hand one recorded message to the gateway."""
    status_url = rt.public_url(f"/twilio/status/{message.callback_token}")
    if message.channel == "voice":
        return rt.gateway.place_call(
            message.to_number, twiml_url=rt.public_url(f"/twilio/voice/{message.callback_token}"),
            status_callback=status_url)
    return rt.gateway.send_sms(message.to_number, message.body or "", status_callback=status_url)


def _send_and_record(rt: Runtime, reminder_id: int, message_id: int, now: datetime) -> str:
    with transaction(rt.sessions) as session:
        message = session.get(Message, message_id)
        assert message is not None
        session.expunge(message)
    try:
        sent = call(rt, message)
    except GatewayError as exc:
        return _record_error(rt, reminder_id, message_id, exc, now)
    with transaction(rt.sessions) as session:
        message = session.get(Message, message_id)
        reminder = session.get(Reminder, reminder_id)
        assert message is not None and reminder is not None
        message.gateway_sid = sent.sid
        message.status = sent.status
        reminder.sent_at = now
        reminder.claimed_by = None
        reminder.lease_until = None
        if sent.status == "delivered":
            rstate.move(reminder, rstate.DELIVERED)
            return "delivered"
        rstate.move(reminder, rstate.SENT)
        return "sent"


def _record_error(rt: Runtime, reminder_id: int, message_id: int, exc: GatewayError,
                  now: datetime) -> str:
    with transaction(rt.sessions) as session:
        message = session.get(Message, message_id)
        reminder = session.get(Reminder, reminder_id)
        assert message is not None and reminder is not None
        message.error_code = exc.code
        message.error_message = exc.message[:300]
        if exc.uncertain:
            message.status = "unknown"
            _finish(reminder, rstate.UNCERTAIN, "outcome_unknown")
            _inbox(session, reminder, "uncertain",
                   "Välityspalvelu ei vastannut: ei tiedetä, lähtikö muistutus.")
            return "uncertain"
        message.status = "failed"
        if exc.permanent:
            reason = PERMANENT_REASONS.get(exc.code or 0, "gateway_error")
            if reason == "unsubscribed":
                client = reminder.client
                client.opted_out, client.opted_out_at = True, now
            _finish(reminder, rstate.FAILED, reason)
            _inbox(session, reminder, "failed", f"Muistutus ei lähtenyt: {rstate.REASONS[reason]}.")
            return "failed"
        if reminder.attempts >= rt.config.max_attempts:
            _finish(reminder, rstate.FAILED, "gateway_error")
            _inbox(session, reminder, "failed",
                   f"Muistutus ei lähtenyt {reminder.attempts} yrityksellä.")
            return "failed"
        delay = exc.retry_after if exc.retry_after else 60.0 * 2 ** (reminder.attempts - 1)
        window = rt.client_window(reminder.client.window)
        later = window.next_open(now + timedelta(seconds=min(delay, 3600)))
        if reminder.latest_at is not None and later > reminder.latest_at:
            _finish(reminder, rstate.FAILED, "too_late")
            _inbox(session, reminder, "failed", "Muistutus ei ehtinyt lähteä ennen tapahtumaa.")
            return "failed"
        _retry_at(reminder, later)
        return "retried"


def _finish(reminder: Reminder, state: str, reason: str | None = None) -> None:
    rstate.move(reminder, state, reason)
    reminder.claimed_by = None
    reminder.lease_until = None


def _retry_at(reminder: Reminder, when: datetime) -> None:
    rstate.move(reminder, rstate.PLANNED)
    reminder.send_at = when
    reminder.claimed_by = None
    reminder.lease_until = None


def _push_back(rt: Runtime, reminder_id: int, now: datetime) -> None:
    """After an unexpected error, try this reminder again later instead of crash-looping."""
    with transaction(rt.sessions) as session:
        reminder = session.get(Reminder, reminder_id)
        if reminder is not None and reminder.state == rstate.SENDING:
            in_flight = session.scalars(select(Message).where(
                Message.reminder_id == reminder.id, Message.status == "sending")).first()
            if in_flight is not None:
                in_flight.status = "unknown"
                _finish(reminder, rstate.UNCERTAIN, "outcome_unknown")
            else:
                _retry_at(reminder, now + timedelta(minutes=10))


def _inbox(session: Session, reminder: Reminder, kind: str, summary: str) -> None:
    session.add(InboxItem(worker_id=reminder.client.worker_id, client_id=reminder.client_id,
                          event_id=reminder.event_id, reminder_id=reminder.id, kind=kind,
                          summary=summary))


def send_queued_messages(rt: Runtime, now: datetime, limit: int = 100) -> int:
    """Send ad-hoc messages (a worker's reply, an opt-out confirmation) waiting in the table."""
    with transaction(rt.sessions) as session:
        ids = session.scalars(select(Message.id).where(
            Message.direction == "out", Message.status == "queued").order_by(Message.id)
            .limit(limit)).all()
    return sum(1 for message_id in ids if send_message(rt, message_id, now))


def send_message(rt: Runtime, message_id: int, now: datetime | None = None) -> bool:
    """Claim one queued message and send it; True when this call sent it."""
    now = now or utcnow()
    with transaction(rt.sessions) as session:
        changed = session.execute(update(Message).where(
            Message.id == message_id, Message.status == "queued").values(
            status="sending", updated_at=now)).rowcount
        if changed != 1:
            return False
        message = session.get(Message, message_id)
        assert message is not None
        session.expunge(message)
    try:
        sent = call(rt, message)
    except GatewayError as exc:
        with transaction(rt.sessions) as session:
            row = session.get(Message, message_id)
            assert row is not None
            row.error_code, row.error_message = exc.code, exc.message[:300]
            if exc.uncertain:
                row.status = "unknown"
            elif exc.permanent or row.created_at < now - timedelta(hours=1):
                row.status = "failed"
            else:
                row.status = "queued"  # transient: the next tick tries again
        return False
    with transaction(rt.sessions) as session:
        row = session.get(Message, message_id)
        assert row is not None
        row.gateway_sid, row.status = sent.sid, sent.status
    return True


def beat(rt: Runtime, name: str, now: datetime, detail: str = "") -> None:
    """Record that this worker is alive (read by /readyz)."""
    with transaction(rt.sessions) as session:
        row = session.get(Heartbeat, name)
        if row is None:
            session.add(Heartbeat(name=name, last_seen=now, detail=detail[:200]))
        else:
            row.last_seen, row.detail = now, detail[:200]
