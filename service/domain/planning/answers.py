"""What a client's answer does to the reminders of that event not yet sent.

Why: a client who said "en pääse" must not get "ota mukaan" and "tilaa taksi" the
next day, and one who confirmed needs no more "vastaa 1" questions. The rule of
thumb, which a schedule rule can override with after_confirm / after_decline
("cancel" or "keep", schedules/*.toml):
- a decline ends every reminder to the client (and to their trusted persons);
  the worker's own tasks stay;
- a confirm ends the fallbacks and the rules waiting for an answer (condition
  "unconfirmed"); the informational ones (what to bring, transport) stay.
The same check runs when the answer comes (drop_answered: the planned rows are
skipped at once) and when a reminder is due (answer_reason, in both send paths),
so a reminder claimed at the moment of the answer does not slip through.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.planning import reminder_states as rstate
from service.domain.planning.send_times import Rule
from service.store.models import Event, Reminder
from service.store.states import EventState, ListenReason, ReminderState

__all__ = ["answer_reason", "drop_answered"]

CANCEL, KEEP = "cancel", "keep"
CLIENT_FACING = ("client", "trusted")


def answer_reason(rule: Rule | None, *, recipient: str, fallback: bool,
                  condition: str | None, event_state: str) -> ListenReason | None:
    """Why the event's answer makes this reminder unwanted (None: it still goes)."""
    if event_state == EventState.DECLINED:
        wanted = rule.after_decline if rule is not None else None
        if wanted is None:
            wanted = CANCEL if recipient in CLIENT_FACING else KEEP
        return ListenReason.DECLINED if wanted == CANCEL else None
    if event_state == EventState.CONFIRMED:
        asks = fallback or condition == "unconfirmed"  # waits for this very answer
        wanted = CANCEL if asks else (rule.after_confirm if rule is not None else None) or KEEP
        return ListenReason.CONFIRMED if wanted == CANCEL else None
    return None


def drop_answered(session: Session, rt: DomainContext, event: Event, now: datetime) -> int:
    """The event was just confirmed or declined: skip what the answer makes unwanted
    (planned rows only; one being sent is checked again by the send path)."""
    count = 0
    rt = rt.for_team(event.client.team_id)  # the client's team's rules
    for reminder in session.scalars(select(Reminder).where(
            Reminder.event_id == event.id, Reminder.state == ReminderState.PLANNED)):
        reason = answer_reason(rt.schedules.find(event.kind, reminder.rule_id),
                               recipient=reminder.recipient,
                               fallback=reminder.fallback_of is not None,
                               condition=reminder.condition, event_state=event.state)
        if reason is not None:
            rstate.move(reminder, ReminderState.SKIPPED, reason)
            reminder.updated_at = now
            count += 1
    return count
