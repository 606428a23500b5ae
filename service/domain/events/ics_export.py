"""A worker's coming appointments as an iCalendar file for their own calendar.

Not a public feed: the file holds clients' names, so it is a download behind sign-in,
audited by the caller. Each appointment is one VEVENT in UTC (an occurrence of a series
is its own event: a skipped or moved one is simply as it is), with a stable UID so a
calendar that imports the file again updates instead of doubling.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.models import Client, Event
from service.store.states import EVENT_CLOSED, EventKind

LENGTH = timedelta(hours=1)  # an appointment has no end in Rinnalla; calendars want one
DAYS_AHEAD = 180


def coming(session: Session, worker_id: int, now: datetime) -> list[Event]:
    """The worker's own clients' appointments from now on, not cancelled or done."""
    return list(session.scalars(select(Event).join(Client).where(
        Client.worker_id == worker_id, Client.anonymised_at.is_(None),
        Event.kind == EventKind.APPOINTMENT, Event.starts_at >= now,
        Event.starts_at < now + timedelta(days=DAYS_AHEAD),
        Event.state.not_in(list(EVENT_CLOSED))).order_by(Event.starts_at, Event.id)))


def calendar_bytes(events: list[Event], type_words: Mapping[str, str], host: str,
                   now: datetime) -> bytes:
    """The .ics file: SUMMARY "client – kind", LOCATION the place."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Rinnalla//tulevat ajat//FI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for event in events:
        if event.starts_at is None:
            continue
        item = icalendar.Event()
        item.add("uid", f"event-{event.id}@{host}")
        item.add("dtstamp", now)
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.starts_at + LENGTH)
        kind = type_words.get(event.appointment_type or "other", "")
        item.add("summary", f"{event.client.name} – {kind}" if kind else event.client.name)
        if event.place:
            item.add("location", event.place)
        cal.add_component(item)
    return bytes(cal.to_ical())
