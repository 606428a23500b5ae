"""Deactivating a worker: someone takes over, and nothing is left pointing at them.

Why: a deactivated worker's clients and open items used to stay theirs, and their
clients' "soita minulle" went to an inbox nobody could open. Deactivating therefore
requires a successor (an active worker sharing a team) whenever the worker still has
clients or open items. The successor gets the clients and open items of the teams
they belong to; what lies in a team the successor is not in goes to that team's inbox
(the items marked cover), so nobody is handed what they may not see. Absences the
worker was to cover name the successor, or nobody (the team inbox covers). Audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.errors import ValidationError
from service.domain.inbox.items import move
from service.domain.people.api_tokens import revoke_all
from service.domain.privacy.audit import record
from service.domain.teams.absences import colleagues, shares_a_team
from service.domain.teams.cover import local_day
from service.store.models import Absence, Client, InboxItem, TeamMember, Worker
from service.store.states import INBOX_OPEN, InboxState


@dataclass(frozen=True)
class Handover:
    """What moved: to the successor, and to the team inbox."""

    clients: int = 0
    items: int = 0
    to_team: int = 0


def open_work(session: Session, worker_id: int) -> tuple[int, int]:
    """How many clients and open inbox items the worker has."""
    clients = session.scalar(select(func.count(Client.id)).where(
        Client.worker_id == worker_id)) or 0
    items = session.scalar(select(func.count(InboxItem.id)).where(
        InboxItem.worker_id == worker_id, InboxItem.state.in_(INBOX_OPEN))) or 0
    return clients, items


def _check_successor(session: Session, worker: Worker, successor_id: int | None) -> None:
    clients, items = open_work(session, worker.id)
    if successor_id is None:
        if clients or items:
            raise ValidationError({"successor_id": "Valitse, kuka ottaa hoitaakseen "
                                                   "työntekijän asiakkaat ja avoimet asiat."})
        return
    if successor_id not in {w.id for w in colleagues(session, worker.id)}:
        raise ValidationError({"successor_id": "Valitse seuraajaksi käytössä oleva "
                                               "työntekijä samasta tiimistä."})


def _hand_over(session: Session, worker: Worker, successor_id: int | None) -> Handover:
    theirs = set() if successor_id is None else set(session.scalars(
        select(TeamMember.team_id).where(TeamMember.worker_id == successor_id)))
    clients = items = to_team = 0
    for client in session.scalars(select(Client).where(Client.worker_id == worker.id)):
        client.worker_id = successor_id if client.team_id in theirs else None
        clients += client.worker_id is not None
        to_team += client.worker_id is None
    for item in session.scalars(select(InboxItem).where(
            InboxItem.worker_id == worker.id, InboxItem.state.in_(INBOX_OPEN))):
        item.worker_id = successor_id if item.team_id in theirs else None
        item.cover = item.cover or item.worker_id is None
        move(item, InboxState.NEW)  # new to its new owner
        items += item.worker_id is not None
        to_team += item.worker_id is None
    return Handover(clients, items, to_team)


def _substitutes(session: Session, worker: Worker, successor_id: int | None,
                 now: datetime) -> None:
    """Absences still to come that this worker was to cover."""
    for absence in session.scalars(select(Absence).where(
            Absence.substitute_id == worker.id, Absence.ends_on >= local_day(now))):
        fits = successor_id is not None and successor_id != absence.worker_id \
            and shares_a_team(session, absence.worker_id, successor_id)
        absence.substitute_id = successor_id if fits else None


def deactivate(session: Session, worker: Worker, successor_id: int | None, by: int,
               now: datetime) -> Handover:
    """Deactivate `worker`, handing their clients and open items over (see above)."""
    if worker.id == by:
        raise ValidationError({"active": "Et voi poistaa omaa tunnustasi käytöstä."})
    _check_successor(session, worker, successor_id)
    worker.active = False
    revoke_all(session, worker.id, by, "deactivated", now)  # integrations stop with sign-in
    moved = _hand_over(session, worker, successor_id)
    _substitutes(session, worker, successor_id, now)
    record(session, by, "update", "worker", worker.id,
           f"deactivated; successor {successor_id or '-'}: clients {moved.clients}, "
           f"items {moved.items}, to the team inbox {moved.to_team}", at=now)
    return moved


def reactivate(session: Session, worker: Worker, by: int, now: datetime) -> None:
    if not worker.active:
        worker.active = True
        record(session, by, "update", "worker", worker.id, "reactivated", at=now)
