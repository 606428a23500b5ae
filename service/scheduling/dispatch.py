"""One dispatch pass: claim due reminders, record each message, call the gateway, record the outcome.

The order of writes is what makes it safe:
1. a claim (planned -> sending, with a lease) so no two workers take a row
   (service/scheduling/claims.py);
2. the outbound message row is committed *before* the gateway is called;
3. the gateway's id or error is written after.
A crash between 2 and 3 leaves a message in status "sending": when the lease runs
out the reminder is not sent again blindly but reconciled with the gateway or
marked uncertain (service/scheduling/reconcile.py).

A pass takes batch after batch until nothing is due, sending each batch through a
small thread pool: a slow gateway answer holds up one thread, not the pass. The
gateway's rate limits are shared by all processes (service/scheduling/pace.py).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, func, literal_column, select, update
from sqlalchemy.orm import Session, joinedload

from service.clock import utcnow
from service.domain.inbox.items import notify_about
from service.domain.messages.delivery import status_on_acceptance
from service.domain.messages.outbound import outbound_values as message_row
from service.domain.people import trusted_persons as trusted
from service.domain.planning import fallbacks
from service.domain.planning import reminder_states as rstate
from service.domain.texts.rendering import render_text
from service.gateways.base import GatewayError, SendResult
from service.gateways.twilio_errors import opts_out, reminder_reason
from service.runtime import Runtime
from service.scheduling.claims import Claim, claim_due, claim_in, expired_query, renew
from service.scheduling.reconcile import (
    reconcile_expired,
    settle_stuck_messages,
    stuck_before,
    stuck_messages_query,
)
from service.store.db import commit_without_waiting, transaction
from service.store.models import Client, Event, Heartbeat, Message, Reminder
from service.store.states import MessageStatus

log = logging.getLogger(__name__)

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
    adopted: int = 0
    messages_sent: int = 0
    messages_adopted: int = 0  # ad-hoc messages a dead process left "sending"
    messages_uncertain: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        parts = [f"{k}={v}" for k, v in self.__dict__.items() if isinstance(v, int) and v]
        return ", ".join(parts) or "nothing due"


MAX_BATCHES = 10_000
BATCH_SECONDS = 0.5  # a batch holds about this much sending at the configured text rate
MIN_BATCH = 20  # below this a batch's fixed cost (two transactions) buys nothing
FIRST_BATCH = 50  # a pass starts small, so its first calls go out while the next batch is read
BEAT_SECONDS = 5.0  # heartbeats during a long drain (readiness allows minutes)
MAX_RETRY_DELAY = 3600.0
Clock = Callable[[], datetime]


def send_threads(rt: Runtime) -> int:
    """Gateway calls at once in this process; SQLite takes one writer anyway."""
    if rt.engine.dialect.name == "sqlite":
        return 1
    return max(1, rt.config.send_threads)


def batch_limit(rt: Runtime) -> int:
    """How many due reminders a pass claims at a time: about half a second of sending
    at the text rate ([twilio] messages_per_second), at least MIN_BATCH, at most
    [worker] batch_size.

    Why: a pass holds two batches (one being sent, the next prepared), so a reminder
    falling due during a pass waits behind about a second of sends, and a batch's
    checks (cancelled? opted out? too late?) still hold when its last message leaves;
    yet at a high rate a big batch spreads its fixed cost over many sends
    (docs/performance.md).
    """
    by_rate = max(MIN_BATCH, math.ceil(rt.config.twilio.messages_per_second * BATCH_SECONDS))
    return max(1, min(rt.config.batch_size, by_rate))


def tick(rt: Runtime, now: datetime | None = None, worker_name: str | None = None,
         limit: int | None = None, stop: threading.Event | None = None) -> TickResult:
    """One pass, safe to run from any number of processes at once.

    Takes over the claims of workers that died, then claims and sends due reminders
    a batch at a time until none are due. When `stop` is set the batch in hand is
    finished and no more is claimed. With `now` the whole pass acts as if at that
    moment (tests, `rinnalla tick --now`); otherwise every step reads the clock
    afresh, so a reminder is checked against the time it really goes out.
    """
    clock: Clock = (lambda: now) if now is not None else utcnow
    name = worker_name or default_worker_name()
    batch = limit or batch_limit(rt)
    first = min(batch, FIRST_BATCH)
    result = TickResult()
    expired, claims, queued, stuck = _look(rt, clock(), name, first)
    if stuck:
        settled = settle_stuck_messages(rt, clock())
        result.messages_adopted, result.messages_uncertain = settled.adopted, settled.uncertain
    if expired:
        settled = reconcile_expired(rt, clock(), name)
        result.released, result.adopted = settled.released, settled.adopted
        result.uncertain = settled.uncertain
        if not claims:
            claims = claim_due(rt, clock(), name, first)  # the released ones are due
    if claims:
        _drain(rt, claims, first, clock, name, batch, stop, result)
    if queued:
        result.messages_sent = send_queued_messages(rt, clock())
    if result.claimed or expired or queued or stuck:
        beat(rt, name, clock(), result.summary())
    return result


def _look(rt: Runtime, now: datetime, name: str, batch: int
          ) -> tuple[bool, list[Claim], bool, bool]:
    """The idle pass in one transaction: any expired claims? claim a first batch,
    any queued messages? any ad-hoc message stuck "sending"? and the heartbeat.
    (Most passes find nothing at all.)"""
    with transaction(rt.sessions) as session:
        # Nothing here needs to wait for the disk: a lost heartbeat is harmless, and a
        # lost claim only returns its rows to "planned".
        commit_without_waiting(session)
        expired = session.execute(expired_query(now)).first() is not None
        claims = claim_in(session, rt, now, name, batch)
        queued = session.execute(queued_messages_query(1)).first() is not None
        stuck = session.execute(stuck_messages_query(stuck_before(rt, now), 1)
                                ).first() is not None
        _beat(session, name, now, "claimed" if claims else "nothing due")
    return expired, claims, queued, stuck


def _drain(rt: Runtime, claims: list[Claim], asked: int, clock: Clock, name: str, batch: int,
           stop: threading.Event | None, result: TickResult) -> None:
    """Send batch after batch (`claims` the first, of at most `asked`; then `batch` at a
    time); the next batch is prepared while this one's calls run, and claimed in the
    transaction that records the one before."""
    # batch.py builds on this module
    from service.scheduling.batch import finish_batch, start_batch, wait_for

    def claim_next(session: Session) -> list[Claim]:
        if stop is not None and stop.is_set():
            return []  # finish the batches in hand, take no more
        return claim_in(session, rt, clock(), name, batch)

    with ThreadPoolExecutor(max_workers=send_threads(rt), thread_name_prefix="send") as pool:
        flight = None
        last_beat = time.monotonic()
        for _ in range(MAX_BATCHES):
            result.claimed += len(claims)
            started = start_batch(rt, claims, clock, name, pool)
            more = len(claims) >= asked and not (stop is not None and stop.is_set())
            asked = batch
            if more and time.monotonic() - last_beat >= BEAT_SECONDS:  # still alive
                beat(rt, name, clock(), result.summary())
                last_beat = time.monotonic()
            if flight is not None:
                wait_for(rt, flight, name, clock, started)
                outcomes, claims = finish_batch(rt, flight, clock, claim_next if more else None)
                _count(result, outcomes)
            elif more:
                claims = claim_due(rt, clock(), name, batch)
            flight = started
            if not more or not claims:
                break
        if flight is not None:
            wait_for(rt, flight, name, clock)
            _count(result, finish_batch(rt, flight, clock)[0])


def _count(result: TickResult, outcomes: list[tuple[str, str]]) -> None:
    for outcome, error in outcomes:
        result.add(outcome)
        if error:
            result.errors.append(error)


def _process_safely(rt: Runtime, claim: Claim, clock: Clock, name: str) -> tuple[str, str]:
    """process_reminder, with one bad row kept from stopping the others."""
    try:
        return process_reminder(rt, claim.id, clock(), name, clock), ""
    except Exception as exc:
        log.exception("reminder %s could not be processed", claim.id)
        _push_back(rt, claim.id, clock())
        return "released", f"reminder {claim.id}: {type(exc).__name__}"


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
    if reminder.recipient == "trusted":
        trusted_reason = trusted.why_not_sent(reminder.trusted_person, client)
        if trusted_reason is not None:
            return trusted_reason
    cond = reminder.condition
    if cond == "unconfirmed" and event.state in ("confirmed", "declined"):
        return "already_answered"
    if cond == "documents_missing" and event.documents_in_at is not None:
        return "documents_in"
    if cond == "undecided" and (event.decided_at is not None or event.state == "decided"):
        return "decided"
    if cond == "needs_transport" and not event.needs_transport:
        return "no_transport"
    if cond == "something_to_bring" and not event.bring:
        return "nothing_to_bring"
    return None


def process_reminder(rt: Runtime, reminder_id: int, now: datetime, name: str,
                     clock: Clock | None = None) -> str:
    """Act on one claimed reminder alone; returns the TickResult field to count.

    `now` is when the checks are made; `clock` tells the time after the gateway call.
    (A pass sends whole batches with batch.py and falls back to this one by one.)
    """
    with transaction(rt.sessions) as session:
        if not renew(session, rt, reminder_id, name, now):
            return "released"  # our lease ran out and another worker has the row
        prepared = _prepare(session, rt, _load(session, reminder_id), now)
    if isinstance(prepared, str):
        return prepared
    # Committed; the detached row keeps what the gateway call needs.
    return _send_and_record(rt, reminder_id, prepared, clock or (lambda: now))


def _prepare(session: Session, rt: Runtime, reminder: Reminder, now: datetime) -> str | Message:
    """Decide on one due reminder: an outcome to count, or the message row to send."""
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
        notify_about(session, reminder, "task", text[:300])
        _finish(reminder, rstate.DELIVERED)
        reminder.sent_at = now
        return "tasks"
    message = _outbound_message(session, rt, reminder, event, client, now)
    reminder.attempts += 1
    return message


LOAD_WITH = (joinedload(Reminder.event), joinedload(Reminder.client))


def _load(session: Session, reminder_id: int) -> Reminder:
    """The reminder with its event and client, in one query (none if the session has it)."""
    reminder = session.get(Reminder, reminder_id, options=LOAD_WITH)
    assert reminder is not None
    return reminder


def outbound_values(rt: Runtime, reminder: Reminder, event: Event, client: Client,
                    now: datetime) -> dict[str, object]:
    """The columns of the message row a due reminder sends, before it is sent.

    Reads only columns, so the batch path can hand it plain rows instead of ORM objects.
    """
    person = reminder.trusted_person if reminder.trusted_person_id is not None else None
    to = person.phone if person is not None else client.phone
    language = person.language if person is not None else client.language
    body = render_text(rt.templates, reminder.channel, reminder.template, language, event,
                       rt.sender)
    return message_row(channel=reminder.channel, to=to, body=body,
                       from_number=rt.config.twilio.from_number, gateway=rt.gateway.name,
                       status=MessageStatus.SENDING, now=now, client_id=reminder.client_id,
                       reminder_id=reminder.id, event_id=reminder.event_id)


def _outbound_message(session: Session, rt: Runtime, reminder: Reminder, event: Event,
                      client: Client, now: datetime) -> Message:
    message = Message(**outbound_values(rt, reminder, event, client, now))
    session.add(message)  # written at commit, with the batch's other rows
    return message


@dataclass(frozen=True)
class Outbound:
    """What a gateway call needs of a recorded message: plain values that any thread
    may read, where an ORM object belongs to its session."""

    id: int
    channel: str
    to_number: str
    body: str
    callback_token: str

    @classmethod
    def of(cls, message: Message) -> Outbound:
        return cls(message.id, message.channel, message.to_number, message.body or "",
                   message.callback_token or "")


def call(rt: Runtime, message: Message | Outbound) -> SendResult:
    """Hand one recorded message to the gateway."""
    status_url = rt.public_url(f"/twilio/status/{message.callback_token}")
    if message.channel == "voice":
        return rt.gateway.place_call(
            message.to_number, twiml_url=rt.public_url(f"/twilio/voice/{message.callback_token}"),
            status_callback=status_url)
    return rt.gateway.send_sms(message.to_number, message.body or "", status_callback=status_url)


def _send_and_record(rt: Runtime, reminder_id: int, message: Message, clock: Clock) -> str:
    try:
        sent = call(rt, message)
    except GatewayError as exc:
        return _record_error(rt, reminder_id, message.id, exc, clock())
    now = clock()
    with transaction(rt.sessions) as session:
        lock_for_recording(session, [reminder_id], [message.id])
        return _record_sent(session, rt, reminder_id, message.id, sent, now)


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


def _record_sent(session: Session, rt: Runtime, reminder_id: int, message_id: int,
                 sent: SendResult, now: datetime) -> str:
    """The gateway took it: its id on the message, the reminder moved on."""
    message = session.get(Message, message_id)
    assert message is not None
    message.gateway_sid = sent.sid
    message.status = status_on_acceptance(message.status, sent.status)
    message.updated_at = now
    reminder = _load(session, reminder_id)
    reminder.claimed_by = None
    reminder.lease_until = None
    delivered = sent.status == "delivered"
    if reminder.state not in (rstate.SENDING, rstate.UNCERTAIN):
        return "delivered" if delivered else "sent"  # a callback already moved it on
    reminder.sent_at = now
    rstate.move(reminder, rstate.DELIVERED if delivered else rstate.SENT)
    fallbacks.after_sent(session, rt, reminder, now)
    return "delivered" if delivered else "sent"


def _record_error(rt: Runtime, reminder_id: int, message_id: int, exc: GatewayError,
                  now: datetime) -> str:
    with transaction(rt.sessions) as session:
        lock_for_recording(session, [reminder_id], [message_id])
        return _record_error_in(session, rt, reminder_id, message_id, exc, now)


def _record_error_in(session: Session, rt: Runtime, reminder_id: int, message_id: int,
                     exc: GatewayError, now: datetime) -> str:
    """The gateway refused or did not answer: retry later, fail, or mark uncertain."""
    message = session.get(Message, message_id)
    reminder = session.get(Reminder, reminder_id)
    assert message is not None and reminder is not None
    message.error_code = exc.code
    message.error_message = exc.message[:300]
    message.updated_at = now
    if reminder.state != rstate.SENDING:
        # Our lease ran out during the call and the take-over settled the row:
        # keep its decision, only record what the gateway said.
        message.status = "unknown" if exc.uncertain else "failed"
        return "uncertain" if exc.uncertain else "failed"
    if exc.uncertain:
        message.status = "unknown"
        _finish(reminder, rstate.UNCERTAIN, "outcome_unknown")
        notify_about(session, reminder, "uncertain",
                     "Välityspalvelu ei vastannut: ei tiedetä, lähtikö muistutus.")
        return "uncertain"
    message.status = "failed"
    if exc.permanent:
        reason = reminder_reason(exc.code)
        if opts_out(exc.code):
            client = reminder.client
            client.opted_out, client.opted_out_at = True, now
        return _fail(session, rt, reminder, reason,
                     f"Muistutus ei lähtenyt: {rstate.REASONS[reason]}.", now)
    if reminder.attempts >= rt.config.max_attempts:
        return _fail(session, rt, reminder, "gateway_error",
                     f"Muistutus ei lähtenyt {reminder.attempts} yrityksellä.", now)
    delay = exc.retry_after or rt.config.retry_seconds * 2.0 ** (reminder.attempts - 1)
    window = rt.client_window(reminder.client.window)
    later = window.next_open(now + timedelta(seconds=min(delay, MAX_RETRY_DELAY)))
    if reminder.latest_at is not None and later > reminder.latest_at:
        return _fail(session, rt, reminder, "too_late",
                     "Muistutus ei ehtinyt lähteä ennen tapahtumaa.", now)
    _retry_at(reminder, later)
    return "retried"


def _fail(session: Session, rt: Runtime, reminder: Reminder, reason: str, summary: str,
          now: datetime) -> str:
    """A reminder that will not go out: the worker is told and any fallback planned."""
    _finish(reminder, rstate.FAILED, reason)
    notify_about(session, reminder, "failed", summary)
    fallbacks.after_failed(session, rt, reminder, now)
    return "failed"


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


def queued_messages_query(limit: int) -> Select[tuple[int]]:
    """Ad-hoc messages waiting to be sent (also used by the EXPLAIN checks)."""
    return select(Message.id).where(
        # Literals, so PostgreSQL uses the partial index ix_messages_queued.
        Message.status == literal_column("'queued'"),
        Message.direction == literal_column("'out'"),
        # Twilio's own first status is also "queued": a row it has taken has its sid.
        # (Written with coalesce so SQLite does not search the unique sid index for
        # NULL, which every failed message without a sid is.)
        func.coalesce(Message.gateway_sid, "") == "").order_by(Message.id).limit(limit)


def send_queued_messages(rt: Runtime, now: datetime, limit: int = 100) -> int:
    """Send ad-hoc messages (a worker's reply, an opt-out confirmation) waiting in the table."""
    with transaction(rt.sessions) as session:
        ids = session.scalars(queued_messages_query(limit)).all()
    return sum(1 for message_id in ids if send_message(rt, message_id, now))


def send_message(rt: Runtime, message_id: int, now: datetime | None = None) -> bool:
    """Claim one queued message and send it; True when this call sent it."""
    now = now or utcnow()
    with transaction(rt.sessions) as session:
        changed = session.execute(update(Message).where(
            Message.id == message_id, Message.status == "queued",
            Message.gateway_sid.is_(None)).values(
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
        _beat(session, name, now, detail)


def _beat(session: Session, name: str, now: datetime, detail: str) -> None:
    row = session.get(Heartbeat, name)
    if row is None:
        session.add(Heartbeat(name=name, last_seen=now, detail=detail[:200]))
    else:
        row.last_seen, row.detail = now, detail[:200]
