"""Helpers for the reaching-clients tests: a controlled clock, reminders by rule, Twilio's voice.

Everything runs through the real app, the real dispatch pass and the development
gateway; time moves only when a test says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.runtime import Runtime
from service.scheduling.dispatch import TickResult, tick
from service.store.db import transaction
from service.store.models import InboxItem, Message, Reminder
from tests.conftest import Api, load_all, signed_post

HEL = ZoneInfo("Europe/Helsinki")
SECOND = timedelta(seconds=1)


def hel(*args: int) -> datetime:
    return datetime(*args, tzinfo=HEL)


def new_client(api: Api, phone: str = "040 123 4567", channel: str = "auto",
               language: str = "fi", name: str = "Matti Mäkinen", **extra: Any) -> int:
    r = api.post("/clients", {"name": name, "phone": phone, "channel": channel,
                              "language": language, **extra})
    assert r.status_code == 201, r.json
    return int(r.json["id"])


def new_appointment(api: Api, client_id: int, starts_at: datetime, now: datetime,
                    **extra: Any) -> dict[str, Any]:
    clock.freeze(now)
    body = {"client_id": client_id, "starts_at": starts_at.isoformat(),
            "place": "Sosiaalitoimisto, Keskuskatu 5", **extra}
    r = api.post("/appointments", body)
    assert r.status_code == 201, r.json
    return dict(r.json)


def reminders(rt: Runtime, event_id: int) -> list[Reminder]:
    return load_all(rt, select(Reminder).where(Reminder.event_id == event_id)
                    .order_by(Reminder.id))


def by_rule(rt: Runtime, event_id: int) -> dict[str, Reminder]:
    """The reminders of an event for the client (or the worker), by rule id."""
    return {r.rule_id: r for r in reminders(rt, event_id) if r.recipient != "trusted"}


def run(rt: Runtime, at: datetime) -> TickResult:
    """One dispatch pass as if it were `at` (web requests see the same clock)."""
    clock.freeze(at)
    return tick(rt, now=at)


def last_message(rt: Runtime, channel: str) -> Message:
    with transaction(rt.sessions) as session:
        message = session.scalars(select(Message).where(
            Message.direction == "out", Message.channel == channel)
            .order_by(Message.id.desc()).limit(1)).one()
        session.expunge(message)
        return message


def call_status(client: FlaskClient, message: Message, status: str, at: datetime,
                answered_by: str | None = None) -> None:
    """Twilio's signed status callback for a call we placed."""
    clock.freeze(at)
    params = {"CallSid": message.gateway_sid or "", "CallStatus": status,
              "AccountSid": "AC" + "0" * 32}
    if answered_by:
        params["AnsweredBy"] = answered_by
    r = signed_post(client, f"/twilio/status/{message.callback_token}", params)
    assert r.status_code == 200


_sid = iter(range(10_000, 99_999))


def sms_reply(client: FlaskClient, sender: str, body: str, at: datetime,
              read: bool = True) -> None:
    """The client (or anyone) texts us, signed as Twilio would send it; read at once as
    the worker would (`read`), or only stored."""
    clock.freeze(at)
    r = signed_post(client, "/twilio/sms", {
        "MessageSid": f"SM{next(_sid):032d}", "AccountSid": "AC" + "0" * 32,
        "From": sender, "To": "+358451234567", "Body": body}, read=read)
    assert r.status_code == 200


def inbox(rt: Runtime, kind: str | None = None) -> list[InboxItem]:
    query = select(InboxItem).order_by(InboxItem.id)
    if kind is not None:
        query = query.where(InboxItem.kind == kind)
    return load_all(rt, query)
