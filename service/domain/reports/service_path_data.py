"""Reading the service-path facts from the database: columns without personal data only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from service.domain.reports.service_path import (
    REPLY_KINDS,
    Application,
    Appointment,
    Period,
    Reply,
    ServicePathReport,
    service_path_report,
)
from service.store.models import Client, Event, InboxItem
from service.store.states import EventKind, EventState


def _events_of(team_ids: list[int] | None) -> ColumnElement[bool]:
    """Events of clients of these teams (None: every team)."""
    if team_ids is None:
        return true()
    return Event.client_id.in_(select(Client.id).where(Client.team_id.in_(team_ids)))


def load_applications(session: Session, period: Period, team_ids: list[int] | None = None
                      ) -> list[Application]:
    rows = session.execute(
        select(Event.agency, Event.submitted_on, Event.created_at, Event.decision_expected,
               Event.decided_at, Event.state, Event.state_changed_at)
        .where(Event.kind == EventKind.APPLICATION, _events_of(team_ids),
               or_(Event.decided_at.is_(None), Event.decided_at >= period.start_at)))
    out = []
    for agency, submitted, created, expected, decided_at, state, changed in rows:
        if decided_at is None and state == EventState.DECIDED:
            decided_at = changed
        out.append(Application(
            agency=agency or "–", started=submitted or created.astimezone(period.tz).date(),
            expected=expected,
            decided=decided_at.astimezone(period.tz).date() if decided_at else None,
            cancelled=state == EventState.CANCELLED))
    return out


def load_appointments(session: Session, period: Period, team_ids: list[int] | None = None
                      ) -> list[Appointment]:
    rows = session.execute(
        select(Event.appointment_type, Event.starts_at, Event.state, Event.attendance,
               Event.answer_before_attendance)
        .where(Event.kind == EventKind.APPOINTMENT, _events_of(team_ids),
               Event.starts_at >= period.start_at,
               Event.starts_at < period.end_at))
    return [Appointment(type=kind or "other", day=starts.astimezone(period.tz).date(),
                        state=state, attendance=attendance, answer=answer)
            for kind, starts, state, attendance, answer in rows]


def load_replies(session: Session, period: Period, team_ids: list[int] | None = None
                 ) -> list[Reply]:
    in_teams = true() if team_ids is None else InboxItem.team_id.in_(team_ids)
    rows = session.execute(
        select(InboxItem.kind, InboxItem.created_at, InboxItem.handled_at)
        .where(in_teams, InboxItem.kind.in_(REPLY_KINDS), InboxItem.created_at >= period.start_at,
               InboxItem.created_at < period.end_at))
    return [Reply(kind=kind, received=created, handled=handled)
            for kind, created, handled in rows]


def build_report(session: Session, period: Period, now: datetime,
                 team_ids: list[int] | None = None) -> ServicePathReport:
    """The report over these teams' clients and items (None: the whole installation)."""
    return service_path_report(period, now, load_applications(session, period, team_ids),
                               load_appointments(session, period, team_ids),
                               load_replies(session, period, team_ids))
