"""Making teams, joining workers to them, and the team an installation had before
teams existed, which follows the `[team]` configuration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.models import Team, TeamMember


@dataclass(frozen=True)
class ConfigTeam:
    """What `[team]` says: the installation's own team, as configured."""

    name: str
    name_sv: str
    name_en: str
    phone: str  # E.164 or ""
    booking_number: str  # E.164 or ""


def follow_config(session: Session, configured: ConfigTeam) -> None:
    """Name the configured team from `[team]`, at each start: nothing to do by hand."""
    for team in session.scalars(select(Team).where(Team.from_config)):
        team.name = configured.name or team.name
        team.name_sv = configured.name_sv or None
        team.name_en = configured.name_en or None
        team.phone = configured.phone
        team.booking_number = configured.booking_number or None


def create_team(session: Session, name: str, phone: str, booking_number: str | None = None
                ) -> Team:
    team = Team(name=name, phone=phone, booking_number=booking_number or None)
    session.add(team)
    session.flush()
    return team


def join(session: Session, worker_id: int, team_id: int) -> None:
    """Make the worker a member of the team (again: nothing happens)."""
    if session.get(TeamMember, (team_id, worker_id)) is None:
        session.add(TeamMember(team_id=team_id, worker_id=worker_id))
        session.flush()


def first_team_id(session: Session) -> int:
    """The installation's first team (migration 0013 makes it; it always exists)."""
    team_id = session.scalar(select(Team.id).order_by(Team.id).limit(1))
    if team_id is None:
        raise LookupError("no team: run `rinnalla init-db`")
    return team_id
