"""Pending applications: what the worker records about them, and what that stops.

Why: a documents deadline is reminded until the documents are in; after that every
further reminder would only confuse the client. The dispatch pass would skip them
anyway (condition "documents_missing"), but cancelling them at once keeps the
client's timeline honest for the worker.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.errors import ValidationError
from service.domain.events import event_states
from service.domain.planning import reminder_states as rstate
from service.domain.privacy import audit
from service.store.models import Event, Reminder
from service.store.states import EventKind, EventState, ReminderState

__all__ = ["record_decision", "record_documents_in"]


def record_documents_in(session: Session, event: Event, worker_id: int | None,
                        now: datetime) -> int:
    """The client's documents went in: stop the remaining documents reminders.

    Returns how many planned reminders were cancelled. Recording it twice changes
    nothing the second time.
    """
    if event.kind != EventKind.APPLICATION:
        raise ValidationError(
            {"event": "Vain hakemukselle voi kirjata, että paperit on toimitettu."})
    if event.state == EventState.CANCELLED:
        raise ValidationError({"event": "Hakemus on peruttu."})
    if event.documents_in_at is not None:
        return 0
    event.documents_in_at = now
    if event.state == EventState.PLANNED:
        event_states.move(event, EventState.DOCUMENTS_IN, now)
    event.updated_at = now
    count = 0
    for reminder in session.scalars(select(Reminder).where(
            Reminder.event_id == event.id, Reminder.state == ReminderState.PLANNED,
            Reminder.condition == "documents_missing")):
        rstate.move(reminder, ReminderState.CANCELLED, "documents_in")
        count += 1
    audit.record(session, worker_id, "update", "event", event.id,
                 f"documents in; {count} reminders cancelled", at=now)
    return count


def record_decision(session: Session, event: Event, decided_on: date, tz: tzinfo,
                    worker_id: int | None, now: datetime) -> int:
    """The decision came on `decided_on` (the local day the worker read from the letter):
    the application is decided and nothing more about it is sent or asked.

    Returns how many planned reminders were cancelled. Recording it again corrects the
    date. The date is kept as that day's noon, so every time zone reads the same day.
    """
    if event.kind != EventKind.APPLICATION:
        raise ValidationError({"decided_on": "Vain hakemukselle voi kirjata päätöksen."})
    if event.state == EventState.CANCELLED:
        raise ValidationError({"decided_on": "Hakemus on peruttu."})
    if decided_on > now.astimezone(tz).date():
        raise ValidationError({"decided_on": "Päätöksen päivä ei voi olla tulevaisuudessa."})
    if event.submitted_on is not None and decided_on < event.submitted_on:
        raise ValidationError({"decided_on": "Päätös ei voi tulla ennen kuin hakemus jätettiin."})
    event.decided_at = datetime.combine(decided_on, time(12), tzinfo=tz).astimezone(now.tzinfo)
    if event.state != EventState.DECIDED:
        event_states.move(event, EventState.DECIDED, now)
    event.updated_at = now
    count = 0
    for reminder in session.scalars(select(Reminder).where(
            Reminder.event_id == event.id, Reminder.state == ReminderState.PLANNED)):
        rstate.move(reminder, ReminderState.CANCELLED, "decided")
        count += 1
    audit.record(session, worker_id, "update", "event", event.id,
                 f"decision came {decided_on.isoformat()}; {count} reminders cancelled", at=now)
    return count
