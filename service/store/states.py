"""The named states of reminders, messages, inbox items and events, and their edges.

Every state a row can be in is a member of one enum here, and every change of state
goes through that machine's one function, which checks the table with check_move():
reminders domain/planning/reminder_states.py, events domain/events/event_states.py,
inbox items domain/inbox/items.py, message status domain/messages/delivery.py.
Anything else is a bug. The enums are `StrEnum`s, so a member is stored and compared
as its plain value. The tables hold the edges the code takes (an appointment
goes to "done" when the worker records its attendance); an edge from a state to
itself is a repeat the code allows (a client answering twice).

    Reminder:  planned --claim--> sending --accepted--> sent --delivered/answered--> delivered
               sending --permanent error--> failed
               sending --transient error, attempts left / outside the window--> planned
               sending --outcome unknown--> uncertain --word from the gateway--> sent | delivered
               sending --no longer wanted--> cancelled | skipped;  sending --a task--> delivered
               sent --undelivered / not answered, retries spent--> failed
               sent --call not answered, retries left--> planned
               planned --event cancelled or rescheduled--> cancelled
               planned --too late / opted out / condition not met / superseded / answered
                         / number blocked--> skipped (a ListenReason or another reason)
               skipped --declined, then confirmed after all, its time still ahead--> planned

    Message:   a status only moves further along MESSAGE_RANK (callbacks arrive out of
               order), or stays (the same word again), plus our own edges around the
               gateway call: created | queued --> sending --> unknown (no answer came),
               sending --> queued (a transient error: the next tick tries again), and
               sending --> the gateway's first answer (queued, accepted, scheduled,
               initiated).

    Inbox item: new --opened--> read --handled--> handled --reopened--> read
                new --handled--> handled;  new | read --reassigned--> new
                (again: new --reassigned--> new, read --reopened--> read,
                 handled --handled--> handled)

    Event (appointment): planned --answer--> confirmed | declined (and again, either way)
                         confirmed | declined --rescheduled--> planned (a new answer needed)
                         planned | confirmed | declined --> done
    Event (application): planned --documents in--> documents_in --decision--> decided
                         planned --decision--> decided;  decided --confirmed again--> decided
    Either kind:         any state --cancelled--> cancelled (the API may cancel again)
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar


class ReminderState(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    UNCERTAIN = "uncertain"


class ListenReason(StrEnum):
    """Why a plan that listens dropped a reminder (reminder_states.REASONS has the words).

    superseded: a later reminder of the same event to the same person was due at the
    same time and went instead; offset_passed: its time had already passed when the
    event was planned; declined / confirmed: the answer made it unwanted (the rule's
    after_decline / after_confirm); sms_blocked / voice_blocked: a permanent number
    error stopped that channel to the client's number; calls_stopped: the client
    stopped the calls themselves (a key in the call).
    """

    SUPERSEDED = "superseded"
    OFFSET_PASSED = "offset_passed"
    DECLINED = "declined"
    CONFIRMED = "confirmed"
    SMS_BLOCKED = "sms_blocked"
    VOICE_BLOCKED = "voice_blocked"
    CALLS_STOPPED = "calls_stopped"


class MessageStatus(StrEnum):
    # our own: the row exists before the gateway is called
    CREATED = "created"
    QUEUED = "queued"  # also Twilio's first answer to a text
    SENDING = "sending"
    UNKNOWN = "unknown"  # the request left and no answer came
    # Twilio's words (texts and calls)
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    INITIATED = "initiated"
    RINGING = "ringing"
    SENT = "sent"
    IN_PROGRESS = "in-progress"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    READ = "read"
    PARTIALLY_DELIVERED = "partially_delivered"
    RECEIVING = "receiving"  # (inbound)
    RECEIVED = "received"  # an inbound text or call


class Direction(StrEnum):
    OUT = "out"
    IN = "in"


class InboxKind(StrEnum):
    REPLY = "reply"
    CALLBACK = "callback"
    STOP = "stop"
    START = "start"
    UNKNOWN_SENDER = "unknown_sender"
    FAILED = "failed"
    UNANSWERED = "unanswered"
    UNCERTAIN = "uncertain"
    TASK = "task"


class InboxState(StrEnum):
    NEW = "new"
    READ = "read"
    HANDLED = "handled"


class EventKind(StrEnum):
    APPOINTMENT = "appointment"
    APPLICATION = "application"


class EventState(StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    DONE = "done"
    DOCUMENTS_IN = "documents_in"
    DECIDED = "decided"


class Role(StrEnum):
    """What a worker may do (not a machine: an admin changes it). A team admin manages
    their teams' workers and sees every item of their teams; the organisation's admin
    manages teams and sees everything (domain/teams/access.py)."""

    WORKER = "worker"
    TEAM_ADMIN = "team_admin"
    ORG_ADMIN = "org_admin"


class Attendance(StrEnum):
    """What the worker recorded after an appointment (not a machine: a correction
    overwrites it). Attended and no-show close the event as done; cancelled by the
    client closes it as cancelled."""

    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED_BY_CLIENT = "cancelled_by_client"


R = ReminderState
REMINDER_TRANSITIONS: Mapping[ReminderState, frozenset[ReminderState]] = {
    R.PLANNED: frozenset({R.SENDING, R.CANCELLED, R.SKIPPED}),
    R.SENDING: frozenset({R.SENT, R.DELIVERED, R.FAILED, R.PLANNED, R.UNCERTAIN, R.SKIPPED,
                          R.CANCELLED}),
    R.SENT: frozenset({R.DELIVERED, R.FAILED, R.PLANNED}),
    # A later word about an uncertain send settles it as sent first (delivery.py), and
    # a failure or a retry follows from "sent".
    R.UNCERTAIN: frozenset({R.SENT, R.DELIVERED}),
    R.DELIVERED: frozenset(),
    R.FAILED: frozenset({R.DELIVERED}),  # a late "delivered" after "undelivered"
    R.CANCELLED: frozenset(),
    # A client who declined and then confirms after all: what the decline skipped and
    # whose time is still ahead is planned again (domain/planning/answers.py).
    R.SKIPPED: frozenset({R.PLANNED}),
}
REMINDER_FINAL = frozenset({R.DELIVERED, R.FAILED, R.CANCELLED, R.SKIPPED})

M = MessageStatus
# Higher rank = further along. Final failures rank above "sent" but below "delivered".
# "unknown" is our own word (no answer came when sending): anything Twilio says is further.
MESSAGE_RANK: Mapping[MessageStatus, int] = {
    M.UNKNOWN: 0, M.CREATED: 0, M.QUEUED: 1, M.ACCEPTED: 1, M.SCHEDULED: 1, M.SENDING: 2,
    M.INITIATED: 2, M.RINGING: 3, M.SENT: 4, M.IN_PROGRESS: 4, M.UNDELIVERED: 5, M.FAILED: 5,
    M.BUSY: 5, M.NO_ANSWER: 5, M.CANCELED: 5, M.PARTIALLY_DELIVERED: 5, M.DELIVERED: 6,
    M.COMPLETED: 6, M.READ: 7, M.RECEIVING: 5, M.RECEIVED: 6,
}
# Edges that are not "further along": ours, around the gateway call.
_MESSAGE_OWN_EDGES: Mapping[MessageStatus, frozenset[MessageStatus]] = {
    M.SENDING: frozenset({M.UNKNOWN, M.QUEUED, M.ACCEPTED, M.SCHEDULED, M.INITIATED}),
    M.QUEUED: frozenset({M.SENDING}),
    M.CREATED: frozenset({M.SENDING}),
}
# Staying is allowed: a repeated callback, or the gateway's acceptance recorded after
# a quicker callback (delivery.status_on_acceptance keeps the status it has).
MESSAGE_TRANSITIONS: Mapping[MessageStatus, frozenset[MessageStatus]] = {
    current: frozenset(new for new in M if MESSAGE_RANK[new] > MESSAGE_RANK[current])
    | _MESSAGE_OWN_EDGES.get(current, frozenset()) | {current}
    for current in M
}

B = InboxState  # (the inbox)
INBOX_TRANSITIONS: Mapping[InboxState, frozenset[InboxState]] = {
    B.NEW: frozenset({B.READ, B.HANDLED, B.NEW}),
    B.READ: frozenset({B.HANDLED, B.NEW, B.READ}),
    B.HANDLED: frozenset({B.READ, B.HANDLED}),
}
INBOX_OPEN = frozenset({B.NEW, B.READ})

E = EventState
EVENT_TRANSITIONS: Mapping[EventState, frozenset[EventState]] = {
    E.PLANNED: frozenset({E.CONFIRMED, E.DECLINED, E.CANCELLED, E.DONE, E.DOCUMENTS_IN,
                          E.DECIDED}),
    E.CONFIRMED: frozenset({E.CONFIRMED, E.DECLINED, E.CANCELLED, E.DONE, E.PLANNED}),
    E.DECLINED: frozenset({E.DECLINED, E.CONFIRMED, E.CANCELLED, E.DONE, E.PLANNED}),
    E.DOCUMENTS_IN: frozenset({E.DECIDED, E.CANCELLED}),
    E.DECIDED: frozenset({E.DECIDED, E.CANCELLED}),
    E.DONE: frozenset({E.CANCELLED}),
    E.CANCELLED: frozenset({E.CANCELLED}),
}
# Closed: nothing more will be reminded (an answer may still come, and be shown).
EVENT_CLOSED = frozenset({E.CANCELLED, E.DECIDED, E.DONE})
EVENT_OPEN = frozenset(E) - EVENT_CLOSED


class InvalidTransition(ValueError):
    """A change of state along no edge of its machine: a bug, never a user error."""


S = TypeVar("S", bound=StrEnum)


def can_move(table: Mapping[S, frozenset[S]], current: str, new: S) -> bool:
    """Whether `new` follows `current` in the machine `table` (unknown states: never)."""
    for state, targets in table.items():
        if state == current:
            return new in targets
    return False


def check_move(table: Mapping[S, frozenset[S]], what: str, current: str, new: S) -> S:
    """The one place a state change is checked; returns `new` to assign."""
    if not can_move(table, current, new):
        raise InvalidTransition(f"{what}: {current} -> {new}")
    return new
