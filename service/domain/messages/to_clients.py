"""A worker's own text to one client (from the client page) or to many at once.

Why: the worker needs to say things no template says ("tomorrow's group: the room has
changed"). Such a text takes the normal queued path (scheduling/adhoc_messages.py): the
row is written first, it waits for the client's sending window (messages.not_before),
the pass sends it within the rate limits, and a client who says STOP before it goes is
not sent it. Opted-out, erased and text-less clients are left out and counted, so the
worker knows who must be called instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.errors import ValidationError
from service.domain.messages.outbound import queue_worker_text, sms_recipient
from service.domain.privacy import audit
from service.store.models import Client, Event, Message
from service.store.states import EventKind, EventState

__all__ = ["EXCLUDED", "BulkPlan", "appointment_clients", "plan_bulk", "queue_bulk",
           "queue_client_text", "why_left_out"]

# Why a client is left out of a message to many, in the order the page lists them.
EXCLUDED = {
    "opted_out": "kieltäytynyt viesteistä",
    "erased": "tiedot poistettu",
    "no_sms": "numeroon ei voi lähettää tekstiviestiä",
}


def why_left_out(client: Client) -> str | None:
    """The EXCLUDED reason a client gets no text, or None."""
    if client.anonymised_at is not None:
        return "erased"
    if client.opted_out:
        return "opted_out"
    if client.number_type != "mobile" or client.sms_blocked_at is not None:
        return "no_sms"
    return None


def queue_client_text(session: Session, rt: DomainContext, client: Client, text: str,
                      worker_id: int, now: datetime, detail: str = "client page") -> Message:
    """Queue a checked text to the client in the caller's transaction; it waits for the
    client's window when that is closed. The caller commits and sends it if it is due."""
    if client.sms_blocked_at is not None:
        raise ValidationError({"body": "Numeroon ei voi lähettää tekstiviestejä: tarkista "
                                       "numero tai soita asiakkaalle."})
    to = sms_recipient(client, None)
    message = queue_worker_text(rt, to=to, body=text, client=client, worker_id=worker_id,
                                now=now)
    window = rt.for_team(client.team_id).client_window(client.window)
    message.not_before = None if window.is_open(now) else window.next_open(now)
    session.add(message)
    session.flush()
    audit.record(session, worker_id, "send", "message", message.id, detail, at=now)
    return message


@dataclass
class BulkPlan:
    """Who gets the text, who is left out and why, and what it costs (an estimate)."""

    recipients: list[Client]
    left_out: Counter[str] = field(default_factory=Counter)

    @property
    def chosen(self) -> int:
        return len(self.recipients) + sum(self.left_out.values())


def plan_bulk(clients: Iterable[Client]) -> BulkPlan:
    """Split the chosen clients into recipients and those left out (each once)."""
    plan = BulkPlan(recipients=[])
    seen: set[int] = set()
    for client in clients:
        if client.id in seen:
            continue
        seen.add(client.id)
        reason = why_left_out(client)
        if reason is None:
            plan.recipients.append(client)
        else:
            plan.left_out[reason] += 1
    return plan


def queue_bulk(session: Session, rt: DomainContext, plan: BulkPlan, text: str,
               worker_id: int, now: datetime) -> list[Message]:
    """Queue the text to every recipient (all with the same created_at, which names the
    batch on its progress page); one audit entry with the counts."""
    if not plan.recipients:
        raise ValidationError({"clients": "Kukaan valituista ei voi saada tekstiviestiä."})
    messages = [queue_client_text(session, rt, client, text, worker_id, now, "bulk message")
                for client in plan.recipients]
    left = ", ".join(f"{k} {v}" for k, v in sorted(plan.left_out.items())) or "none"
    audit.record(session, worker_id, "send", "bulk", None,
                 f"{len(messages)} texts queued; left out: {left}", at=now)
    return messages


def appointment_clients(session: Session, day: date, tz: ZoneInfo,
                        worker_id: int | None = None,
                        within: ColumnElement[bool] | None = None) -> list[Client]:
    """Clients with an appointment still on (not cancelled or done) on the local day;
    `within` is the caller's access rule on clients (domain/teams/access.py)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    query = select(Client).join(Event, Event.client_id == Client.id).where(
        Event.kind == EventKind.APPOINTMENT, Event.starts_at >= start, Event.starts_at < end,
        Event.state.not_in([EventState.CANCELLED, EventState.DONE]))
    if worker_id is not None:
        query = query.where(Client.worker_id == worker_id)
    if within is not None:
        query = query.where(within)
    return list(session.scalars(query.order_by(Client.name, Client.id)).unique())
