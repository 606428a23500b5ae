"""Keeping data only for the set time ([retention] in the configuration).

- Message bodies (texts sent, spoken call texts and clients' replies) are erased
  message_days after the message; the row stays for the figures. Inbox task texts
  (rendered from templates that may name the client) go at the same age.
- An event with nothing happening for inactive_days loses its free text (place,
  what to bring); its facts (type or agency, dates, state) stay for the service-path
  view.
- A client with no activity for inactive_days (no contact, no event, no message, no
  pending reminder) is anonymised: see service.domain.privacy.anonymise.

Every step is idempotent and claims each client with a check-and-set update, so two
worker processes running it at once do no harm and count nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Result, and_, exists, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.domain.privacy import audit
from service.domain.privacy.anonymise import ERASED_SUMMARY, ERASED_TASK_TEXT, anonymise_client
from service.store.db import transaction
from service.store.models import Client, Event, InboxItem, Message, Reminder
from service.store.states import InboxKind, ReminderState

log = logging.getLogger(__name__)

R = ReminderState
PENDING = (R.PLANNED, R.SENDING, R.SENT, R.UNCERTAIN)  # a reminder not settled yet


def _rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE changed (its result is always a CursorResult)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


@dataclass
class RetentionResult:
    bodies_erased: int = 0
    task_texts_erased: int = 0
    events_anonymised: int = 0
    clients_anonymised: int = 0

    def summary(self) -> str:
        return " ".join(f"{key}={value}" for key, value in asdict(self).items())


def _event_active_since(cutoff: datetime) -> ColumnElement[bool]:
    """SQL condition: something about the event happened or is due on or after cutoff."""
    day = cutoff.date()
    nullable = [(Event.starts_at, cutoff), (Event.state_changed_at, cutoff),
                (Event.decided_at, cutoff), (Event.decision_expected, day),
                (Event.documents_due, day)]
    # NULL >= x is NULL, and NOT NULL is NULL too: say "is not null and" so a missing
    # date counts as "nothing recent" instead of hiding the row from the update.
    return or_(Event.updated_at >= cutoff, Event.created_at >= cutoff,
               *(and_(column.is_not(None), column >= value) for column, value in nullable))


def erase_old_bodies(session: Session, cutoff: datetime, now: datetime) -> tuple[int, int]:
    bodies = _rowcount(session.execute(
        update(Message).where(Message.body.is_not(None), Message.created_at < cutoff)
        # The reading's reason quotes the reply's words: it goes with the body.
        .values(body=None, reading_reason=None, body_erased_at=now,
                updated_at=Message.updated_at),
        execution_options={"synchronize_session": False}))
    tasks = _rowcount(session.execute(
        update(InboxItem).where(InboxItem.kind == InboxKind.TASK, InboxItem.created_at < cutoff,
                                InboxItem.summary.not_in((ERASED_TASK_TEXT, ERASED_SUMMARY)))
        .values(summary=ERASED_TASK_TEXT),
        execution_options={"synchronize_session": False}))
    return bodies, tasks


def anonymise_old_events(session: Session, cutoff: datetime, now: datetime) -> int:
    return _rowcount(session.execute(
        update(Event).where(Event.anonymised_at.is_(None), ~_event_active_since(cutoff))
        .values(place=None, bring=None, anonymised_at=now, updated_at=Event.updated_at),
        execution_options={"synchronize_session": False}))


def inactive_clients(session: Session, cutoff: datetime) -> list[int]:
    """Clients with nothing on or after cutoff: no contact, event, message or pending reminder."""
    recent_event = exists().where(Event.client_id == Client.id, _event_active_since(cutoff))
    recent_message = exists().where(Message.client_id == Client.id, Message.created_at >= cutoff)
    pending = exists().where(Reminder.client_id == Client.id, Reminder.state.in_(PENDING))
    return list(session.scalars(select(Client.id).where(
        Client.anonymised_at.is_(None), Client.last_activity_at < cutoff,
        Client.created_at < cutoff, ~recent_event, ~recent_message, ~pending)
        .order_by(Client.id)))


def anonymise_inactive_client(sessions: sessionmaker[Session], client_id: int,
                              cutoff: datetime, now: datetime) -> bool:
    """Claim the client (check-and-set) and anonymise it; False when another run had it."""
    with transaction(sessions) as session:
        claimed = _rowcount(session.execute(
            update(Client).where(Client.id == client_id, Client.anonymised_at.is_(None),
                                 Client.last_activity_at < cutoff)
            .values(anonymised_at=now, updated_at=now),
            execution_options={"synchronize_session": False}))
        if claimed != 1:
            return False
        client = session.get(Client, client_id)
        assert client is not None
        counts = anonymise_client(session, client, now)
        audit.record(session, None, "anonymise", "client", client_id,
                     "retention " + " ".join(f"{k}={v}" for k, v in counts.items()), at=now)
    return True


def run_retention(sessions: sessionmaker[Session], now: datetime, message_days: int,
                  inactive_days: int) -> RetentionResult:
    """One retention run as of `now`; logs and audits the counts (never any content)."""
    result = RetentionResult()
    message_cutoff = now - timedelta(days=message_days)
    inactive_cutoff = now - timedelta(days=inactive_days)
    with transaction(sessions) as session:
        result.bodies_erased, result.task_texts_erased = erase_old_bodies(
            session, message_cutoff, now)
    with transaction(sessions) as session:
        candidates = inactive_clients(session, inactive_cutoff)
    for client_id in candidates:
        if anonymise_inactive_client(sessions, client_id, inactive_cutoff, now):
            result.clients_anonymised += 1
    with transaction(sessions) as session:
        result.events_anonymised = anonymise_old_events(session, inactive_cutoff, now)
        audit.record(session, None, "erase", "retention", None, result.summary(), at=now)
    log.info("retention: %s", result.summary())
    return result

