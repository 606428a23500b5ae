"""Erasing one client's data on request (GDPR art. 17), leaving no personal data behind.

Events, reminders, trusted persons and inbox items are deleted. Message rows stay,
emptied (no body, no number, no link to the client), so the sent/failed figures and
gateway error counts remain true. The client row stays as an anonymous tombstone so
ids in the audit log keep pointing somewhere; audit entries hold no personal data
(service.domain.privacy.audit strips numbers) and are never changed.

The gateway keeps its own copy of what it carried (Twilio's message logs): see
docs/deployment.md for erasing it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, Delete, delete, select, update
from sqlalchemy.orm import Session

from service.domain.privacy import audit
from service.domain.privacy.anonymise import anonymise_client_row, messages_of, scrub_message
from service.store.models import Client, Event, InboxItem, Reminder, TrustedPerson


class NoSuchClient(LookupError):
    pass


@dataclass(frozen=True)
class ErasureResult:
    client_id: int
    messages: int
    events: int
    reminders: int
    trusted_persons: int
    inbox_items: int

    def summary(self) -> str:
        return (f"messages={self.messages} events={self.events} reminders={self.reminders} "
                f"trusted_persons={self.trusted_persons} inbox_items={self.inbox_items}")


def _deleted(session: Session, statement: Delete) -> int:
    """Run a bulk delete and say how many rows it removed."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    assert isinstance(result, CursorResult)
    return result.rowcount


def erase_client(session: Session, client_id: int, now: datetime,
                 worker_id: int | None) -> ErasureResult:
    """Erase in the caller's transaction and record it in the audit log."""
    client = session.get(Client, client_id)
    if client is None:
        raise NoSuchClient(client_id)
    messages = messages_of(session, client)
    unlinked = [m.id for m in messages if m.client_id is None]
    for message in messages:
        scrub_message(message, now)
        message.client_id = message.event_id = message.reminder_id = None
        message.worker_id = None
    session.flush()
    inbox_items = _deleted(session, delete(InboxItem).where(InboxItem.client_id == client_id))
    if unlinked:  # a text from the number before it was anyone's: in the team inbox
        inbox_items += _deleted(session, delete(InboxItem).where(
            InboxItem.client_id.is_(None), InboxItem.message_id.in_(unlinked)))
    reminder_ids = list(session.scalars(select(Reminder.id).where(
        Reminder.client_id == client_id)))
    if reminder_ids:
        # Other clients' rows cannot point here, but a fallback points at its original.
        session.execute(update(Reminder).where(Reminder.id.in_(reminder_ids))
                        .values(fallback_of=None),
                        execution_options={"synchronize_session": False})
    reminders = _deleted(session, delete(Reminder).where(Reminder.client_id == client_id))
    events = _deleted(session, delete(Event).where(Event.client_id == client_id))
    persons = _deleted(session, delete(TrustedPerson).where(TrustedPerson.client_id == client_id))
    session.expire_all()
    client = session.get(Client, client_id)
    assert client is not None
    anonymise_client_row(client, now)
    result = ErasureResult(client_id=client_id, messages=len(messages), events=events,
                           reminders=reminders, trusted_persons=persons, inbox_items=inbox_items)
    audit.record(session, worker_id, "erase", "client", client_id, result.summary(), at=now)
    session.flush()
    return result

