"""The worker's inbox: what lands there, who may act on an item, and what acting changes.

A worker acts on their own items and on the team's shared inbox (worker_id None); an
item reassigned to them becomes theirs. Anyone else's item is, to them, not there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from service.domain.errors import ValidationError
from service.store.models import InboxItem, Message, Reminder, Worker

OPEN_STATES = ("new", "read")


def visible_to(worker_id: int) -> ColumnElement[bool]:
    return or_(InboxItem.worker_id == worker_id, InboxItem.worker_id.is_(None))


def item_for(session: Session, item_id: int, worker_id: int) -> InboxItem | None:
    """The item if this worker may see and act on it, else None."""
    return session.scalars(select(InboxItem).where(InboxItem.id == item_id,
                                                   visible_to(worker_id))).first()


def can_act(item: InboxItem, worker_id: int) -> bool:
    return item.worker_id is None or item.worker_id == worker_id


def mark_read(item: InboxItem) -> bool:
    """Opening a new item marks it read; True when that changed something."""
    if item.state == "new":
        item.state = "read"
        return True
    return False


def mark_handled(item: InboxItem, worker_id: int, now: datetime) -> None:
    item.state, item.handled_at, item.handled_by = "handled", now, worker_id


def reopen(item: InboxItem) -> None:
    item.state, item.handled_at, item.handled_by = "read", None, None


def reassign(session: Session, item: InboxItem, to_worker_id: int | None) -> None:
    """Give the item to another active worker, or to the team's shared inbox (None)."""
    if to_worker_id is not None:
        target = session.get(Worker, to_worker_id)
        if target is None or not target.active:
            raise ValidationError({"worker_id": "Valitse aktiivinen työntekijä."})
    item.worker_id = to_worker_id
    if item.state == "handled":
        reopen(item)
    else:
        item.state = "new"  # new to its new owner


def original_message(session: Session, item: InboxItem) -> Message | None:
    """The reminder the client answered, as it was sent (the last send of that reminder)."""
    reminder_id = item.reminder_id
    if reminder_id is None and item.message is not None:
        reminder_id = item.message.reminder_id
    if reminder_id is None:
        return None
    return session.scalars(select(Message).where(
        Message.reminder_id == reminder_id, Message.direction == "out")
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)).first()


def replies_sent(session: Session, item: InboxItem) -> list[Message]:
    """What workers have written to this sender since the item arrived."""
    if item.client_id is not None:
        who = Message.client_id == item.client_id
    elif item.message is not None:
        who = Message.to_number == item.message.from_number
    else:
        return []
    return list(session.scalars(select(Message).where(
        who, Message.direction == "out", Message.worker_id.is_not(None),
        Message.created_at >= item.created_at).order_by(Message.created_at, Message.id)))


def notify_about(session: Session, reminder: Reminder, kind: str, summary: str) -> None:
    """An item in the assigned worker's inbox about one reminder (failed, uncertain, a task)."""
    session.add(InboxItem(worker_id=reminder.client.worker_id, client_id=reminder.client_id,
                          event_id=reminder.event_id, reminder_id=reminder.id, kind=kind,
                          summary=summary[:300]))


def notify_about_message(session: Session, message: Message, worker_id: int | None,
                         kind: str, summary: str) -> None:
    """An item about one ad-hoc message (a worker's reply, a confirmation): it failed,
    or nobody can tell whether it left."""
    session.add(InboxItem(worker_id=worker_id, client_id=message.client_id,
                          event_id=message.event_id, message_id=message.id, kind=kind,
                          summary=summary[:300]))
