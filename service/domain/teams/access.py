"""Who may see and change what: the one rule, asked by the UI, the API, exports, the
audit view, the service-path view and the inbox.

A worker sees only their teams' clients, and everything of those clients (events,
messages, trusted persons). In the inbox a worker sees their own items and their
teams' shared and escalated items; a team admin every item of their teams; the
organisation's admin everything. Anything outside the rule is, to the caller, not
there (a 404, never a 403 that would confirm it exists).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, or_, select, true
from sqlalchemy.orm import Session

from service.store.models import Client, InboxItem, Team, TeamMember, Worker
from service.store.states import Role


def team_ids_query(worker: Worker) -> Select[tuple[int]]:
    """The ids of the worker's teams, as a subquery for the rules below."""
    return select(TeamMember.team_id).where(TeamMember.worker_id == worker.id)


def team_ids(session: Session, worker: Worker) -> list[int]:
    """The teams a worker works in (every team for the organisation's admin)."""
    if worker.role == Role.ORG_ADMIN:
        return list(session.scalars(select(Team.id).order_by(Team.id)))
    return list(session.scalars(team_ids_query(worker).order_by(TeamMember.team_id)))


def teams_rule(worker: Worker, column: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """A team id column (clients.team_id, inbox_items.team_id, ...) within the worker's
    teams."""
    if worker.role == Role.ORG_ADMIN:
        return true()
    return column.in_(team_ids_query(worker))


def clients_rule(worker: Worker) -> ColumnElement[bool]:
    """The clients a worker may see and change."""
    return teams_rule(worker, Client.team_id)


def client_ids_query(worker: Worker) -> Select[tuple[int]]:
    """The ids of those clients, for rules on events, messages and other rows."""
    return select(Client.id).where(clients_rule(worker))


def items_rule(worker: Worker) -> ColumnElement[bool]:
    """The inbox items a worker may see and act on."""
    if worker.role == Role.ORG_ADMIN:
        return true()
    in_team = InboxItem.team_id.in_(team_ids_query(worker))
    mine = InboxItem.worker_id == worker.id
    if worker.role == Role.TEAM_ADMIN:
        return or_(mine, in_team)
    shared = or_(InboxItem.worker_id.is_(None), InboxItem.escalated_at.is_not(None))
    return or_(mine, and_(in_team, shared))


def may_see_client(session: Session, worker: Worker, client_id: int | None) -> bool:
    if client_id is None:
        return False
    return session.scalar(select(Client.id).where(
        Client.id == client_id, clients_rule(worker))) is not None


def client_for(session: Session, worker: Worker, client_id: int) -> Client | None:
    """The client if this worker may see it, else None (the caller answers 404)."""
    return session.scalars(select(Client).where(Client.id == client_id,
                                                clients_rule(worker))).first()


def may_manage_team(session: Session, worker: Worker, team_id: int) -> bool:
    """Team admins manage their own teams; the organisation's admin every team."""
    if worker.role == Role.ORG_ADMIN:
        return True
    return worker.role == Role.TEAM_ADMIN and team_id in team_ids(session, worker)
