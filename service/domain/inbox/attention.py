"""The Today page's attention list: what a worker should look at now, and nothing else."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.inbox import holds
from service.domain.inbox.items import in_boxes
from service.domain.teams.access import clients_rule, teams_rule
from service.store.models import Client, Event, InboxItem, Worker
from service.store.states import INBOX_OPEN, EventKind, EventState, InboxKind, InboxState

K = InboxKind
REPLY_KINDS = (K.REPLY, K.UNKNOWN_SENDER, K.START)
PROBLEM_KINDS = (K.FAILED, K.UNANSWERED, K.UNCERTAIN)
UNDECIDED = (EventState.PLANNED, EventState.DOCUMENTS_IN)  # an application still waiting
LIMIT = 50
NOT_ESCALATED = InboxItem.escalated_at.is_(None)


@dataclass
class Attention:
    # Items left unhandled too long in the worker's teams (domain/teams/escalation.py):
    # on every team member's page, each shown here only.
    escalated: list[InboxItem] = field(default_factory=list)
    # Unclear replies that hold their event's automated contact: first on the page,
    # with what each holds (planned reminders by channel, per event).
    held: list[InboxItem] = field(default_factory=list)
    held_counts: dict[int, Counter[str]] = field(default_factory=dict)
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


def _items(session: Session, worker: Worker, kinds: tuple[InboxKind, ...], new_only: bool
           ) -> list[InboxItem]:
    states = frozenset({InboxState.NEW}) if new_only else INBOX_OPEN
    return list(session.scalars(select(InboxItem).where(
        in_boxes(worker), InboxItem.kind.in_(kinds), InboxItem.state.in_(states),
        NOT_ESCALATED,
        InboxItem.holds.is_(False))  # a holding item is listed once, among the held
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(LIMIT)))


def _held(session: Session, worker: Worker) -> list[InboxItem]:
    """Open items that hold an event, oldest first: the longest wait is the first to see."""
    return list(session.scalars(select(InboxItem).where(
        in_boxes(worker), InboxItem.holds.is_(True), InboxItem.state.in_(INBOX_OPEN),
        NOT_ESCALATED)
        .order_by(InboxItem.created_at, InboxItem.id).limit(LIMIT)))


def _stops(session: Session, worker: Worker) -> list[InboxItem]:
    """Open stop items of clients still opted out: one who opted back in is no longer news."""
    still_out = select(Client.id).where(Client.opted_out)
    return list(session.scalars(select(InboxItem).where(
        in_boxes(worker), InboxItem.kind == K.STOP, InboxItem.state.in_(INBOX_OPEN),
        InboxItem.holds.is_(False), NOT_ESCALATED,
        InboxItem.client_id.is_(None) | InboxItem.client_id.in_(still_out))
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(LIMIT)))


def _escalated(session: Session, worker: Worker) -> list[InboxItem]:
    """Open escalated items of the teams the worker belongs to, oldest first."""
    return list(session.scalars(select(InboxItem).where(
        InboxItem.escalated_at.is_not(None), InboxItem.state.in_(INBOX_OPEN),
        teams_rule(worker, InboxItem.team_id))
        .order_by(InboxItem.created_at, InboxItem.id).limit(LIMIT)))


def attention_for(session: Session, worker: Worker, now: datetime, tz: tzinfo) -> Attention:
    """Open items of the worker's own box and their teams' shared one by kind (raised
    items first, once), plus what the worker's own clients' events need."""
    own = (Client.worker_id == worker.id) & clients_rule(worker)
    alive = Client.anonymised_at.is_(None)
    today = now.astimezone(tz).date()
    held = _held(session, worker)
    return Attention(
        escalated=_escalated(session, worker),
        held=held,
        held_counts=holds.waiting(session, held),
        replies=_items(session, worker, REPLY_KINDS, new_only=True),
        callbacks=_items(session, worker, (K.CALLBACK,), new_only=False),
        problems=_items(session, worker, PROBLEM_KINDS, new_only=False),
        stops=_stops(session, worker),
        tasks=_items(session, worker, (K.TASK,), new_only=False),
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
