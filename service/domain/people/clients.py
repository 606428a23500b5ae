"""Creating and changing clients; the phone number is checked on the way in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.calendar.window import SendingWindow, parse_window
from service.domain.errors import ValidationError
from service.domain.fields import collect_text
from service.domain.people.number_checks import clear_number_checks
from service.domain.phones import Phone, PhoneError, parse_phone
from service.domain.privacy import audit
from service.store.models import CHANNEL_PREFERENCES, LANGUAGES, Client, Team, TeamMember, Worker


@dataclass
class ClientInput:
    name: str
    phone: str
    language: str = "fi"
    channel: str = "auto"
    worker_id: int | None = None
    window: str | None = None
    reference: str | None = None  # the team's own client reference; None: left as it is
    # The client's team (domain/teams/access.team_for_new_client chose it); None: the
    # installation's first team on create, unchanged on update.
    team_id: int | None = None



def check_name_and_phone(name: str | None, phone: str | None, missing_name: str,
                         errors: dict[str, str], clean: dict[str, object]) -> Phone | None:
    """The checks every person we text shares: a name, and a number that really is one."""
    name = collect_text(errors, "name", name)
    if not name and "name" not in errors:
        errors["name"] = missing_name
    clean["name"] = name
    phone = collect_text(errors, "phone", phone)
    if "phone" in errors:
        return None
    try:
        parsed = parse_phone(phone)
    except PhoneError as exc:
        errors["phone"] = exc.message
        return None
    clean["phone"], clean["number_type"] = parsed.e164, parsed.number_type
    return parsed

SHARED_NUMBER = ("Numero on jo toisella asiakkaalla. Muistutukset menevät molemmille tähän "
                 "numeroon, ja numerosta tuleva vastaus kirjataan sille asiakkaalle, jolle "
                 "viimeksi lähetettiin viesti.")


def number_holders(session: Session, phone: str, except_id: int | None = None,
                   team_id: int | None = None) -> list[Client]:
    """Other clients (not erased) with this E.164 number: a shared phone. Allowed, since
    phones are shared, but a reply from it lands with the client last written to
    (replies/inbound.find_client), so the worker must know before saving."""
    query = select(Client).where(Client.phone == phone, Client.anonymised_at.is_(None))
    if except_id is not None:
        query = query.where(Client.id != except_id)
    if team_id is not None:  # another team's client is not this worker's to know of
        query = query.where(Client.team_id == team_id)
    return list(session.scalars(query.order_by(Client.name, Client.id)))


def validate_client(session: Session, data: ClientInput,
                    team_window: SendingWindow | None = None) -> dict[str, object]:
    """Check every field and return the clean values, or raise with all errors at once.

    With the team's window, a client's own hours must leave time on every kind of
    day (weekday, Saturday, Sunday/holiday), or reminders would silently stop.
    """
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    check_name_and_phone(data.name, data.phone, "Anna asiakkaan nimi.", errors, clean)
    if data.language not in LANGUAGES:
        errors["language"] = "Valitse kieli listasta."
    clean["language"] = data.language
    if data.channel not in CHANNEL_PREFERENCES:
        errors["channel"] = "Valitse tapa: sms, voice tai auto."
    elif data.channel == "sms" and clean.get("number_type") not in (None, "mobile"):
        errors["channel"] = ("Numero on lankapuhelin: tekstiviestit eivät mene perille. "
                             "Valitse puhelu tai automaattinen.")
    clean["channel"] = data.channel
    _check_worker(session, data, errors)
    clean["worker_id"] = data.worker_id
    if data.team_id is not None:
        clean["team_id"] = data.team_id
    window = collect_text(errors, "window", data.window) or None
    if window and "window" not in errors:
        try:
            hours = parse_window(window)
        except ValueError:
            errors["window"] = "Kirjoita aikaväli muodossa 09:00-18:00."
        else:
            problem = _window_problem(hours, team_window)
            if problem:
                errors["window"] = problem
    clean["window"] = window
    if data.reference is not None:
        clean["reference"] = collect_text(errors, "reference", data.reference) or None
    if errors:
        raise ValidationError(errors)
    return clean


def check_reference(session: Session, reference: object, team_id: int | None,
                    client_id: int | None) -> None:
    """A client reference names one client of the team (imported rows match on it)."""
    if not reference:
        return
    team = team_id if team_id is not None else session.scalar(select(func.min(Team.id)))
    taken = session.scalar(select(Client.id).where(
        Client.team_id == team, Client.reference == reference,
        Client.id != (client_id or 0)).limit(1))
    if taken is not None:
        raise ValidationError({"reference": "Tiimissä on jo asiakas tällä viitteellä."})


def _check_worker(session: Session, data: ClientInput, errors: dict[str, str]) -> None:
    """The client's worker exists, works in the client's team and is active."""
    assigned = session.get(Worker, data.worker_id) if data.worker_id is not None else None
    if data.worker_id is not None and (assigned is None or not _may_work_with(session, data)):
        errors["worker_id"] = "Työntekijää ei löydy."
    elif assigned is not None and not assigned.active:  # nobody would read their items
        errors["worker_id"] = "Työntekijän tunnus ei ole käytössä: valitse toinen."


def _may_work_with(session: Session, data: ClientInput) -> bool:
    """The client's worker is, when the team is known, one of its members."""
    if data.team_id is None:
        return True
    return session.scalar(select(TeamMember.worker_id).where(
        TeamMember.worker_id == data.worker_id, TeamMember.team_id == data.team_id)) is not None


def _window_problem(hours: tuple[time, time], team_window: SendingWindow | None) -> str | None:
    if team_window is None:
        return None
    try:
        team_window.narrowed(hours)
    except ValueError:
        kinds = ((team_window.weekday, "arkipäivinä"),
                 (team_window.saturday or team_window.weekday, "lauantaisin"),
                 (team_window.sunday or team_window.weekday, "sunnuntaisin ja pyhäpäivinä"))
        none_left = [name for (start, end), name in kinds
                     if max(start, hours[0]) >= min(end, hours[1])]
        return (f"Aikaväli ei jätä yhtään lähetysaikaa {' eikä '.join(none_left)} "
                "(tiimin lähetysaikojen sisällä). Valitse laajempi aikaväli.")
    return None


def create_client(session: Session, data: ClientInput, now: datetime,
                  team_window: SendingWindow | None = None) -> Client:
    clean = validate_client(session, data, team_window)
    check_reference(session, clean.get("reference"), data.team_id, None)
    client = Client(**clean, created_at=now, updated_at=now, last_activity_at=now)
    session.add(client)
    session.flush()
    return client


def update_client(session: Session, client: Client, data: ClientInput, now: datetime,
                  team_window: SendingWindow | None = None) -> Client:
    clean = validate_client(session, data, team_window)
    check_reference(session, clean.get("reference"), client.team_id, client.id)
    if clean.get("phone") != client.phone:
        clear_number_checks(client)
    elif client.sms_blocked_at is not None:
        clean.pop("number_type", None)  # the same number still takes no texts
    for key, value in clean.items():
        setattr(client, key, value)
    client.updated_at = now
    client.last_activity_at = now
    session.flush()
    return client


def record_opt_choice(session: Session, client: Client, *, opted_out: bool, reason: object,
                      worker_id: int | None, now: datetime) -> bool:
    """A worker records the client's own wish to stop (or start again) getting texts and
    calls, told in person or on the phone. Why a reason is required: a stop changes what
    a vulnerable client hears from us, so the next worker must see why. Audited; the
    caller commits. Returns whether the client's choice changed."""
    errors: dict[str, str] = {}
    text = collect_text(errors, "reason", reason)
    if not text and "reason" not in errors:
        errors["reason"] = "Kirjoita syy, esim. \"asiakas pyysi puhelimessa\"."
    if errors:
        raise ValidationError(errors)
    changed = client.opted_out != opted_out
    if changed:
        client.opted_out, client.opted_out_at = opted_out, now if opted_out else None
    client.opt_reason, client.updated_at = text, now
    audit.record(session, worker_id, "update", "client", client.id,
                 "opt-out recorded" if opted_out else "opt-in recorded")
    return changed
