"""Escalation: an item left unhandled too long is raised to the whole team.

Why: a worker may be ill without an absence recorded, or simply swamped; a client's
"soita minulle" must not wait for days. An open item (new or read) of the kinds that
need a person - a call-back request, an unclear reply or one that holds its event, a
failed or unanswered reminder, an uncertain send, a stop - gets escalated_at once
Team.escalate_after_hours *working* hours have passed since it came (Mon-Fri
08:00-16:00 Europe/Helsinki, public holidays not counted: calendar/working_hours.py).
It then shows in the team inbox and on every team member's Today page. A call-back
request carries its due time (due_at) from the start, and escalates at it.

escalate_due() is run by the worker loop (scheduling/escalations.py); any number of
processes may run it at once: the change is a check-and-set on escalated_at.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from service.domain.calendar.dates import HELSINKI
from service.domain.calendar.working_hours import add_working_hours
from service.store.models import InboxItem, Team
from service.store.states import INBOX_OPEN, InboxKind

DEFAULT_HOURS = 4
UNKNOWN_INTENT = "unknown"  # a reply the reader could not be sure of (replies/decide.py)
K = InboxKind
ESCALATING_KINDS = (K.CALLBACK, K.STOP, K.FAILED, K.UNANSWERED, K.UNCERTAIN)


def escalates() -> ColumnElement[bool]:
    """The items that need a person in time: the kinds above, any holding item, and a
    reply whose meaning was not certain."""
    unclear = and_(InboxItem.kind == K.REPLY, or_(InboxItem.intent.is_(None),
                                                  InboxItem.intent == UNKNOWN_INTENT))
    return or_(InboxItem.kind.in_(ESCALATING_KINDS), InboxItem.holds.is_(True), unclear)


def team_hours(session: Session, team_id: int) -> int:
    hours = session.scalar(select(Team.escalate_after_hours).where(Team.id == team_id))
    return DEFAULT_HOURS if hours is None else hours


def due_time(session: Session, team_id: int, came_at: datetime, tz: tzinfo = HELSINKI,
             hours: int | None = None) -> datetime:
    """When an item that came at `came_at` is due: the team's N working hours later
    (`hours`: the team's N, if already read)."""
    return add_working_hours(came_at, team_hours(session, team_id) if hours is None else hours,
                             tz)


def escalate_due(session: Session, now: datetime, tz: tzinfo = HELSINKI) -> int:
    """Raise every item whose time has passed; how many were raised now."""
    due: list[int] = []
    for team_id, hours in session.execute(select(Team.id, Team.escalate_after_hours)):
        # N working hours take at least N hours: older items are the only candidates.
        earliest = now - timedelta(hours=hours)
        for item_id, came_at, due_at in session.execute(
                select(InboxItem.id, InboxItem.created_at, InboxItem.due_at).where(
                    InboxItem.team_id == team_id, InboxItem.state.in_(INBOX_OPEN),
                    InboxItem.escalated_at.is_(None), InboxItem.created_at <= earliest,
                    escalates())):
            if (due_at or add_working_hours(came_at, hours, tz)) <= now:
                due.append(item_id)
    if not due:
        return 0
    result = session.execute(update(InboxItem).where(
        InboxItem.id.in_(due), InboxItem.escalated_at.is_(None))
        .values(escalated_at=now).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
