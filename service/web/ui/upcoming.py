"""My upcoming appointments, this week and next: a list to read or print (print CSS
in static/desk.css drops the header and the menu)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import groupby

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from service.clock import utcnow
from service.domain.privacy.audit import record
from service.domain.teams import access
from service.store.models import Client, Event
from service.store.states import EventKind, EventState
from service.web.context import db, runtime
from service.web.ui.security import current_worker

bp = Blueprint("upcoming", __name__, url_prefix="/appointments")


def two_weeks(today: date) -> tuple[date, date]:
    """Monday of this week and the Sunday after next week's end (inclusive)."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=13)


@bp.get("/upcoming")
def index() -> ResponseReturnValue:
    tz, me, now = runtime().config.tz, current_worker(), utcnow()
    first, last = two_weeks(now.astimezone(tz).date())
    start = max(now, datetime.combine(first, time(0), tzinfo=tz))
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    events = list(db().scalars(select(Event).join(Client).where(
        Client.worker_id == me.id, access.clients_rule(me), Client.anonymised_at.is_(None),
        Event.kind == EventKind.APPOINTMENT, Event.starts_at >= start, Event.starts_at < end,
        Event.state.not_in([EventState.CANCELLED, EventState.DONE]))
        .order_by(Event.starts_at, Event.id)))
    days = [(day, list(group)) for day, group in groupby(
        events, key=lambda e: e.starts_at.astimezone(tz).date() if e.starts_at else first)]
    record(db(), me.id, "view", "appointments", None, f"{len(events)} upcoming")
    db().commit()
    return render_template("upcoming/index.html", days=days, first=first, last=last,
                           count=len(events), printed=now)
