"""Removing a client's personal data from rows that are kept for the figures.

Shared by retention (inactive clients) and erasure on request. What stays is what
counts cannot do without and what identifies no one: ids, kinds, states, times,
agencies and appointment types. Names, numbers, addresses, free text and message
bodies go.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.models import Client, Event, InboxItem, Message, TrustedPerson
from service.store.states import Direction

ERASED_NAME = "(poistettu)"
ERASED_SUMMARY = "Tiedot poistettu."
ERASED_TASK_TEXT = "Tehtävän teksti poistettu säilytysajan päätyttyä."


def messages_of(session: Session, client: Client) -> list[Message]:
    """The client's messages, and texts from its number that no client was linked to.

    Two indexed queries rather than one OR, which would read the whole table.
    """
    found = list(session.scalars(select(Message).where(Message.client_id == client.id)))
    if client.phone:
        found += session.scalars(select(Message).where(
            Message.client_id.is_(None), Message.from_number == client.phone))
    return found


def scrub_message(message: Message, now: datetime) -> None:
    """Body, the client's side number and the gateway's error text (it can quote the number)."""
    message.body = None
    message.reading_reason = None  # it quotes the reply's words
    if message.body_erased_at is None:
        message.body_erased_at = now
    if message.direction == Direction.OUT:
        message.to_number = ""
    else:
        message.from_number = ""
    message.error_message = None


def anonymise_client_row(client: Client, now: datetime) -> None:
    """Keep the row (ids stay valid for figures and the audit log); nothing identifies anyone."""
    client.name, client.phone, client.number_type = ERASED_NAME, "", "other"
    client.language, client.channel, client.window = "fi", "auto", None
    client.opted_out, client.opted_out_at = True, None  # nothing can ever be sent again
    client.opt_reason = None  # a worker's free text about the client
    client.worker_id = None
    client.anonymised_at = now


def anonymise_trusted_person(person: TrustedPerson) -> None:
    person.name, person.phone, person.number_type = ERASED_NAME, "", "other"
    person.active = False


def anonymise_event(event: Event, now: datetime) -> None:
    event.place, event.bring = None, None
    if event.anonymised_at is None:
        event.anonymised_at = now


def anonymise_inbox_item(item: InboxItem) -> None:
    item.summary = ERASED_SUMMARY


def anonymise_client(session: Session, client: Client, now: datetime) -> dict[str, int]:
    """Everything of one client made anonymous in the caller's transaction; returns counts."""
    messages = messages_of(session, client)
    for message in messages:
        scrub_message(message, now)
    events = list(session.scalars(select(Event).where(Event.client_id == client.id)))
    for event in events:
        anonymise_event(event, now)
        event.created_by = None
    persons = list(session.scalars(select(TrustedPerson).where(
        TrustedPerson.client_id == client.id)))
    for person in persons:
        anonymise_trusted_person(person)
    unlinked = [m.id for m in messages if m.client_id is None]
    items = list(session.scalars(select(InboxItem).where(InboxItem.client_id == client.id)))
    if unlinked:
        items += session.scalars(select(InboxItem).where(InboxItem.client_id.is_(None),
                                                         InboxItem.message_id.in_(unlinked)))
    for item in items:
        anonymise_inbox_item(item)
    anonymise_client_row(client, now)
    return {"messages": len(messages), "events": len(events),
            "trusted_persons": len(persons), "inbox_items": len(items)}
