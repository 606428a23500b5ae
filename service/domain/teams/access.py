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

from service.domain.errors import ValidationError
from service.store.models import (
    AuditEntry,
    Client,
    Event,
    InboxItem,
    Message,
    Reminder,
    Team,
    TeamMember,
    TrustedPerson,
    Worker,
)
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


def events_rule(worker: Worker) -> ColumnElement[bool]:
    """The events a worker may see and change: those of their clients."""
    if worker.role == Role.ORG_ADMIN:
        return true()
    return Event.client_id.in_(client_ids_query(worker))


def reminders_rule(worker: Worker) -> ColumnElement[bool]:
    """The reminders a worker may see: those of their clients."""
    if worker.role == Role.ORG_ADMIN:
        return true()
    return Reminder.client_id.in_(client_ids_query(worker))


def messages_rule(worker: Worker) -> ColumnElement[bool]:
    """The messages a worker may see: their clients', and an unknown sender's text that
    came to an inbox item the worker may open."""
    if worker.role == Role.ORG_ADMIN:
        return true()
    through_items = select(InboxItem.message_id).where(InboxItem.message_id.is_not(None),
                                                       items_rule(worker))
    return or_(Message.client_id.in_(client_ids_query(worker)), Message.id.in_(through_items))


def event_for(session: Session, worker: Worker, event_id: int) -> Event | None:
    """The event if this worker may see it, else None (the caller answers 404)."""
    return session.scalars(select(Event).where(Event.id == event_id,
                                               events_rule(worker))).first()


def message_for(session: Session, worker: Worker, message_id: int) -> Message | None:
    return session.scalars(select(Message).where(Message.id == message_id,
                                                 messages_rule(worker))).first()


def trusted_person_for(session: Session, worker: Worker, client_id: int, person_id: int
                       ) -> TrustedPerson | None:
    """One of the client's trusted persons, if the worker may see the client."""
    query = select(TrustedPerson).where(TrustedPerson.id == person_id,
                                        TrustedPerson.client_id == client_id)
    if worker.role != Role.ORG_ADMIN:
        query = query.where(TrustedPerson.client_id.in_(client_ids_query(worker)))
    return session.scalars(query).first()


def item_for(session: Session, worker: Worker, item_id: int) -> InboxItem | None:
    """The inbox item if this worker may see and act on it, else None."""
    return session.scalars(select(InboxItem).where(InboxItem.id == item_id,
                                                   items_rule(worker))).first()


def members_query(team_ids_select: Select[tuple[int]]) -> Select[tuple[int]]:
    """The ids of the workers in these teams."""
    return select(TeamMember.worker_id).where(TeamMember.team_id.in_(team_ids_select))


def workers_rule(manager: Worker) -> ColumnElement[bool]:
    """The workers someone may manage: the organisation's admin everyone, a team admin
    their teams' workers and team admins (and themselves), a worker only themselves."""
    if manager.role == Role.ORG_ADMIN:
        return true()
    if manager.role == Role.TEAM_ADMIN:  # never an organisation admin: not theirs to manage
        return or_(Worker.id == manager.id, and_(
            Worker.role != Role.ORG_ADMIN,
            Worker.id.in_(members_query(team_ids_query(manager)))))
    return Worker.id == manager.id


def worker_for(session: Session, manager: Worker, worker_id: int) -> Worker | None:
    """The worker if the manager may manage them, else None (a 404)."""
    return session.scalars(select(Worker).where(Worker.id == worker_id,
                                                workers_rule(manager))).first()


def colleagues_rule(worker: Worker) -> ColumnElement[bool]:
    """The workers someone may hand a client or item to, or see named: the members of
    their teams (everyone for the organisation's admin)."""
    if worker.role == Role.ORG_ADMIN:
        return true()
    return or_(Worker.id == worker.id, Worker.id.in_(members_query(team_ids_query(worker))))


def roles_given_by(manager: Worker) -> tuple[Role, ...]:
    """The roles a manager may give: a team admin never makes an organisation admin."""
    if manager.role == Role.ORG_ADMIN:
        return tuple(Role)
    if manager.role == Role.TEAM_ADMIN:
        return (Role.WORKER, Role.TEAM_ADMIN)
    return ()


def team_members(session: Session, team_id: int, *, active_only: bool = True) -> list[Worker]:
    """The team's workers by name (the choice when an item or client is handed over)."""
    query = select(Worker).where(Worker.id.in_(
        select(TeamMember.worker_id).where(TeamMember.team_id == team_id)))
    if active_only:
        query = query.where(Worker.active)
    return list(session.scalars(query.order_by(Worker.name, Worker.id)))


def is_active_member(session: Session, worker_id: int, team_id: int) -> bool:
    """May this worker receive the team's item or client: an active member of it."""
    return session.scalar(select(Worker.id).join(
        TeamMember, TeamMember.worker_id == Worker.id).where(
        Worker.id == worker_id, Worker.active, TeamMember.team_id == team_id)) is not None


def own_teams(session: Session, worker: Worker) -> list[Team]:
    """The teams a worker may put a new client into (every team for the organisation's
    admin), by id."""
    if worker.role == Role.ORG_ADMIN:
        return list(session.scalars(select(Team).where(Team.active).order_by(Team.id)))
    return list(session.scalars(select(Team).where(Team.id.in_(team_ids_query(worker)))
                                .order_by(Team.id)))


def team_for_new_client(session: Session, worker: Worker, team_id: int | None) -> int:
    """The team a new client goes to: the chosen one, which must be one of the worker's;
    without a choice the worker's only team. Field errors name `team_id`."""
    teams = [team.id for team in own_teams(session, worker)]
    if team_id is None:
        if len(teams) == 1:
            return teams[0]
        if not teams:
            raise ValidationError({"team_id": "Et kuulu yhteenkään tiimiin."})
        raise ValidationError({"team_id": "Valitse tiimi, johon asiakas kuuluu."})
    if team_id not in teams:
        raise ValidationError({"team_id": "Valitse jokin omista tiimeistäsi."})
    return team_id


def audit_rule(worker: Worker) -> ColumnElement[bool]:
    """The audit entries someone may read: the organisation's admin all, a team admin
    their teams' entries and their own, a worker their own."""
    if worker.role == Role.ORG_ADMIN:
        return true()
    mine = AuditEntry.worker_id == worker.id
    if worker.role == Role.TEAM_ADMIN:
        return or_(mine, AuditEntry.team_id.in_(team_ids_query(worker)))
    return mine
