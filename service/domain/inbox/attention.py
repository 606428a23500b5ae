"""The Today page's attention list: what a worker should look at now, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.inbox.items import visible_to
from service.store.models import Client, Event, InboxItem
from service.store.states import INBOX_OPEN, EventKind, EventState, InboxKind, InboxState

K = InboxKind
REPLY_KINDS = (K.REPLY, K.UNKNOWN_SENDER, K.START)
PROBLEM_KINDS = (K.FAILED, K.UNANSWERED, K.UNCERTAIN)
UNDECIDED = (EventState.PLANNED, EventState.DOCUMENTS_IN)  # an application still waiting
LIMIT = 50


@dataclass
class Attention:
    replies: list[InboxItem] = field(default_factory=list)
    callbacks: list[InboxItem] = field(default_factory=list)
    problems: list[InboxItem] = field(default_factory=list)
    stops: list[InboxItem] = field(default_factory=list)
    tasks: list[InboxItem] = field(default_factory=list)
    unconfirmed: list[Event] = field(default_factory=list)
    opted_out: list[Client] = field(default_factory=list)
    overdue_applications: list[Event] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


def _items(session: Session, worker_id: int, kinds: tuple[InboxKind, ...], new_only: bool
           ) -> list[InboxItem]:
    states = frozenset({InboxState.NEW}) if new_only else INBOX_OPEN
    return list(session.scalars(select(InboxItem).where(
        visible_to(worker_id), InboxItem.kind.in_(kinds), InboxItem.state.in_(states))
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(LIMIT)))


def attention_for(session: Session, worker_id: int, now: datetime, tz: tzinfo) -> Attention:
    """Open inbox items by kind, plus what the worker's own clients' events need."""
    own = Client.worker_id == worker_id
    alive = Client.anonymised_at.is_(None)
    today = now.astimezone(tz).date()
    return Attention(
        replies=_items(session, worker_id, REPLY_KINDS, new_only=True),
        callbacks=_items(session, worker_id, (K.CALLBACK,), new_only=False),
        problems=_items(session, worker_id, PROBLEM_KINDS, new_only=False),
        stops=_items(session, worker_id, (K.STOP,), new_only=False),
        tasks=_items(session, worker_id, (K.TASK,), new_only=False),
        unconfirmed=list(session.scalars(select(Event).join(Client).where(
            own, alive, Event.kind == EventKind.APPOINTMENT, Event.state == EventState.PLANNED,
            Event.starts_at >= now, Event.starts_at <= now + timedelta(hours=48))
            .order_by(Event.starts_at).limit(LIMIT))),
        opted_out=list(session.scalars(select(Client).where(own, alive, Client.opted_out)
                                       .order_by(Client.name).limit(LIMIT))),
        overdue_applications=list(session.scalars(select(Event).join(Client).where(
            own, alive, Event.kind == EventKind.APPLICATION, Event.state.in_(UNDECIDED),
            Event.decision_expected < today).order_by(Event.decision_expected).limit(LIMIT))),
    )
