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

A client who declined and then confirms after all ("pääsenkin tulemaan") is coming
again: restore_declined plans again what the decline skipped and whose time is still
ahead, and drop_answered then applies the confirm's rules to it (apply_answer does
both). A time already passed stays skipped: a stale reminder is never sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.planning import reminder_states as rstate
from service.domain.planning.send_times import Rule
from service.store.models import Event, Reminder
from service.store.states import EventState, ListenReason, ReminderState

__all__ = ["AnswerEffect", "answer_reason", "apply_answer", "drop_answered",
           "restore_declined"]

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


def restore_declined(session: Session, event: Event, was: str,
                     now: datetime) -> list[Reminder]:
    """The event went from declined to confirmed: its reminders the decline skipped go
    back to planned if their time is still ahead (returned).

    Only the newest row of each rule and person counts: a reschedule planned new rows
    and left the older generation skipped, and that must not come back with its old
    times. Nothing returns to an opted-out client or a trusted person no longer
    active or opted out; rows skipped for any other reason stay as they are."""
    if was != EventState.DECLINED or event.state != EventState.CONFIRMED \
            or event.client.opted_out:
        return []
    newest: dict[tuple[str, str, int | None], Reminder] = {}
    for reminder in session.scalars(select(Reminder).where(Reminder.event_id == event.id)
                                    .order_by(Reminder.id)):
        newest[(reminder.rule_id, reminder.recipient, reminder.trusted_person_id)] = reminder
    restored: list[Reminder] = []
    for reminder in newest.values():
        if reminder.state != ReminderState.SKIPPED or reminder.reason != ListenReason.DECLINED \
                or reminder.send_at <= now \
                or (reminder.latest_at is not None and reminder.latest_at <= now):
            continue
        person = reminder.trusted_person
        if person is not None and (not person.active or person.opted_out):
            continue
        rstate.move(reminder, ReminderState.PLANNED)
        reminder.reason, reminder.updated_at = None, now
        restored.append(reminder)
    return restored


@dataclass(frozen=True)
class AnswerEffect:
    """What an answer did to the event's reminders not yet sent."""

    skipped: int
    restored: int = 0  # planned again after a decline, and still planned


def apply_answer(session: Session, rt: DomainContext, event: Event, was: str,
                 now: datetime) -> AnswerEffect:
    """The event's state just changed from `was` by an answer: restore what a decline
    skipped if the client now comes after all, then skip what the answer makes unwanted
    (a restored reminder that only waited for this confirm is skipped again)."""
    restored = restore_declined(session, event, was, now)
    if restored:
        session.flush()  # drop_answered reads the restored rows as planned
    skipped = drop_answered(session, rt, event, now)
    kept = sum(r.state == ReminderState.PLANNED for r in restored)
    return AnswerEffect(skipped - (len(restored) - kept), kept)  # (skipped again: not new)
