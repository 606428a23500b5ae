"""Trusted persons: a family member or support person who also gets a client's reminders.

Why: some clients manage better when someone close hears the reminder too. That
is a disclosure of social-welfare data, so it happens only with the client's
consent, recorded with who recorded it, when and how (in person, by phone, in
writing). It ends when the client withdraws consent or the worker ends it, and a
trusted person can stop their own messages with STOP without affecting the client.

Decisions: when the client opts out (STOP), their trusted persons' reminders stop
too, since they are the client's reminders and STOP means "no more about me"; the
worker's tasks go on. A trusted person's reply never confirms or cancels the
client's appointment: it is recorded and shown to the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, case, literal, select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.errors import ValidationError
from service.domain.events.lifecycle import apply_plan, plan_event
from service.domain.fields import day_problem
from service.domain.people.clients import check_name_and_phone
from service.domain.planning import reminder_states as rstate
from service.domain.privacy import audit
from service.store.models import (
    LANGUAGES,
    Client,
    Event,
    Reminder,
    Team,
    TrustedPerson,
)
from service.store.states import (
    EVENT_OPEN,
    ReminderState,
)

__all__ = [
    "CONSENT_METHODS",
    "DEACTIVATION_REASONS",
    "RELATIONS",
    "TrustedPersonInput",
    "add_trusted_person",
    "deactivate_trusted_person",
    "find_by_phone",
    "why_not_sent",
]

CONSENT_METHODS = ("in_person", "phone", "written")
RELATIONS = ("family", "support_person", "other")
DEACTIVATION_REASONS = ("consent_withdrawn", "ended_by_worker")



@dataclass
class TrustedPersonInput:
    name: str
    phone: str
    consent_method: str
    language: str = "fi"
    relation: str | None = None
    consent_at: datetime | None = None  # when the client gave consent; default: now
    # The client also agreed that the texts name them (first name only); default: no,
    # the texts say "your close one".
    shares_client_name: bool = False


def _validate(session: Session, client: Client, data: TrustedPersonInput,
              now: datetime) -> dict[str, object]:
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    phone = check_name_and_phone(data.name, data.phone, "Anna läheisen nimi.", errors, clean)
    if phone is not None and phone.e164 == client.phone:
        errors["phone"] = "Tämä on asiakkaan oma numero. Anna läheisen numero."
    elif phone is not None and any(p.active and p.phone == phone.e164
                                   for p in client.trusted_persons):
        errors["phone"] = "Tällä numerolla on jo läheinen tälle asiakkaalle."
    if data.language not in LANGUAGES:
        errors["language"] = "Valitse kieli listasta."
    clean["language"] = data.language
    if data.relation is not None and data.relation not in RELATIONS:
        errors["relation"] = "Valitse suhde: family (perheenjäsen), support_person " \
                             "(tukihenkilö) tai other (muu)."
    clean["relation"] = data.relation
    if data.consent_method not in CONSENT_METHODS:
        errors["consent_method"] = ("Kirjaa, miten asiakas antoi suostumuksen: in_person "
                                    "(tavatessa), phone (puhelimessa) tai written (kirjallisesti).")
    clean["consent_method"] = data.consent_method
    clean["shares_client_name"] = bool(data.shares_client_name)
    consent_at = data.consent_at or now
    if consent_at.tzinfo is None:
        errors["consent_at"] = "Anna aika aikavyöhykkeen kanssa, esim. 2026-06-03T10:00:00+03:00."
    elif problem := day_problem(consent_at.date()):
        errors["consent_at"] = problem
    elif consent_at > now:
        errors["consent_at"] = "Suostumuksen aika ei voi olla tulevaisuudessa."
    else:
        clean["consent_at"] = consent_at.astimezone(UTC)
    if errors:
        raise ValidationError(errors)
    return clean


def add_trusted_person(session: Session, rt: DomainContext, client: Client,
                       data: TrustedPersonInput, worker_id: int | None,
                       now: datetime) -> TrustedPerson:
    """Record a trusted person with the client's consent, and join them to coming reminders."""
    clean = _validate(session, client, data, now)
    person = TrustedPerson(client_id=client.id, consent_recorded_by=worker_id, active=True,
                           created_at=now, **clean)
    session.add(person)
    session.flush()
    session.refresh(client, ["trusted_persons"])
    audit.record(session, worker_id, "update", "client", client.id,
                 f"trusted person {person.id} added, consent {person.consent_method}"
                 f"{', client named in texts' if person.shares_client_name else ''}", at=now)
    for event in client.events:
        if event.state in EVENT_OPEN:
            plan_for_person(session, rt, event, client, person, now)
    return person


def plan_for_person(session: Session, rt: DomainContext, event: Event, client: Client,
                    person: TrustedPerson, now: datetime) -> list[Reminder]:
    """The person's share of the reminders still to come for this event.

    Only rules whose client reminder is still planned: a newcomer does not get a
    burst of every reminder whose time has already passed.
    """
    upcoming = {r.rule_id for r in event.reminders
                if r.recipient == "client" and r.state == ReminderState.PLANNED}
    plan = [p for p in plan_event(event, client, rt, now)
            if p.trusted_person_id == person.id and p.state == ReminderState.PLANNED
            and p.rule_id in upcoming]
    return apply_plan(session, event, plan, now)


def deactivate_trusted_person(session: Session, person: TrustedPerson, worker_id: int | None,
                              reason: str, now: datetime) -> int:
    """End reminders to a trusted person (consent withdrawn or ended); returns cancelled count."""
    if reason not in DEACTIVATION_REASONS:
        raise ValidationError({"reason": "Syy: consent_withdrawn (asiakas perui suostumuksen) "
                                         "tai ended_by_worker (työntekijä lopetti)."})
    if not person.active:
        return 0
    person.active = False
    person.deactivated_at, person.deactivated_by = now, worker_id
    person.deactivation_reason = reason
    count = 0
    for reminder in session.scalars(select(Reminder).where(
            Reminder.trusted_person_id == person.id, Reminder.state == ReminderState.PLANNED)):
        rstate.move(reminder, ReminderState.CANCELLED, reason)
        count += 1
    audit.record(session, worker_id, "update", "client", person.client_id,
                 f"trusted person {person.id} deactivated: {reason}", at=now)
    return count


def why_not_sent(person: TrustedPerson | None, client: Client) -> str | None:
    """Why a reminder to a trusted person must not go out now (None when it may)."""
    if person is None:
        return "consent_withdrawn"
    if not person.active:
        return person.deactivation_reason or "consent_withdrawn"
    if person.opted_out:
        return "trusted_opted_out"
    if client.opted_out:
        return "opted_out"
    return None


def find_by_phone(session: Session, phone: str,
                  reached: ColumnElement[bool] | None = None) -> TrustedPerson | None:
    """The active (or opted-out) trusted person behind a number, newest first. A number
    that is a trusted person in two teams is the one of the team the sender reached
    (`reached`: a rule on Team, the number they texted), so the answer goes to the
    team that wrote to them."""
    query = (select(TrustedPerson).join(Client, Client.id == TrustedPerson.client_id)
             .join(Team, Team.id == Client.team_id)
             .where(TrustedPerson.phone == phone, TrustedPerson.active.is_(True)))
    first = case((reached, 0), else_=1) if reached is not None else literal(1)
    return session.scalars(query.order_by(first, TrustedPerson.created_at.desc(),
                                          TrustedPerson.id.desc()).limit(1)).first()
