"""The worker's inbox: what lands there, who may see and act on an item, and what
acting changes.

A worker sees and acts on their own items and on their teams' shared inbox (worker_id
None, or raised to the team); an item reassigned to them becomes theirs. A team admin
sees every item of their teams, the organisation's admin everything. Anything else is,
to them, not there. That rule is visible_to() (built on domain/teams/access.py), and
every page, count and API call about a worker's inbox asks it. An item's state changes only by
move(), along INBOX_TRANSITIONS (drawn in the InboxItem model's docstring).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, object_session

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.inbox.holds import release
from service.domain.teams import access
from service.domain.teams.cover import place, route, route_unknown, route_worker
from service.store.models import InboxItem, Message, Reminder, Worker
from service.store.states import INBOX_TRANSITIONS, Direction, InboxKind, InboxState, check_move


def visible_to(worker: Worker) -> ColumnElement[bool]:
    """The one rule of who may see and act on an item (domain/teams/access.py): a
    worker their own items and their teams' shared and escalated ones, a team admin
    every item of their teams, the organisation's admin everything."""
    return access.items_rule(worker)


def in_box(worker: Worker, *, team: bool) -> ColumnElement[bool]:
    """One of the two boxes a worker reads: their own, or their teams' shared box
    (items nobody owns, and items raised to the whole team); each only ever within
    what visible_to() lets them see."""
    if not team:
        return and_(visible_to(worker), InboxItem.worker_id == worker.id)
    shared = or_(InboxItem.worker_id.is_(None), InboxItem.escalated_at.is_not(None))
    return and_(visible_to(worker), access.teams_rule(worker, InboxItem.team_id), shared)


def in_boxes(worker: Worker) -> ColumnElement[bool]:
    """Either box: what the badge counts and Today lists (a team admin's view of every
    item of the team is the inbox page, not the badge)."""
    return or_(in_box(worker, team=False), in_box(worker, team=True))


def item_for(session: Session, item_id: int, worker: Worker) -> InboxItem | None:
    """The item if this worker may see and act on it, else None (a 404 for them)."""
    return access.item_for(session, worker, item_id)


def count_new(session: Session, worker: Worker) -> int:
    """How many items in the worker's boxes have not been opened (the layout's badge)."""
    return session.scalar(select(func.count(InboxItem.id)).where(
        InboxItem.state == InboxState.NEW, in_boxes(worker))) or 0


def move(item: InboxItem, new: InboxState) -> None:
    """Change state only along the machine's edges; anything else is a bug."""
    item.state = check_move(INBOX_TRANSITIONS, f"inbox item {item.id}", item.state, new)


def mark_read(item: InboxItem) -> bool:
    """Opening a new item marks it read; True when that changed something."""
    if item.state == InboxState.NEW:
        move(item, InboxState.READ)
        return True
    return False


def mark_handled(item: InboxItem, worker_id: int | None, now: datetime) -> None:
    """Handled by this worker (None: settled by the service itself). Handling is the
    worker's decision on an unclear reply, so it also releases the event's hold,
    whichever page or API call handled it."""
    move(item, InboxState.HANDLED)
    item.handled_at, item.handled_by = now, worker_id
    session = object_session(item)
    if session is not None:
        release(session, item, now)


def reopen(item: InboxItem) -> None:
    move(item, InboxState.READ)
    item.handled_at, item.handled_by = None, None


def reassign(session: Session, item: InboxItem, to_worker_id: int | None) -> None:
    """Give the item to an active member of the item's team, or to the team's shared
    inbox (None). Who may hand it over is whoever may act on it (item_for): its owner,
    a team member for a shared or raised item, a team admin any item of the team."""
    if to_worker_id is not None and not access.is_active_member(session, to_worker_id,
                                                                 item.team_id):
        raise ValidationError({"worker_id": "Valitse tiimin aktiivinen työntekijä."})
    item.worker_id = to_worker_id
    if item.state == InboxState.HANDLED:
        reopen(item)
    else:
        move(item, InboxState.NEW)  # new to its new owner


def original_message(session: Session, item: InboxItem) -> Message | None:
    """The reminder the client answered, as it was sent (the last send of that reminder)."""
    reminder_id = item.reminder_id
    if reminder_id is None and item.message is not None:
        reminder_id = item.message.reminder_id
    if reminder_id is None:
        return None
    return session.scalars(select(Message).where(
        Message.reminder_id == reminder_id, Message.direction == Direction.OUT)
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
        who, Message.direction == Direction.OUT, Message.worker_id.is_not(None),
        Message.created_at >= item.created_at).order_by(Message.created_at, Message.id)))


def notify_about(session: Session, reminder: Reminder, kind: InboxKind, summary: str,
                 now: datetime | None = None) -> None:
    """An item about one reminder (failed, uncertain, a task) for the client's worker,
    or whoever covers for them (domain/teams/cover.py)."""
    now = now or utcnow()
    item = InboxItem(client_id=reminder.client_id, event_id=reminder.event_id,
                     reminder_id=reminder.id, kind=kind, summary=summary[:300], created_at=now)
    session.add(place(session, item, route(session, reminder.client, now), now))


def notify_about_message(session: Session, message: Message, worker_id: int | None,
                         kind: InboxKind, summary: str, now: datetime | None = None) -> None:
    """An item about one ad-hoc message (a worker's reply, a confirmation): it failed,
    or nobody can tell whether it left. It goes to `worker_id` (the writer, or the
    client's worker), or whoever covers for them, in the client's team."""
    now = now or utcnow()
    client = message.client
    where = (route_worker(session, worker_id, client.team_id, now) if client is not None
             else route_unknown(session, message.from_number))
    item = InboxItem(client_id=message.client_id, event_id=message.event_id,
                     message_id=message.id, kind=kind, summary=summary[:300], created_at=now)
    session.add(place(session, item, where, now))
