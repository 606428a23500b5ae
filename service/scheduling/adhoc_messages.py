"""Ad-hoc messages: texts queued outside any reminder, sent by the pass or at once.

A worker's reply from the inbox, a rescheduling or cancellation notice (a text or a
call: domain/events/notices.py; one queued outside the client's sending window
waits for it, messages.not_before), and the confirmation of a
client's or a trusted person's STOP or START are written as outbound rows in status
"queued" (domain/messages/outbound.py) and committed. The web sends a worker's text
at once (send_message); whatever is still queued is sent by the next pass
(send_queued_messages). Each is claimed with a check-and-set (queued -> sending), so
two processes never send the same one. One a process left "sending" when it died is
settled by reconcile.settle_stuck_messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select, update

from service.clock import utcnow
from service.gateways.base import GatewayError
from service.runtime import Runtime
from service.scheduling.gateway_call import call, record_acceptance, settle_status
from service.store.bulk_sql import sql_literal
from service.store.db import When, transaction
from service.store.models import Message
from service.store.states import Direction, MessageStatus

# A transiently refused message is queued again until it is this old, then failed.
GIVE_UP_AFTER = timedelta(hours=1)


def queued_messages_query(limit: int, now: When | None = None) -> Select[tuple[int]]:
    """Ad-hoc messages waiting to be sent (also used by the EXPLAIN checks); with `now`,
    only those due: a notice queued outside the client's window waits (not_before)."""
    query = select(Message.id).where(
        # Literals, so PostgreSQL uses the partial index ix_messages_queued.
        Message.status == sql_literal(MessageStatus.QUEUED),
        Message.direction == sql_literal(Direction.OUT),
        # Twilio's own first status is also "queued": a row it has taken has its sid.
        # (Written with coalesce so SQLite does not search the unique sid index for
        # NULL, which every failed message without a sid is.)
        func.coalesce(Message.gateway_sid, "") == "").order_by(Message.id).limit(limit)
    if now is not None:
        query = query.where(or_(Message.not_before.is_(None), Message.not_before <= now))
    return query


def send_queued_messages(rt: Runtime, now: datetime, limit: int = 100) -> int:
    """Send ad-hoc messages waiting in the table; how many this call sent."""
    with transaction(rt.sessions) as session:
        ids = session.scalars(queued_messages_query(limit, now)).all()
    return sum(1 for message_id in ids if send_message(rt, message_id, now))


def send_message(rt: Runtime, message_id: int, now: datetime | None = None) -> bool:
    """Claim one queued message and send it; True when this call sent it."""
    now = now or utcnow()
    with transaction(rt.sessions) as session:
        changed = session.connection().execute(update(Message).where(
            Message.id == message_id, Message.status == MessageStatus.QUEUED,
            Message.gateway_sid.is_(None)).values(
            status=MessageStatus.SENDING, updated_at=now)).rowcount
        if changed != 1:
            return False
        message = session.get(Message, message_id)
        assert message is not None
        if _opted_out_since(message):
            message.error_message = "opted out before the notice was due"
            settle_status(message, MessageStatus.FAILED)
            return False
        session.expunge(message)
    try:
        sent = call(rt, message)
    except GatewayError as exc:
        _record_refusal(rt, message_id, exc, now)
        return False
    with transaction(rt.sessions) as session:
        row = session.get(Message, message_id)
        assert row is not None
        record_acceptance(row, sent)
    return True


def _opted_out_since(message: Message) -> bool:
    """A text queued before the client said stop (a worker's text waiting for the pass, a
    notice waiting for the window) is not sent: it was checked only when it was queued.
    The confirmation of the stop itself is queued at the stop's moment, so it still goes."""
    client = message.client
    return client is not None and client.opted_out and client.opted_out_at is not None \
        and client.opted_out_at > message.created_at


def _record_refusal(rt: Runtime, message_id: int, exc: GatewayError, now: datetime) -> None:
    """Unknown when no answer came; failed when permanent or long queued; else queued
    again for the next pass."""
    with transaction(rt.sessions) as session:
        row = session.get(Message, message_id)
        assert row is not None
        row.error_code, row.error_message = exc.code, exc.message[:300]
        if exc.uncertain:
            settle_status(row, MessageStatus.UNKNOWN)
        elif exc.permanent or (row.not_before or row.created_at) < now - GIVE_UP_AFTER:
            settle_status(row, MessageStatus.FAILED)
        else:
            settle_status(row, MessageStatus.QUEUED)  # transient: the next pass tries again
