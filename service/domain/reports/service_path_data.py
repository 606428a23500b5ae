"""Reading the service-path facts from the database: columns without personal data only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
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
from service.store.models import Event, InboxItem
from service.store.states import EventKind, EventState


def load_applications(session: Session, period: Period) -> list[Application]:
    rows = session.execute(
        select(Event.agency, Event.submitted_on, Event.created_at, Event.decision_expected,
               Event.decided_at, Event.state, Event.state_changed_at)
        .where(Event.kind == EventKind.APPLICATION,
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


def load_appointments(session: Session, period: Period) -> list[Appointment]:
    rows = session.execute(
        select(Event.appointment_type, Event.starts_at, Event.state, Event.attendance,
               Event.answer_before_attendance)
        .where(Event.kind == EventKind.APPOINTMENT, Event.starts_at >= period.start_at,
               Event.starts_at < period.end_at))
    return [Appointment(type=kind or "other", day=starts.astimezone(period.tz).date(),
                        state=state, attendance=attendance, answer=answer)
            for kind, starts, state, attendance, answer in rows]


def load_replies(session: Session, period: Period) -> list[Reply]:
    rows = session.execute(
        select(InboxItem.kind, InboxItem.created_at, InboxItem.handled_at)
        .where(InboxItem.kind.in_(REPLY_KINDS), InboxItem.created_at >= period.start_at,
               InboxItem.created_at < period.end_at))
    return [Reply(kind=kind, received=created, handled=handled)
            for kind, created, handled in rows]


def build_report(session: Session, period: Period, now: datetime) -> ServicePathReport:
    return service_path_report(period, now, load_applications(session, period),
                               load_appointments(session, period),
                               load_replies(session, period))
