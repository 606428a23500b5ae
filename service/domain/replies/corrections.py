"""A worker's correction of a reading, and the team's export of corrections.

Why: the reader leaves to a person what it cannot be sure of, and a person sometimes
sees that a certain reading was wrong. The worker's word is applied exactly as a
reading would have been (inbound.apply_intent), the item is handled (which releases
the event's hold), and the change is audited. The corrections, exported without
numbers or names, are how the team grows the reply table from real replies.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.errors import ValidationError
from service.domain.inbox.items import mark_handled
from service.domain.privacy.audit import record
from service.domain.privacy.redact import redact_text
from service.domain.replies.inbound import RESTORED, apply_intent
from service.domain.replies.reading import Intent
from service.store.models import Client, InboxItem, Message, TrustedPerson, Worker
from service.store.states import Direction, InboxState

# What the worker may say a reply was; "nothing" is no answer at all (unknown).
CHOICES: dict[str, Intent] = {
    "stop": Intent.STOP, "start": Intent.START, "decline": Intent.DECLINE,
    "confirm": Intent.CONFIRM, "callback": Intent.CALLBACK, "nothing": Intent.UNKNOWN,
}
EXPORT_HEADER = ("text", "read_intent", "corrected_intent", "language", "question")
EXPORT_LIMIT = 20_000


def can_correct(item: InboxItem) -> bool:
    """Only a client's own text or key press has a reading to correct (a trusted
    person's reply never answers for the client, an unknown number has no client)."""
    message, client = item.message, item.client
    return (message is not None and client is not None and message.direction == Direction.IN
            and message.from_number == client.phone)


def correct_reading(session: Session, rt: DomainContext, item: InboxItem, choice: str,
                    worker_id: int, now: datetime) -> Intent:
    """Apply what the worker says the reply was, handle the item, audit the change."""
    if choice not in CHOICES:
        raise ValidationError({"intent": "Valitse, mitä vastaus tarkoitti."})
    if not can_correct(item):
        raise ValidationError({"intent": "Vain asiakkaan oman vastauksen voi korjata."})
    message, client = item.message, item.client
    assert message is not None and client is not None
    intent = CHOICES[choice]
    read = message.intent or Intent.UNKNOWN.value
    if apply_intent(session, rt, client, item.event, item.reminder or message.reminder,
                    intent, now):
        item.summary = RESTORED  # a confirm after a decline brought the reminders back
    message.corrected_intent = intent.value
    item.intent = intent.value
    if item.state != InboxState.HANDLED:
        mark_handled(item, worker_id, now)
    record(session, worker_id, "correct", "inbox_item", item.id,
           f"reading {read} -> {intent.value}")
    return intent


def _names(session: Session, message: Message) -> list[str]:
    """Everyone the service knows around a message: its client, their trusted persons,
    the workers."""
    names = list(session.scalars(select(Worker.name)))
    if message.client_id is not None:
        names += session.scalars(select(Client.name).where(Client.id == message.client_id))
        names += session.scalars(select(TrustedPerson.name).where(
            TrustedPerson.client_id == message.client_id))
    return names


def export_rows(session: Session, within: ColumnElement[bool] | None = None
                ) -> list[tuple[str, str, str, str, str]]:
    """Corrected replies as the reply table reads them: text, read intent, corrected
    intent, language, question ("-": not known). No number, name or id: the text is
    redacted, and nothing else about the person is written. `within` is the reader's
    access rule on messages (domain/teams/access.messages_rule)."""
    rows = []
    for message in session.scalars(select(Message).where(
            true() if within is None else within, Message.corrected_intent.is_not(None),
            Message.body.is_not(None),
            Message.direction == Direction.IN).order_by(Message.created_at, Message.id)
            .limit(EXPORT_LIMIT)):
        text = redact_text(message.body or "", _names(session, message)).replace("\n", "\\n")
        rows.append((text, message.intent or Intent.UNKNOWN.value,
                     message.corrected_intent or "", message.reading_language or "-",
                     message.reading_question or "-"))
    return rows
