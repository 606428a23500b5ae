"""Taking over claims whose worker died, without sending anything twice.

A claim whose lease ran out is in one of two conditions:
- no outbound message was written yet: nothing can have left, so the reminder
  simply goes back to "planned" and the next claim sends it;
- its message is still in status "sending": the worker died between writing the
  row and recording the gateway's answer, so the request may or may not have
  reached the gateway. Sending again blindly could text the client twice. The
  gateway is asked instead (Twilio: the messages to that number since the row
  was written); a matching message is adopted as ours, and when none can be
  found the reminder is marked uncertain and the worker is told.

Ad-hoc messages (a worker's reply, an opt-out confirmation) have no claim, but the
same gap: a process that died after marking one "sending" leaves it so. One still
"sending" a lease's time later is settled the same way (settle_stuck_messages).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from service.domain.inbox.items import notify_about, notify_about_message
from service.domain.messages.delivery import move_status
from service.domain.phones import mask_phone
from service.domain.planning import fallbacks
from service.domain.planning import reminder_states as rstate
from service.gateways.base import GatewayError, SendResult, SentLookup
from service.runtime import Runtime
from service.scheduling.claims import renew, take_over_expired
from service.scheduling.gateway_call import record_acceptance, settle_status
from service.store.bulk_sql import sql_literal
from service.store.db import When, transaction
from service.store.models import Message, Reminder
from service.store.states import Direction, InboxKind, MessageStatus, ReminderState

log = logging.getLogger(__name__)

LOOKUP_TRIES = 3
# Our clock and the gateway's may differ a little; look a bit further back.
CLOCK_SLACK = timedelta(minutes=2)
# A found message in one of these has reached the phone: the reminder is delivered.
REACHED = frozenset({MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.COMPLETED})


@dataclass
class ReconcileResult:
    released: int = 0  # nothing had left: planned again
    adopted: int = 0  # the gateway had it: recorded as sent
    uncertain: int = 0  # nobody can tell: the worker decides


@dataclass(frozen=True)
class _InFlight:
    message_id: int
    channel: str
    to: str
    body: str | None
    since: datetime
    known: SendResult | None
    sender: str = ""  # the team's sender the row went out from (message.from_number)


def lookup_for(rt: Runtime) -> SentLookup | None:
    """What can answer "did this reach the gateway?": the gateway itself, if it can."""
    return rt.gateway if isinstance(rt.gateway, SentLookup) else None


def reconcile_expired(rt: Runtime, now: datetime, name: str,
                      limit: int = 100) -> ReconcileResult:
    """Take over every expired claim (in batches) and settle each one."""
    result = ReconcileResult()
    while True:
        ids = take_over_expired(rt, now, name, limit)
        for reminder_id in ids:
            settle(rt, reminder_id, now, name, result)
        if len(ids) < limit:
            return result


def settle(rt: Runtime, reminder_id: int, now: datetime, name: str,
           result: ReconcileResult) -> None:
    """Decide what happens to one taken-over claim (see the module docstring)."""
    in_flight = _release_or_find_in_flight(rt, reminder_id, now, name, result)
    if in_flight is None:
        return
    found = [] if in_flight.known is not None else _look_up(rt, in_flight)
    with transaction(rt.sessions) as session:
        if not renew(session, rt, reminder_id, name, now):
            return  # someone else took it meanwhile (our own lease ran out)
        reminder = session.get(Reminder, reminder_id)
        message = session.get(Message, in_flight.message_id)
        assert reminder is not None and message is not None
        match = in_flight.known or _first_unknown(session, found)
        reminder.claimed_by = None
        reminder.lease_until = None
        if match is not None:
            record_acceptance(message, match)
            message.updated_at = now
            reminder.sent_at = message.created_at
            delivered = match.status in REACHED
            rstate.move(reminder, ReminderState.DELIVERED if delivered else ReminderState.SENT)
            fallbacks.after_sent(session, rt, reminder, now)  # as for any send
            result.adopted += 1
            log.info("reminder %s: the gateway had accepted it before the crash", reminder_id)
            return
        settle_status(message, MessageStatus.UNKNOWN)
        message.updated_at = now
        rstate.move(reminder, ReminderState.UNCERTAIN, "outcome_unknown")
        notify_about(session, reminder, InboxKind.UNCERTAIN,
                     "Lähetys keskeytyi, eikä tiedetä, lähtikö muistutus: tarkista asiakkaalta.",
                     now)
        result.uncertain += 1
        log.warning("reminder %s to %s: outcome unknown after a crash", reminder_id,
                    mask_phone(in_flight.to))


def _first_unknown(session: Session, found: list[SendResult]) -> SendResult | None:
    """The first match whose sid no other message row has claimed already."""
    if not found:
        return None
    taken = set(session.scalars(select(Message.gateway_sid).where(
        Message.gateway_sid.in_([f.sid for f in found]))))
    return next((f for f in found if f.sid not in taken), None)


def _release_or_find_in_flight(rt: Runtime, reminder_id: int, now: datetime, name: str,
                               result: ReconcileResult) -> _InFlight | None:
    """Release a claim with nothing written yet; else describe the interrupted attempt."""
    with transaction(rt.sessions) as session:
        if not renew(session, rt, reminder_id, name, now):
            return None
        reminder = session.get(Reminder, reminder_id)
        assert reminder is not None
        attempt = select(Message).where(Message.reminder_id == reminder_id,
                                        Message.direction == Direction.OUT)
        if reminder.claimed_at is not None:
            attempt = attempt.where(Message.created_at >= reminder.claimed_at)
        else:
            attempt = attempt.where(Message.status == MessageStatus.SENDING)
        message = session.scalars(attempt.order_by(Message.id.desc())).first()
        if message is None:
            rstate.move(reminder, ReminderState.PLANNED)
            reminder.claimed_by = None
            reminder.lease_until = None
            result.released += 1
            return None
        # A status callback can have brought the sid before the worker died.
        known = (SendResult(sid=message.gateway_sid, status=message.status)
                 if message.gateway_sid else None)
        return _InFlight(message_id=message.id, channel=message.channel, to=message.to_number,
                         body=message.body, since=message.created_at - CLOCK_SLACK, known=known,
                         sender=message.from_number or "")


def _look_up(rt: Runtime, in_flight: _InFlight) -> list[SendResult]:
    """Ask the gateway, a few times over a transient error; nothing found if it cannot say."""
    lookup = lookup_for(rt)
    if lookup is None:
        return []
    for attempt in range(LOOKUP_TRIES):
        try:
            return lookup.find_sent(channel=in_flight.channel, to=in_flight.to,
                                    body=in_flight.body, since=in_flight.since,
                                    sender=in_flight.sender or None)
        except GatewayError as exc:
            if exc.permanent or attempt == LOOKUP_TRIES - 1:
                log.warning("gateway lookup failed (%s): %s", exc.code, exc.message[:100])
                return []
            time.sleep(0.2 * 2 ** attempt)
    return []


def stuck_before(rt: Runtime, now: datetime) -> datetime:
    """An ad-hoc message "sending" since before this is stuck: a lease's time, as for
    a claim (a live sender has long had its answer by then)."""
    return now - timedelta(seconds=rt.config.lease_seconds)


def stuck_messages_query(cutoff: When, limit: int) -> Select[tuple[int]]:
    """Ad-hoc messages still "sending" since before `cutoff` (also used by the EXPLAIN
    checks: the partial index ix_messages_sending answers it, so the idle pass does
    not read the messages table).

    The reminder's id is tested as `reminder_id + 0 IS NULL`: a plain IS NULL makes
    SQLite search its reminder_id index for NULL, which every inbound text is."""
    return (select(Message.id)
            .where(Message.status == sql_literal(MessageStatus.SENDING),
                   Message.direction == sql_literal(Direction.OUT),
                   (Message.reminder_id + 0).is_(None), Message.updated_at < cutoff)
            .order_by(Message.updated_at).limit(limit))


def settle_stuck_messages(rt: Runtime, now: datetime, limit: int = 100) -> ReconcileResult:
    """Settle ad-hoc messages left "sending" for longer than a lease: found at the
    gateway, the message is recorded as sent; not found, it becomes "unknown" and
    whoever wrote it (or the client's worker) is told."""
    cutoff = stuck_before(rt, now)
    result = ReconcileResult()
    with transaction(rt.sessions) as session:
        ids = list(session.scalars(stuck_messages_query(cutoff, limit)))
    for message_id in ids:
        _settle_message(rt, message_id, now, cutoff, result)
    return result


def _settle_message(rt: Runtime, message_id: int, now: datetime, cutoff: datetime,
                    result: ReconcileResult) -> None:
    with transaction(rt.sessions) as session:
        # Check-and-set: a fresh updated_at keeps other workers off it while we ask.
        taken = session.connection().execute(
            update(Message).where(Message.id == message_id,
                                  Message.status == MessageStatus.SENDING,
                                  Message.updated_at < cutoff)
            .values(updated_at=now)).rowcount
        if taken != 1:
            return
        message = session.get(Message, message_id)
        assert message is not None
        in_flight = _InFlight(message_id=message.id, channel=message.channel,
                              to=message.to_number, body=message.body,
                              since=message.created_at - CLOCK_SLACK, known=None,
                              sender=message.from_number or "")
    found = _look_up(rt, in_flight)
    with transaction(rt.sessions) as session:
        message = session.get(Message, message_id, with_for_update=True)
        if message is None or message.status != MessageStatus.SENDING:
            return  # a status callback told us meanwhile
        match = _first_unknown(session, found)
        message.updated_at = now
        if match is not None:
            record_acceptance(message, match)
            result.adopted += 1
            log.info("message %s: the gateway had accepted it before the crash", message_id)
            return
        move_status(message, MessageStatus.UNKNOWN)  # still "sending": checked above
        writer = message.worker_id or (message.client.worker_id if message.client else None)
        notify_about_message(session, message, writer, InboxKind.UNCERTAIN,
                             "Viestin lähetys keskeytyi, eikä tiedetä, lähtikö se: tarkista "
                             "asiakkaalta.", now)
        result.uncertain += 1
        log.warning("message %s to %s: outcome unknown after a crash", message_id,
                    mask_phone(in_flight.to))
