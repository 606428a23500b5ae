"""The plan listens when a reminder is due: the answer, a blocked number, a later reminder.

Both send paths (reminder_send.prepare one at a time, batch.py over a batch) ask the
same two questions here, after still_wanted:
- listen_reason: does the event's answer (domain/planning/answers.py) or a blocked
  channel to the client's number (domain/people/number_checks.py) stop it?
- superseded_ids: is a later-planned reminder of the same event to the same person
  due at the same time (after downtime, or an event registered late)? Then only that
  one goes: two texts in the same second only confuse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Row, Table, exists, select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.planning.answers import answer_reason
from service.store.bulk_sql import id_in
from service.store.models import Client, Event, Reminder
from service.store.states import ListenReason, ReminderState

__all__ = ["crowded", "listen_reason", "superseded_ids"]

REMINDERS: Table = Reminder.__table__  # type: ignore[assignment]
EVENTS: Table = Event.__table__  # type: ignore[assignment]
CLIENTS: Table = Client.__table__  # type: ignore[assignment]
CLIENT, TASK = "client", "task"


class ListenReminder(Protocol):
    @property
    def rule_id(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def condition(self) -> str | None: ...
    @property
    def fallback_of(self) -> int | None: ...


class ListenEvent(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def state(self) -> str: ...


class ListenClient(Protocol):
    @property
    def sms_blocked_at(self) -> datetime | None: ...
    @property
    def voice_blocked_at(self) -> datetime | None: ...
    @property
    def team_id(self) -> int: ...


def listen_reason(rt: DomainContext, reminder: ListenReminder, event: ListenEvent,
                  client: ListenClient) -> ListenReason | None:
    """Why the answer or a blocked number stops this due reminder (None: it goes)."""
    if reminder.recipient == CLIENT:
        if reminder.channel == "sms" and client.sms_blocked_at is not None:
            return ListenReason.SMS_BLOCKED
        if reminder.channel == "voice" and client.voice_blocked_at is not None:
            return ListenReason.VOICE_BLOCKED
    return answer_reason(rt.for_team(client.team_id).schedules.find(event.kind, reminder.rule_id),
                         recipient=reminder.recipient,
                         fallback=reminder.fallback_of is not None,
                         condition=reminder.condition, event_state=event.state)


# What deciding whether a due neighbour is still wanted reads: a reminder, its event
# and its client in one row (names do not clash, as in batch.DUE_ROW).
NEIGHBOUR_ROW = (
    [REMINDERS.c[name] for name in (
        "id", "event_id", "client_id", "rule_id", "channel", "recipient", "trusted_person_id",
        "condition", "send_at", "latest_at", "fallback_of", "state")]
    + [EVENTS.c[name] for name in (
        "kind", "bring", "needs_transport", "documents_in_at", "decided_at")]
    + [EVENTS.c.state.label("event_state")]
    + [CLIENTS.c[name] for name in (
        "opted_out", "anonymised_at", "sms_blocked_at", "voice_blocked_at", "team_id")])

class _AsEvent:
    """A neighbour row seen as its event (the row's own `state` is the reminder's)."""

    def __init__(self, row: Row[Any]) -> None:
        self.row = row

    def __getattr__(self, name: str) -> Any:
        return self.row.event_state if name == "state" else getattr(self.row, name)


_OTHER = REMINDERS.alias("other_reminder")


def crowded(now: datetime) -> ColumnElement[bool]:
    """For a due reminder row: does another reminder of its event wait to go now too?
    Only such a row can be superseded, so the batch path asks superseded_ids() about
    those alone (in the common batch, none: one statement and no checks saved a batch)."""
    return exists().where(_OTHER.c.event_id == REMINDERS.c.event_id,
                          _OTHER.c.id != REMINDERS.c.id,
                          _OTHER.c.state.in_([ReminderState.PLANNED, ReminderState.SENDING]),
                          _OTHER.c.channel != TASK, _OTHER.c.send_at <= now)


def superseded_ids(session: Session, ids: list[int], now: datetime,
                   wanted: Callable[[Row[Any], Any], bool]) -> set[int]:
    """Of reminders `ids` (claimed, due), those a later-planned reminder of the same
    event to the same person replaces: it is due now too and still wanted.

    `wanted(row, event)` is the sender's own check (still_wanted and listen_reason), so
    a later reminder that will be skipped anyway does not silence an earlier one.
    """
    if not ids:
        return set()
    conn = session.connection()
    events = select(REMINDERS.c.event_id).where(id_in(conn, REMINDERS.c.id, ids))
    rows = session.execute(
        select(*NEIGHBOUR_ROW)
        .join_from(REMINDERS, EVENTS, EVENTS.c.id == REMINDERS.c.event_id)
        .join(CLIENTS, CLIENTS.c.id == REMINDERS.c.client_id)
        .where(REMINDERS.c.event_id.in_(events),
               REMINDERS.c.state.in_([ReminderState.PLANNED, ReminderState.SENDING]),
               REMINDERS.c.channel != TASK, REMINDERS.c.send_at <= now)).all()
    if len(rows) < 2:
        return set()
    latest: dict[tuple[int, str, int | None], tuple[datetime, int]] = {}
    for row in rows:
        if wanted(row, _AsEvent(row)):
            key = (row.event_id, row.recipient, row.trusted_person_id)
            latest[key] = max(latest.get(key, (row.send_at, row.id)), (row.send_at, row.id))
    wanted_ids = set(ids)
    return {row.id for row in rows if row.id in wanted_ids
            and (row.send_at, row.id) < latest.get(
                (row.event_id, row.recipient, row.trusted_person_id), (row.send_at, row.id))}
