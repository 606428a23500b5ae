"""Holds: a reply that was not read with certainty stops the event's automated contact.

Why: when a client answers something the reader cannot be sure of ("mulla on nälkä",
"lopeta tai soita"), the next robocall or text may be exactly the wrong thing. Until a
worker has decided what the reply meant (handled its inbox item), nothing automated
about that event goes out, to the client or to their trusted persons. Held reminders
are not skipped: they wait, pushed back, and go at once when the hold is released, if
still in time. Tasks for the worker are not contact and are never held.

An event is held while it has an open inbox item with `holds` set. A client is held
as a whole by such an item with no event: a text whose reading failed, filed as it came
for a worker to read (domain/replies/unreadable.py). The one SQL rule, `holding()`, is
used by the single send path (reminder_send.is_held) and by the batch path's plain SQL
alike, so the two cannot disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, literal_column, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.store.models import InboxItem, Reminder
from service.store.states import INBOX_OPEN, ReminderState

HELD = "held"  # the reason on a reminder pushed back by a hold (reminder_states.REASONS)
UNREADABLE = "unreadable"  # a text the service could not read, filed for a person
UNREADABLE_TRUSTED = "unreadable_trusted"  # the same, from a client's trusted person
NOT_HELD_CHANNELS = ("task",)  # an item in the worker's inbox: nothing reaches the client
# The summary of a holding item (translated where the UI shows it: translations/update.py).
MESSAGES = {
    HELD: "Epäselvä vastaus: päätä, mitä asiakas tarkoitti. Automaattiset muistutukset "
          "odottavat päätöstäsi.",
    UNREADABLE: "Palvelu ei pystynyt lukemaan tätä viestiä. Lue se ja päätä, mitä asiakas "
                "tarkoitti. Automaattiset viestit asiakkaalle odottavat päätöstäsi.",
    UNREADABLE_TRUSTED: "Palvelu ei pystynyt lukemaan tätä asiakkaan läheisen viestiä. "
                        "Lue se ja päätä, mitä hän tarkoitti. Automaattiset viestit "
                        "asiakkaalle ja läheisille odottavat päätöstäsi.",
}


# The column as its own condition, written as the partial index ix_inbox_items_holding
# is (SQLAlchemy would write "holds IS 1" or "holds = 1" on SQLite, which SQLite does not
# match with the index's "holds").
HOLDS: ColumnElement[bool] = literal_column("inbox_items.holds")


Id = ColumnElement[int] | InstrumentedAttribute[int] | int  # a column, or a value


def holding(event_id: Id, client_id: Id | None = None) -> ColumnElement[bool]:
    """True while the event has an open item that holds it, or (given `client_id`) the
    client has an open holding item about no event (one rule, both send paths)."""
    about: ColumnElement[bool] = InboxItem.event_id == event_id
    if client_id is not None:
        about = or_(about, and_(InboxItem.event_id.is_(None), InboxItem.client_id == client_id))
    return exists().where(about, HOLDS, InboxItem.state.in_(INBOX_OPEN))


def waiting(session: Session, items: list[InboxItem]) -> dict[int, Counter[str]]:
    """What each holding item holds, by item id: planned reminders that would reach
    someone, by channel; its event's, or for an item about no event its client's."""
    events = {i.event_id for i in items if i.event_id is not None}
    clients = {i.client_id for i in items if i.event_id is None and i.client_id is not None}
    by_event: defaultdict[int, Counter[str]] = defaultdict(Counter)
    by_client: defaultdict[int, Counter[str]] = defaultdict(Counter)
    if events or clients:
        for event_id, client_id, channel in session.execute(
                select(Reminder.event_id, Reminder.client_id, Reminder.channel).where(
                    or_(Reminder.event_id.in_(events), Reminder.client_id.in_(clients)),
                    Reminder.state == ReminderState.PLANNED,
                    Reminder.channel.not_in(NOT_HELD_CHANNELS))):
            by_event[event_id][channel] += 1
            by_client[client_id][channel] += 1
    return {i.id: by_event[i.event_id] if i.event_id is not None
            else by_client[i.client_id] if i.client_id is not None else Counter()
            for i in items}


def release(session: Session, item: InboxItem, now: datetime) -> int:
    """After a holding item is handled: the reminders it pushed back are due again now
    (unless another open item still holds their event). Returns how many."""
    if not item.holds:
        return 0
    if item.event_id is not None:
        return release_held(session, Reminder.event_id == item.event_id, now)
    if item.client_id is not None:
        return release_held(session, Reminder.client_id == item.client_id, now)
    return 0


def release_held(session: Session, which: ColumnElement[bool], now: datetime) -> int:
    """Reminders (`which`) pushed back by a hold that no longer holds them: due now."""
    session.flush()  # the item's new state, for the question below
    pushed = session.scalars(select(Reminder).where(
        which, Reminder.state == ReminderState.PLANNED, Reminder.reason == HELD,
        ~holding(Reminder.event_id, Reminder.client_id))).all()
    for reminder in pushed:
        reminder.send_at = min(reminder.send_at, now)
        reminder.reason = None
    return len(pushed)
