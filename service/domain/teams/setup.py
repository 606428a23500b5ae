"""Making teams, joining workers to them, and the team an installation had before
teams existed, which follows the `[team]` configuration."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.domain.calendar.window import parse_window
from service.domain.errors import ValidationError
from service.domain.fields import collect_text
from service.domain.phones import PhoneError, parse_phone
from service.domain.teams.settings import WINDOW_FIELDS, is_messaging_service
from service.store.models import Client, InboxItem, Team, TeamMember, Worker
from service.store.states import InboxState


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


@dataclass
class TeamInput:
    """A team as typed into the form or the command line (every value a string)."""

    name: str
    phone: str
    name_sv: str = ""
    name_en: str = ""
    booking_number: str = ""
    window: str = ""
    saturday_window: str = ""
    sunday_window: str = ""
    sender: str = ""
    files_dir: str = ""
    escalate_after_hours: str = "4"


MISSING_PHONE = ("Anna tiimin puhelinnumero, johon asiakas soittaa takaisin, esimerkiksi "
                 "040 123 4567.")
SENDER_HINT = ("Kirjoita Twilio-numero (+358 ...) tai viestipalvelun tunnus (MG ja 32 "
               "merkkiä), tai jätä tyhjäksi: silloin asennuksen oma lähettäjä.")
WINDOW_HINT = "Kirjoita aikaväli muodossa 08:00-20:00, tai jätä tyhjäksi."


def _number(errors: dict[str, str], field: str, raw: str, required: bool) -> str | None:
    """An E.164 number from what was typed, the problem and a hint in `errors` if not."""
    own: dict[str, str] = {}
    text = collect_text(own, "phone", raw)
    if own:
        errors[field] = own["phone"]
        return None
    if not text:
        if required:
            errors[field] = MISSING_PHONE
        return None
    try:
        return parse_phone(text).e164
    except PhoneError as exc:  # its message says how to write one
        errors[field] = exc.message
        return None


def _sender(errors: dict[str, str], raw: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    if is_messaging_service(text):
        return text
    if text[0] not in "+0":
        errors["sender"] = SENDER_HINT
        return None
    return _number(errors, "sender", text, required=False)


def check_team(data: TeamInput) -> dict[str, object]:
    """The team's columns from what was typed, or ValidationError with a Finnish hint
    per field (windows as [sending] takes them, numbers as clients' are)."""
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    for field in ("name", "name_sv", "name_en"):
        own: dict[str, str] = {}
        clean[field] = collect_text(own, "name", getattr(data, field)) or None
        if own:
            errors[field] = own["name"]
    if not clean["name"] and "name" not in errors:
        errors["name"] = "Anna tiimin nimi (asiakas näkee sen viesteissä)."
    clean["phone"] = _number(errors, "phone", data.phone, required=True) or ""
    clean["booking_number"] = _number(errors, "booking_number", data.booking_number,
                                      required=False)
    for field in WINDOW_FIELDS:
        own = {}
        text = collect_text(own, "window", getattr(data, field)) or None
        if own:
            errors[field] = own["window"]
        elif text:
            try:
                parse_window(text)
            except ValueError:
                errors[field] = WINDOW_HINT
        clean[field] = text
    clean["sender"] = _sender(errors, data.sender)
    clean["files_dir"] = data.files_dir.strip()[:500] or None
    hours = data.escalate_after_hours.strip() or "4"
    if not hours.isascii() or not hours.isdigit() or not 1 <= int(hours) <= 200:
        errors["escalate_after_hours"] = "Anna tuntimäärä 1-200 (oletus 4)."
    else:
        clean["escalate_after_hours"] = int(hours)
    if errors:
        raise ValidationError(errors)
    return clean


def form_of(team: Team) -> TeamInput:
    """A team's values as the edit form shows them."""
    return TeamInput(**{f.name: str(getattr(team, f.name) or "") for f in fields(TeamInput)})


def create_team(session: Session, name: str, phone: str, booking_number: str | None = None
                ) -> Team:
    """A new team from values already checked (check_team)."""
    team = Team(name=name, phone=phone, booking_number=booking_number or None)
    session.add(team)
    session.flush()
    return team


def update_team(team: Team, values: dict[str, object]) -> None:
    """Save checked values. The installation's own team no longer follows `[team]` once
    edited here: what the admin typed is what it says from then on."""
    for key, value in values.items():
        setattr(team, key, value)
    team.from_config = False


def leave(session: Session, worker_id: int, team_id: int) -> None:
    member = session.get(TeamMember, (team_id, worker_id))
    if member is not None:
        session.delete(member)
        session.flush()


@dataclass(frozen=True)
class TeamCounts:
    team: Team
    workers: int
    clients: int
    open_items: int


def teams_with_counts(session: Session, team_ids: list[int] | None = None) -> list[TeamCounts]:
    """Every team (or those of `team_ids`) with its workers, clients and open items."""
    def per_team(column: InstrumentedAttribute[int], where: ColumnElement[bool]
                 ) -> dict[int, int]:
        rows = session.execute(select(column, func.count()).where(where).group_by(column))
        return {team_id: count for team_id, count in rows.tuples()}
    workers = per_team(TeamMember.team_id, TeamMember.worker_id.in_(
        select(Worker.id).where(Worker.active)))
    clients = per_team(Client.team_id, Client.anonymised_at.is_(None))
    items = per_team(InboxItem.team_id, InboxItem.state != InboxState.HANDLED)
    query = select(Team).order_by(Team.name, Team.id)
    if team_ids is not None:
        query = query.where(Team.id.in_(team_ids))
    return [TeamCounts(t, workers.get(t.id, 0), clients.get(t.id, 0), items.get(t.id, 0))
            for t in session.scalars(query)]


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
