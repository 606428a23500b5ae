"""Holds: a reply that was not read with certainty stops the event's automated contact.

Why: when a client answers something the reader cannot be sure of ("mulla on nälkä",
"lopeta tai soita"), the next robocall or text may be exactly the wrong thing. Until a
worker has decided what the reply meant (handled its inbox item), nothing automated
about that event goes out, to the client or to their trusted persons. Held reminders
are not skipped: they wait, pushed back, and go at once when the hold is released, if
still in time. Tasks for the worker are not contact and are never held.

An event is held while it has an open inbox item with `holds` set. The one SQL rule,
`holding()`, is used by the single send path (is_held) and by the batch path's plain
SQL alike, so the two cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, exists, literal_column, select
from sqlalchemy.orm import Session

from service.store.models import InboxItem, Reminder
from service.store.states import INBOX_OPEN, ReminderState

HELD = "held"  # the reason on a reminder pushed back by a hold (reminder_states.REASONS)
NOT_HELD_CHANNELS = ("task",)  # an item in the worker's inbox: nothing reaches the client
# The summary of a holding item (translated where the UI shows it: translations/update.py).
MESSAGES = {
    HELD: "Epäselvä vastaus: päätä, mitä asiakas tarkoitti. Automaattiset muistutukset "
          "odottavat päätöstäsi.",
}


# The column as its own condition, written as the partial index ix_inbox_items_holding
# is (SQLAlchemy would write "holds IS 1" or "holds = 1" on SQLite, which SQLite does not
# match with the index's "holds").
HOLDS: ColumnElement[bool] = literal_column("inbox_items.holds")


def holding(event_id: ColumnElement[int] | int) -> ColumnElement[bool]:
    """True while the event has an open item that holds it (one rule, both send paths)."""
    return exists().where(InboxItem.event_id == event_id, HOLDS,
                          InboxItem.state.in_(INBOX_OPEN))


def is_held(session: Session, event_id: int) -> bool:
    return bool(session.scalar(select(holding(event_id))))


def waiting(session: Session, event_ids: list[int]) -> dict[int, Counter[str]]:
    """What is held, per event: planned reminders that would reach someone, by channel."""
    if not event_ids:
        return {}
    found: dict[int, Counter[str]] = {event_id: Counter() for event_id in event_ids}
    for event_id, channel in session.execute(select(Reminder.event_id, Reminder.channel).where(
            Reminder.event_id.in_(event_ids), Reminder.state == ReminderState.PLANNED,
            Reminder.channel.not_in(NOT_HELD_CHANNELS))):
        found[event_id][channel] += 1
    return found


def release(session: Session, item: InboxItem, now: datetime) -> int:
    """After a holding item is handled: the reminders it pushed back are due again now
    (unless another open item still holds the event). Returns how many."""
    if not item.holds or item.event_id is None:
        return 0
    session.flush()  # the item's new state, for the question below
    if is_held(session, item.event_id):
        return 0
    pushed = session.scalars(select(Reminder).where(
        Reminder.event_id == item.event_id, Reminder.state == ReminderState.PLANNED,
        Reminder.reason == HELD)).all()
    for reminder in pushed:
        reminder.send_at = min(reminder.send_at, now)
        reminder.reason = None
    return len(pushed)
