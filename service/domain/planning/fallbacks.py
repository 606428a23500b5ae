"""Fallbacks: when a reminder did not reach the client, try another way.

Why: a client with a basic phone may not read a text or may not answer a call, and
a missed appointment can cost months. The team's schedule says per rule what to
try next (fallback_of, on, wait in schedules/*.toml); this module plans those
reminders when the original has gone out ("no_answer": wait, then try if still
unanswered) or has failed ("failed": try at once). Each fallback row points at its
original (Reminder.fallback_of), so one original never gets the same fallback twice.
Whether it is still wanted (the client answered meanwhile) is decided at send time
by the dispatch pass, like for any conditional reminder.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.planning import reminder_states as rstate
from service.domain.planning.send_times import Rule
from service.store.models import Client, Reminder

__all__ = ["after_failed", "after_sent", "fallback_channel", "plans_after_sent"]

NO_ANSWER = "no_answer"
FAILED = "failed"


def fallback_channel(rule_channel: str, number_type: str, preference: str) -> str | None:
    """The channel a fallback really uses, or None when it must not be made.

    A landline cannot take a text; a client who chose texts only ("sms") is not
    called (they may not hear, or may not want calls). Tasks go to the worker.
    """
    if rule_channel == "task":
        return "task"
    if rule_channel == "voice":
        return None if preference == "sms" else "voice"
    if rule_channel == "sms":
        return "sms" if number_type == "mobile" else None
    return None


def after_sent(session: Session, rt: DomainContext, reminder: Reminder,
               now: datetime) -> list[Reminder]:
    """The original went out: plan its "no_answer" fallbacks, `wait` after it was sent."""
    return _plan(session, rt, reminder, now, (NO_ANSWER,), reminder.sent_at or now,
                 use_wait=True)


def plans_after_sent(rt: DomainContext, kind: str, rule_id: str, recipient: str) -> bool:
    """Could after_sent plan anything for this reminder? (Most rules have no fallback,
    and the batch path records those without loading the rows.)"""
    return recipient == "client" and bool(_rules_for(rt, kind, rule_id, (NO_ANSWER,)))


def after_failed(session: Session, rt: DomainContext, reminder: Reminder,
                 now: datetime) -> list[Reminder]:
    """The original did not get through: no answer can come, so plan every fallback now.

    A "no_answer" fallback goes at once (waiting for an answer to a message that
    never arrived helps nobody); a "failed" one after its own `wait`.
    """
    rows = _plan(session, rt, reminder, now, (FAILED,), now, use_wait=True)
    return rows + _plan(session, rt, reminder, now, (NO_ANSWER,), now, use_wait=False)


def _rules_for(rt: DomainContext, kind: str, original_rule_id: str, triggers: tuple[str, ...]
               ) -> list[Rule]:
    return [r for r in rt.schedules.for_kind(kind)
            if r.fallback_of == original_rule_id and r.fallback_on in triggers]


def _deadline(rt: DomainContext, kind: str, original: Reminder) -> datetime | None:
    """The moment after which the event's reminders are pointless.

    Each reminder's latest_at is that moment minus its own rule's min_lead.
    """
    if original.latest_at is None:
        return None
    rule = rt.schedules.find(kind, original.rule_id)
    return original.latest_at + (rule.min_lead if rule is not None else timedelta(0))


def _plan(session: Session, rt: DomainContext, original: Reminder, now: datetime,
          triggers: tuple[str, ...], base: datetime, *, use_wait: bool) -> list[Reminder]:
    if original.recipient != "client":
        return []  # fallbacks are about reaching the client, not a trusted person
    event, client = original.event, original.client
    rt = rt.for_team(client.team_id)  # the client's team's rules and window
    rules = _rules_for(rt, event.kind, original.rule_id, triggers)
    if not rules:
        return []
    made = set(session.scalars(select(Reminder.rule_id).where(
        Reminder.fallback_of == original.id)))
    deadline = _deadline(rt, event.kind, original)
    rows: list[Reminder] = []
    for rule in rules:
        if rule.id in made:
            continue
        channel = fallback_channel(rule.channel, client.number_type, client.channel)
        if channel is None or channel == original.channel:
            continue
        rows.append(_row(rt, original, client, rule, channel, now,
                         base + (rule.wait if use_wait else timedelta(0)), deadline))
    for row in rows:
        session.add(row)
    session.flush()
    return rows


def _row(rt: DomainContext, original: Reminder, client: Client, rule: Rule, channel: str,
         now: datetime, ideal: datetime, deadline: datetime | None) -> Reminder:
    latest = deadline - rule.min_lead if deadline is not None else None
    send_at = max(ideal, now)
    if channel != "task":
        send_at = rt.client_window(client.window).next_open(send_at)
    too_late = latest is not None and send_at > latest
    return Reminder(event_id=original.event_id, client_id=original.client_id, rule_id=rule.id,
                    template=rule.template, channel=channel,
                    recipient="worker" if channel == "task" else "client",
                    condition=rule.condition, fallback_of=original.id, send_at=send_at,
                    latest_at=latest, state=rstate.SKIPPED if too_late else rstate.PLANNED,
                    reason="too_late" if too_late else None, created_at=now, updated_at=now)
