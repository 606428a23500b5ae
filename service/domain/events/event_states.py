"""The event state machine (drawn in the Event model's docstring): every change of an
event's state goes through move(), checked against EVENT_TRANSITIONS."""

from __future__ import annotations

from datetime import datetime

from service.store.models import Event
from service.store.states import EVENT_TRANSITIONS, EventState, check_move
from service.store.states import can_move as _can_move

__all__ = ["can_move", "move"]


def can_move(event: Event, new: EventState) -> bool:
    """Whether the event may go to `new`: for what a client's answer may change."""
    return _can_move(EVENT_TRANSITIONS, event.state, new)


def move(event: Event, new: EventState, now: datetime) -> None:
    """Change state only along the machine's edges, stamping when it changed. A move to
    the state it is in (a second "kyllä") keeps the stamp: reports read it as when an
    application was decided, and retention as the event's last change."""
    old = event.state
    event.state = check_move(EVENT_TRANSITIONS, f"event {event.id}", old, new)
    if event.state != old:
        event.state_changed_at = now
