"""Where a new inbox item goes: no reply may reach nobody.

Every place that creates an InboxItem asks route() (or route_worker() for an item
about a worker's own message, route_unknown() for a number no client has):
- the client's worker, when active and not away;
- during the worker's absence (a local date, Europe/Helsinki, within starts_on..ends_on)
  the absence's substitute if active, in the client's team and not away themselves,
  else the team inbox; both marked cover;
- an inactive (or missing) worker's item goes to the team inbox, marked cover.
The team is always the client's; an unknown sender's is the team whose number was
texted, else the installation's first team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import BindParameter, Select, select
from sqlalchemy.orm import QueryableAttribute, Session

from service.domain.calendar.dates import HELSINKI
from service.domain.teams.escalation import due_time
from service.domain.teams.setup import first_team_id
from service.store.models import Absence, Client, InboxItem, Team, TeamMember, Worker
from service.store.states import InboxKind


@dataclass(frozen=True)
class Route:
    """Whose inbox an item lands in (worker_id None: the team inbox of team_id), and
    whether it got there because its own worker was away or gone (cover)."""

    worker_id: int | None
    team_id: int
    cover: bool = False


def local_day(now: datetime, tz: tzinfo = HELSINKI) -> date:
    """The local date an absence is judged on (an absence is written in local dates)."""
    return now.astimezone(tz).date()


def covering(worker_id: int | QueryableAttribute[int | None],
             day: date | BindParameter[date]) -> Select[tuple[Absence]]:
    """The worker's absence covering `day` (the latest recorded, if several overlap); also
    the part of the SMS webhook's one look-up that reads it (replies/sender_lookup.py)."""
    return (select(Absence).where(Absence.worker_id == worker_id, Absence.starts_on <= day,
                                  Absence.ends_on >= day)
            .order_by(Absence.id.desc()).limit(1))


def absence_on(session: Session, worker_id: int, day: date) -> Absence | None:
    return session.scalars(covering(worker_id, day)).first()


def _can_cover(session: Session, worker_id: int | None, team_id: int, day: date) -> bool:
    """Active, in the client's team (or the client would be out of their sight) and not
    away on `day`: someone who will read the item."""
    if worker_id is None:
        return False
    worker = session.get(Worker, worker_id)
    return (worker is not None and worker.active
            and session.get(TeamMember, (team_id, worker_id)) is not None
            and absence_on(session, worker_id, day) is None)


@dataclass(frozen=True)
class Whereabouts:
    """Whether an item's worker is active and, if so, their absence on the day, and the
    team's working hours to a call-back's due time (read with the client by the SMS
    webhook's one statement, replies/sender_lookup.py)."""

    active: bool
    away: Absence | None = None
    team_hours: int | None = None  # the client's team's escalate_after_hours


def route_worker(session: Session, worker_id: int | None, team_id: int, now: datetime,
                 known: Whereabouts | None = None) -> Route:
    """An item meant for `worker_id` (None: the team inbox from the start); `known`: the
    worker's whereabouts today, if already read."""
    if worker_id is None:
        return Route(None, team_id)
    day = local_day(now)
    if known is None:
        worker = session.get(Worker, worker_id)
        active = worker is not None and worker.active
        known = Whereabouts(active, absence_on(session, worker_id, day) if active else None)
    if not known.active:
        return Route(None, team_id, cover=True)
    away = known.away
    if away is None:
        return Route(worker_id, team_id)
    if away.substitute_id != worker_id and _can_cover(session, away.substitute_id, team_id,
                                                      day):
        return Route(away.substitute_id, team_id, cover=True)
    return Route(None, team_id, cover=True)


def route(session: Session, client: Client, now: datetime,
          known: Whereabouts | None = None) -> Route:
    """A new item about a client: their worker, or whoever covers for them."""
    return route_worker(session, client.worker_id, client.team_id, now, known)


def team_for_number(session: Session, to_number: str | None) -> int:
    """The team whose number (its own sender, or its call-back number) was texted or
    called; the installation's first team when none matches."""
    if to_number:
        for column in (Team.sender, Team.phone):  # the sender is the surer sign
            found = session.scalar(select(Team.id).where(Team.active, column == to_number)
                                   .order_by(Team.id).limit(1))
            if found is not None:
                return found
    return first_team_id(session)


def route_unknown(session: Session, to_number: str | None) -> Route:
    """A text or call from a number no client has: the team inbox of the number used."""
    return Route(None, team_for_number(session, to_number))


def place(session: Session, item: InboxItem, where: Route, now: datetime,
          team_hours: int | None = None) -> InboxItem:
    """Put a new item where the route says; a call-back request also gets the time
    it is due (escalation.due_time: N working hours after it came; `team_hours`: the
    team's N, if already read)."""
    item.worker_id, item.team_id, item.cover = where.worker_id, where.team_id, where.cover
    if item.kind == InboxKind.CALLBACK and item.due_at is None:
        item.due_at = due_time(session, where.team_id, now, hours=team_hours)
    return item
