"""Absences: a worker away from-to, with an optional substitute.

Who may record one: the worker themselves, a team admin for a worker of their teams,
the organisation's admin for anyone (manages()). The substitute must be another
active worker sharing one of the absent worker's teams. While the absence lasts, new
items for the worker's clients go to the substitute or the team inbox (cover.py).
Only absences that have not started yet can be deleted: one under way is history. A
worker back early ends one under way (end_absence): its last day becomes yesterday, or,
begun only today, it is removed; from then on new items come to the worker again. Items
already handed to the substitute stay with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.errors import ValidationError
from service.domain.privacy.audit import record
from service.domain.teams.access import colleagues_rule, team_ids_query, worker_for
from service.domain.teams.cover import local_day
from service.store.models import Absence, TeamMember, Worker
from service.store.states import Role

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True)
class AbsenceInput:
    worker_id: int
    starts_on: date
    ends_on: date
    substitute_id: int | None = None


def shares_a_team(session: Session, worker_id: int, other_id: int) -> bool:
    mine = select(TeamMember.team_id).where(TeamMember.worker_id == worker_id)
    return session.scalar(select(TeamMember.team_id).where(
        TeamMember.worker_id == other_id, TeamMember.team_id.in_(mine)).limit(1)) is not None


def colleagues(session: Session, worker_id: int) -> list[Worker]:
    """Active workers sharing a team with this one (who may cover or take over)."""
    teams = select(TeamMember.team_id).where(TeamMember.worker_id == worker_id)
    members = select(TeamMember.worker_id).where(TeamMember.team_id.in_(teams))
    return list(session.scalars(select(Worker).where(
        Worker.id.in_(members), Worker.id != worker_id, Worker.active).order_by(Worker.name)))


def manages(session: Session, actor: Worker, worker_id: int) -> bool:
    """A team admin of one of the worker's teams, or the organisation's admin (the
    access rule's workers_rule; a plain worker manages nobody, not even themselves)."""
    return actor.is_admin and worker_for(session, actor, worker_id) is not None


def may_record_for(session: Session, actor: Worker, worker_id: int) -> bool:
    return actor.id == worker_id or manages(session, actor, worker_id)


def knows(session: Session, actor: Worker, worker_id: int) -> bool:
    """The worker exists for the actor: themselves, a colleague of their teams, or
    anyone for the organisation's admin (else a 404)."""
    return session.scalar(select(Worker.id).where(Worker.id == worker_id,
                                                  colleagues_rule(actor))) is not None


def absent_workers(session: Session, actor: Worker) -> list[Worker]:
    """Whose absences the actor may record: themselves first, then those they manage."""
    if not actor.is_admin:
        return [actor]
    if actor.role == Role.ORG_ADMIN:
        others = session.scalars(select(Worker).where(Worker.active).order_by(Worker.name))
    else:
        members = select(TeamMember.worker_id).where(
            TeamMember.team_id.in_(team_ids_query(actor)))
        others = session.scalars(select(Worker).where(Worker.id.in_(members), Worker.active)
                                 .order_by(Worker.name))
    return [actor, *(w for w in others if w.id != actor.id)]


def check(session: Session, inp: AbsenceInput) -> None:
    """Dates in order and a substitute who can cover; else errors field by field."""
    errors: dict[str, str] = {}
    for name, day in (("starts_on", inp.starts_on), ("ends_on", inp.ends_on)):
        if not FIRST_DAY <= day <= LAST_DAY:
            errors[name] = "Anna päivä väliltä 2000-01-01 - 2099-12-31."
    if "ends_on" not in errors and inp.ends_on < inp.starts_on:
        errors["ends_on"] = "Poissaolo ei voi päättyä ennen kuin se alkaa."
    substitute = inp.substitute_id
    if substitute is not None and substitute == inp.worker_id:
        errors["substitute_id"] = "Sijainen ei voi olla poissaoleva itse."
    elif substitute is not None and substitute not in {
            w.id for w in colleagues(session, inp.worker_id)}:
        errors["substitute_id"] = ("Valitse sijaiseksi käytössä oleva työntekijä, joka on "
                                   "samassa tiimissä.")
    if errors:
        raise ValidationError(errors)


def record_absence(session: Session, inp: AbsenceInput, by: int, now: datetime) -> Absence:
    """Record an absence (checked, audited) in the caller's transaction."""
    check(session, inp)
    absence = Absence(worker_id=inp.worker_id, starts_on=inp.starts_on, ends_on=inp.ends_on,
                      substitute_id=inp.substitute_id, created_by=by, created_at=now)
    session.add(absence)
    session.flush()
    record(session, by, "create", "absence", absence.id,
           f"worker {inp.worker_id} substitute {inp.substitute_id or 'team'}", at=now)
    return absence


def absences_of(session: Session, worker_ids: list[int], since: date) -> list[Absence]:
    """Absences of these workers not ended before `since`, soonest first."""
    return list(session.scalars(select(Absence).where(
        Absence.worker_id.in_(worker_ids), Absence.ends_on >= since)
        .order_by(Absence.starts_on, Absence.id)))


def can_delete(absence: Absence, now: datetime) -> bool:
    return absence.starts_on > local_day(now)


def delete_absence(session: Session, absence: Absence, by: int, now: datetime) -> None:
    """Delete an absence that has not started (audited)."""
    if not can_delete(absence, now):
        raise ValidationError({"absence": "Alkanutta poissaoloa ei voi poistaa."})
    record(session, by, "delete", "absence", absence.id, f"worker {absence.worker_id}", at=now)
    session.delete(absence)


def can_end(absence: Absence, now: datetime) -> bool:
    """Started and not yet over (its last day may be today)."""
    return absence.starts_on <= local_day(now) <= absence.ends_on


def end_absence(session: Session, absence: Absence, by: int, now: datetime) -> bool:
    """End an absence under way now (audited): its last day becomes yesterday (local
    date); one that began today is removed. Returns whether it was removed."""
    if not can_end(absence, now):
        raise ValidationError({"absence": "Vain alkanutta poissaoloa, joka ei ole vielä "
                                          "päättynyt, voi lopettaa."})
    today = local_day(now)
    if absence.starts_on == today:
        record(session, by, "delete", "absence", absence.id,
               f"worker {absence.worker_id} ended on its first day", at=now)
        session.delete(absence)
        return True
    absence.ends_on = today - timedelta(days=1)
    record(session, by, "update", "absence", absence.id,
           f"worker {absence.worker_id} ended early: last day {absence.ends_on}", at=now)
    return False
