"""Each machine's one function: every edge of its table is taken, anything else raises
InvalidTransition and leaves the row as it was."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest

from service.domain.events import event_states
from service.domain.inbox import items as box
from service.domain.messages import delivery
from service.domain.planning import reminder_states
from service.store.models import Event, InboxItem, Message, Reminder
from service.store.states import (
    EVENT_TRANSITIONS,
    INBOX_TRANSITIONS,
    MESSAGE_RANK,
    MESSAGE_TRANSITIONS,
    REMINDER_TRANSITIONS,
    EventState,
    InboxState,
    InvalidTransition,
    MessageStatus,
    ReminderState,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _reminder(state: StrEnum) -> tuple[Reminder, Callable[[Any], None]]:
    row = Reminder(state=state)
    return row, lambda new: reminder_states.move(row, new)


def _event(state: StrEnum) -> tuple[Event, Callable[[Any], None]]:
    row = Event(state=state)
    return row, lambda new: event_states.move(row, new, NOW)


def _item(state: StrEnum) -> tuple[InboxItem, Callable[[Any], None]]:
    row = InboxItem(state=state)
    return row, lambda new: box.move(row, new)


def _message(state: StrEnum) -> tuple[Message, Callable[[Any], None]]:
    row = Message(status=state)
    return row, lambda new: delivery.move_status(row, new)


MACHINES: dict[str, tuple[Mapping[Any, frozenset[Any]], type[StrEnum], Callable[..., Any],
                          str]] = {
    "reminder": (REMINDER_TRANSITIONS, ReminderState, _reminder, "state"),
    "event": (EVENT_TRANSITIONS, EventState, _event, "state"),
    "inbox item": (INBOX_TRANSITIONS, InboxState, _item, "state"),
    "message": (MESSAGE_TRANSITIONS, MessageStatus, _message, "status"),
}


@pytest.mark.parametrize("machine", MACHINES)
def test_every_state_has_its_row_in_the_table(machine: str) -> None:
    table, states, _, _ = MACHINES[machine]
    assert set(table) == set(states)
    assert all(targets <= set(states) for targets in table.values())


@pytest.mark.parametrize("machine", MACHINES)
def test_an_edge_is_taken_and_anything_else_raises(machine: str) -> None:
    table, states, make, column = MACHINES[machine]
    refused = 0
    for current in states:
        for new in states:
            row, move = make(current)
            if new in table[current]:
                move(new)
                assert getattr(row, column) is new
            else:
                with pytest.raises(InvalidTransition, match=f"{current} -> {new}"):
                    move(new)
                assert getattr(row, column) is current
                refused += 1
    assert refused > 0  # each machine refuses something


def test_an_event_stamps_when_its_state_changed_and_not_when_refused() -> None:
    event = Event(state=EventState.PLANNED)
    event_states.move(event, EventState.CONFIRMED, NOW)
    assert event.state_changed_at == NOW
    event_states.move(event, EventState.CONFIRMED, NOW + timedelta(days=2))  # confirmed again
    assert event.state_changed_at == NOW  # still when it changed
    event = Event(state=EventState.CANCELLED)
    with pytest.raises(InvalidTransition):
        event_states.move(event, EventState.CONFIRMED, NOW)
    assert event.state_changed_at is None


@pytest.mark.parametrize(("current", "new"), [
    (ReminderState.DELIVERED, ReminderState.PLANNED),  # final
    (ReminderState.PLANNED, ReminderState.SENT),  # not claimed first
    (ReminderState.UNCERTAIN, ReminderState.PLANNED),  # settles through "sent"
])
def test_reminder_edges_that_are_bugs(current: ReminderState, new: ReminderState) -> None:
    reminder = Reminder(state=current, reason=None)
    with pytest.raises(InvalidTransition):
        reminder_states.move(reminder, new, "too_late")
    assert reminder.reason is None


def test_inbox_reopen_is_to_read_and_reassigning_makes_an_open_item_new() -> None:
    item = InboxItem(state=InboxState.NEW)
    box.mark_handled(item, 7, NOW)
    assert (item.state, item.handled_at, item.handled_by) == (InboxState.HANDLED, NOW, 7)
    box.reopen(item)
    assert (item.state, item.handled_at, item.handled_by) == (InboxState.READ, None, None)
    with pytest.raises(InvalidTransition):
        box.move(InboxItem(state=InboxState.HANDLED), InboxState.NEW)


def test_a_message_status_only_moves_further_or_along_our_own_edges() -> None:
    for current in MessageStatus:
        for new in MessageStatus:
            if MESSAGE_RANK[new] > MESSAGE_RANK[current]:
                assert new in MESSAGE_TRANSITIONS[current], (current, new)
    assert MessageStatus.SENDING not in MESSAGE_TRANSITIONS[MessageStatus.DELIVERED]
    assert MessageStatus.QUEUED in MESSAGE_TRANSITIONS[MessageStatus.SENDING]  # a retry


def test_a_gateway_word_we_do_not_know_is_never_further() -> None:
    assert delivery.known_status("partially_delivered") is MessageStatus.PARTIALLY_DELIVERED
    assert delivery.known_status("exploded") is None
    assert not delivery.is_further("created", "exploded")
    assert delivery.is_further("sent", "delivered")
    assert not delivery.is_further("delivered", "sent")
