"""A client's number the gateway says is wrong: stop that channel, tell the worker once.

Why: after Twilio answered that a number does not exist (21211), every later reminder
to it failed the same way, cost money and gave the worker one item per reminder. Now
a permanent number error (gateways/twilio_errors.number_problem) blocks that channel
to the client's number for every event, skips what was planned on it, and marks the
number as needing checking, with one inbox item. A number that cannot take texts (a
landline, 21614 / 30006) still takes calls: the client is moved to calls and the
open events are planned again. Editing the number clears the marks (clients.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.events.lifecycle import replan_client
from service.domain.planning import reminder_states as rstate
from service.domain.teams.cover import place, route
from service.gateways.twilio_errors import NO_SMS
from service.store.models import Client, InboxItem, Reminder
from service.store.states import InboxKind, ListenReason, ReminderState

__all__ = ["clear_number_checks", "number_failed"]

# The worker's one item; "{why}" is the gateway's error in words (twilio_errors).
SUMMARIES = {
    "sms": "Tarkista asiakkaan puhelinnumero ({why}). Tekstiviestit tähän numeroon on "
           "pysäytetty, kunnes numero korjataan.",
    "voice": "Tarkista asiakkaan puhelinnumero ({why}). Muistutussoitot tähän numeroon on "
             "pysäytetty, kunnes numero korjataan.",
    NO_SMS: "Asiakkaan numero ei ota vastaan tekstiviestejä ({why}). Muistutukset tulevat "
            "nyt puheluina. Tarkista numero.",
}
BLOCKED = {"sms": ListenReason.SMS_BLOCKED, "voice": ListenReason.VOICE_BLOCKED}


def number_failed(session: Session, rt: DomainContext, client: Client, channel: str,
                  problem: str, why: str, now: datetime) -> None:
    """A permanent number error on `channel` ("sms" or "voice"): block it for every
    event; a number that takes no texts moves to calls. The worker is told once,
    however many reminders were on their way."""
    first = client.phone_check_reason is None
    if channel == "sms":
        already = client.sms_blocked_at is not None
        client.sms_blocked_at = client.sms_blocked_at or now
    else:
        already = client.voice_blocked_at is not None
        client.voice_blocked_at = client.voice_blocked_at or now
    if first:
        client.phone_check_reason = problem
    if already:
        return
    to_calls = channel == "sms" and problem == NO_SMS and client.voice_blocked_at is None
    if to_calls:
        client.number_type = "fixed_line"  # what a landline is: it takes calls only
        replan_client(session, rt, client, now, reason=ListenReason.SMS_BLOCKED)
    else:
        skip_blocked(session, client, channel, now)
    if first:
        session.add(place(session, InboxItem(
            client_id=client.id, kind=InboxKind.FAILED, created_at=now,
            summary=SUMMARIES[NO_SMS if to_calls else channel].format(why=why)[:300]),
            route(session, client, now), now))


def skip_blocked(session: Session, client: Client, channel: str, now: datetime) -> int:
    """Skip the client's planned reminders on a blocked channel, for every event."""
    count = 0
    for reminder in session.scalars(select(Reminder).where(
            Reminder.client_id == client.id, Reminder.recipient == "client",
            Reminder.channel == channel, Reminder.state == ReminderState.PLANNED)):
        rstate.move(reminder, ReminderState.SKIPPED, BLOCKED[channel])
        reminder.updated_at = now
        count += 1
    return count


def clear_number_checks(client: Client) -> bool:
    """The worker edited the number: try it again on every channel. True if marks cleared."""
    marked = client.phone_check_reason is not None or client.sms_blocked_at is not None \
        or client.voice_blocked_at is not None
    client.phone_check_reason = None
    client.sms_blocked_at = client.voice_blocked_at = None
    return marked
