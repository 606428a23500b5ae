"""Recurring events: a series and its occurrences on a rolling horizon.

A series is one event holding the rule (`recurrence`, domain/events/recurrence.py) and
no reminders of its own. Each occurrence is an ordinary child event (series_id,
occurrence_date), so its reminders, the client's replies to them, holds, notices and
attendance work per occurrence exactly as for a one-off appointment, and a stop stops
all (it opts the client out). Occurrences are made only up to `planned_until`, today
plus the horizon; the worker's daily job extends it (scheduling/daily.py).

Extending is claimed with a check-and-set on planned_until (the row lock on
PostgreSQL, the single writer on SQLite): of two workers extending at once, one makes
the occurrences and the other changes nothing; the unique (series_id, occurrence_date)
is the last guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.errors import ValidationError
from service.domain.events import event_states
from service.domain.events import lifecycle as ev
from service.domain.events import recurrence as rec
from service.store.models import Event
from service.store.states import EVENT_CLOSED, EventState

PAUSED = "series_paused"
SKIPPED = "occurrence_skipped"


@dataclass(frozen=True)
class OccurrenceView:
    """One occurrence as the event page and the API list it."""

    day: date
    starts_at: datetime
    event_id: int | None
    state: EventState | None
    moved: bool
    on_holiday: bool
    holiday_kept: bool


def local_today(now: datetime, rt: DomainContext) -> date:
    return now.astimezone(rt.tz).date()


def horizon_end(now: datetime, rt: DomainContext, horizon_days: int) -> date:
    return local_today(now, rt) + timedelta(days=horizon_days)


def create_series(session: Session, rt: DomainContext, event: Event, rule: str, now: datetime,
                  horizon_days: int, worker_id: int | None = None,
                  exdates: tuple[datetime, ...] = ()) -> Event:
    """Save a built appointment as a series from its start (the first occurrence) with an
    RRULE value (normalised), and make its occurrences within the horizon."""
    if event.starts_at is None:
        raise ValidationError({"starts_at": "Anna ensimmäisen kerran aika."})
    first = event.starts_at.astimezone(rt.tz).replace(tzinfo=None)
    event.recurrence = rec.series_text(first, rule, exdates)
    if not rec.has_occurrence(event.recurrence):
        raise ValidationError({"recurrence": "Säännön mukaan ei tule yhtään kertaa."})
    event.starts_at = None  # the series has no time of its own: its occurrences do
    event.created_by = worker_id
    session.add(event)
    session.flush()
    extend(session, rt, event, now, horizon_days)
    return event


def extend(session: Session, rt: DomainContext, series: Event, now: datetime,
           horizon_days: int) -> int:
    """Make the occurrences (and plan their reminders) up to today + the horizon; how
    many were made. Safe to call any number of times, from any number of workers."""
    if series.recurrence is None or series.series_paused_at is not None \
            or series.state in EVENT_CLOSED:
        return 0
    until = horizon_end(now, rt, horizon_days)
    old = series.planned_until
    if old is not None and old >= until:
        return 0
    same = Event.planned_until.is_(None) if old is None else Event.planned_until == old
    claimed = cast(CursorResult[tuple[()]], session.execute(
        update(Event).where(Event.id == series.id, same).values(planned_until=until)
        .execution_options(synchronize_session=False)))
    if claimed.rowcount != 1:
        session.refresh(series)  # another worker made them
        return 0
    series.planned_until = until
    session.flush()
    start = old + timedelta(days=1) if old is not None else rec.first_local(
        series.recurrence).date()
    coming = [occ for occ in rec.occurrences(series.recurrence, rt.tz, start, until)
              if occ.starts_at > now]  # one already past when the series was saved: none
    return _make(session, rt, series, coming, now) if coming else 0


def _make(session: Session, rt: DomainContext, series: Event,
          occurrences: list[rec.Occurrence], now: datetime) -> int:
    """The occurrences as child events with their reminders: two flushes in all."""
    existing = set(session.scalars(select(Event.occurrence_date).where(
        Event.series_id == series.id)))  # made before a pause
    children = [Event(client_id=series.client_id, client=series.client, kind=series.kind,
                      state=EventState.PLANNED, appointment_type=series.appointment_type,
                      starts_at=occ.starts_at, place=series.place, bring=series.bring,
                      needs_transport=series.needs_transport, created_by=series.created_by,
                      series_id=series.id, occurrence_date=occ.day,
                      on_holiday=occ.on_holiday, created_at=now, updated_at=now)
                for occ in occurrences if occ.day not in existing]
    session.add_all(children)
    series.updated_at = now  # a running series is not "inactive" to retention
    session.flush()
    for child in children:
        session.add_all(ev.reminder_rows(child, ev.plan_event(child, series.client, rt, now),
                                         now))
    session.flush()
    return len(children)


def occurrence_rows(session: Session, series: Event) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.series_id == series.id)
                                .order_by(Event.occurrence_date)))


def upcoming(session: Session, rt: DomainContext, series: Event, now: datetime,
             horizon_days: int) -> list[OccurrenceView]:
    """The occurrences from today within the horizon: those made, and (paused, or not
    yet extended) those the rule gives, for the page and the API."""
    if series.recurrence is None:
        return []
    today = local_today(now, rt)
    made = {row.occurrence_date: row for row in occurrence_rows(session, series)
            if row.occurrence_date is not None and row.occurrence_date >= today}
    out = [OccurrenceView(day=day, starts_at=row.starts_at or now, event_id=row.id,
                          state=row.state, moved=(row.starts_at is not None and
                                                  row.starts_at.astimezone(rt.tz).date() != day),
                          on_holiday=row.on_holiday, holiday_kept=row.holiday_kept_at is not None)
           for day, row in made.items()]
    if series.state not in EVENT_CLOSED:
        out += [OccurrenceView(day=o.day, starts_at=o.starts_at, event_id=None, state=None,
                               moved=False, on_holiday=o.on_holiday, holiday_kept=False)
                for o in rec.occurrences(series.recurrence, rt.tz, today,
                                         horizon_end(now, rt, horizon_days))
                if o.day not in made and o.starts_at > now]
    return sorted(out, key=lambda o: o.day)


def occurrence(session: Session, series: Event, day: date) -> Event | None:
    return session.scalars(select(Event).where(Event.series_id == series.id,
                                               Event.occurrence_date == day)).first()


def skip(session: Session, series: Event, day: date, now: datetime) -> Event | None:
    """Leave out the occurrence of one local day: a made one is cancelled with its
    reminders, one beyond the horizon is left out of the rule (an EXDATE)."""
    if series.recurrence is None or not rec.is_rule_day(series.recurrence, day):
        raise ValidationError({"date": "Sarjassa ei ole kertaa tänä päivänä."})
    child = occurrence(session, series, day)
    if child is None:
        series.recurrence = rec.with_exdate(series.recurrence, day)
        series.updated_at = now
        return None
    if child.state != EventState.CANCELLED:
        event_states.move(child, EventState.CANCELLED, now)
        child.updated_at = now
        ev.cancel_pending(session, child, SKIPPED)
    return child


def keep_holiday(session: Session, series: Event, day: date, now: datetime) -> Event:
    """The worker decided the occurrence on a public holiday goes ahead."""
    child = occurrence(session, series, day)
    if child is None or not child.on_holiday:
        raise ValidationError({"date": "Tänä päivänä ei ole pyhäpäivän kertaa."})
    child.holiday_kept_at = now
    return child


def coming(session: Session, series: Event, now: datetime) -> list[Event]:
    """The occurrences made and still to come (what pausing or cancelling affects)."""
    return [row for row in occurrence_rows(session, series)
            if row.starts_at is not None and row.starts_at > now
            and row.state not in EVENT_CLOSED]


def pause(session: Session, series: Event, now: datetime) -> int:
    """Stop the series for now: the coming occurrences' reminders are cancelled and no new
    ones are made. How many reminders were cancelled."""
    if series.series_paused_at is not None:
        return 0
    series.series_paused_at = now
    return sum(ev.cancel_pending(session, row, PAUSED) for row in coming(session, series, now))


def resume(session: Session, rt: DomainContext, series: Event, now: datetime,
           horizon_days: int) -> int:
    """Go on: the coming occurrences are planned again and the horizon extended."""
    if series.series_paused_at is None:
        return 0
    series.series_paused_at = None
    for row in coming(session, series, now):
        ev.replan(session, rt, row, now, "series_resumed")
    session.flush()
    return extend(session, rt, series, now, horizon_days)


def cancel_series(session: Session, series: Event, now: datetime) -> int:
    """Cancel the series and its coming occurrences; past ones stay as history. Telling
    the client is the caller's choice: one notice for the series (notices.SERIES_CANCELLED),
    never one for each occurrence."""
    return ev.cancel_event(session, series, now)


def due_series(session: Session, rt: DomainContext, now: datetime, horizon_days: int,
               after_id: int, limit: int) -> list[Event]:
    """Series whose horizon is behind, by id after `after_id` (the daily job takes them a
    batch at a time, each batch in its own transaction). On PostgreSQL the batch is
    locked and another worker's batch skips it, so two workers share the night's work
    instead of one waiting behind the other (SQLite has one writer anyway)."""
    until = horizon_end(now, rt, horizon_days)
    return list(session.scalars(select(Event).where(
        Event.recurrence.is_not(None), Event.series_paused_at.is_(None),
        Event.state.not_in(list(EVENT_CLOSED)), Event.id > after_id,
        (Event.planned_until.is_(None)) | (Event.planned_until < until))
        .order_by(Event.id).limit(limit).with_for_update(skip_locked=True, of=Event)))
