"""Telling a client that their appointment has moved or is cancelled, by their channel.

Why: a client who is not told of a new time comes at the old one, and a landline
client (or one who reads poorly and gets calls) never sees a text. A notice is an
ad-hoc message row in status "queued" (service/domain/messages/outbound.py), sent by
the web at once or by the next dispatch pass (scheduling/adhoc_messages.py), so it
reaches the gateway the way every other ad-hoc message does. Outside the client's
sending window it waits for the window (messages.not_before); a client who has
opted out, or whose data was erased, gets nothing. Every notice queued is audited.

A whole series cancelled is told once, for the series (SERIES_CANCELLED names its
weekday and time, "ti klo 10.00"), not once for each coming occurrence: a client on a
basic phone would otherwise get a stack of texts or calls at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.events import recurrence
from service.domain.events.lifecycle import resolve_channel
from service.domain.messages.outbound import new_outbound_message
from service.domain.privacy import audit
from service.domain.texts.rendering import Weekly, render_text
from service.store.models import Client, Event, Message
from service.store.states import EventKind, MessageStatus

MOVED = "appointment_moved"
CANCELLED = "appointment_cancelled"
SERIES_CANCELLED = "series_cancelled"
# Why a notice was not queued (the API returns it; the UI says it in words).
OPTED_OUT = "opted_out"
ERASED = "erased"
NO_TEMPLATE = "no_template"
NOT_APPOINTMENT = "not_appointment"


@dataclass(frozen=True)
class Notice:
    """What became of one notice: the queued message (None when not sent) and why not."""

    channel: str
    message: Message | None = None
    skipped: str | None = None


def notice_channel(client: Client) -> str:
    """The client's own channel: a landline or a voice preference gets a call."""
    return resolve_channel("auto", client.number_type, client.channel)


def notice_text(rt: DomainContext, event: Event, template: str, channel: str) -> str:
    """The notice as the client will read or hear it, in their language."""
    rt = rt.for_team(event.client.team_id)  # the client's team's name and numbers
    weekly = Weekly(*recurrence.weekly_days(event.recurrence)) \
        if event.recurrence is not None else None
    return render_text(rt.templates, channel, template, event.client.language, event,
                       rt.sender, weekly=weekly)


def why_not(rt: DomainContext, event: Event, template: str, channel: str) -> str | None:
    """Why this notice cannot be sent to this client (None: it can)."""
    client = event.client
    rt = rt.for_team(client.team_id)
    if event.kind != EventKind.APPOINTMENT:
        return NOT_APPOINTMENT
    if client.anonymised_at is not None:
        return ERASED
    if client.opted_out:
        return OPTED_OUT
    if not rt.templates.has(channel, template):
        return NO_TEMPLATE
    return None


def queue_notice(session: Session, rt: DomainContext, event: Event, template: str, *,
                 now: datetime, worker_id: int | None, body: str | None = None) -> Notice:
    """Queue one notice (MOVED, CANCELLED or SERIES_CANCELLED) to the event's client, in
    the caller's transaction. `body` is a worker's own wording of a text; a call always
    speaks the team's template. The caller commits, then may send it at once if due."""
    client = event.client
    rt = rt.for_team(client.team_id)  # the team's window and sender
    channel = notice_channel(client)
    skipped = why_not(rt, event, template, channel)
    if skipped is not None:
        return Notice(channel, skipped=skipped)
    text = body if body and channel == "sms" else notice_text(rt, event, template, channel)
    window = rt.client_window(client.window)
    message = new_outbound_message(
        channel=channel, to=client.phone, body=text, from_number=rt.from_number,
        gateway=rt.gateway_name, status=MessageStatus.QUEUED, now=now, client_id=client.id,
        event_id=event.id, worker_id=worker_id)
    message.not_before = None if window.is_open(now) else window.next_open(now)
    session.add(message)
    session.flush()
    audit.record(session, worker_id, "send", "message", message.id,
                 f"{template} notice by {channel}")
    return Notice(channel, message=message)


def due_now(notice: Notice, now: datetime) -> bool:
    """Whether the queued notice may go at once (else the pass sends it in the window)."""
    message = notice.message
    return message is not None and (message.not_before is None or message.not_before <= now)
