"""Playing Twilio's side in tests: its HTTP answers at the SDK's boundary, its webhooks."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from twilio.http.response import Response

from service.config import Config
from service.gateways.twilio_http import RewritingHttpClient
from service.runtime import Runtime
from service.store.models import Message
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE_URL, Api, load_all

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
CLIENT_PHONE = "+358401234567"
OUR_NUMBER = "+358451234567"


def twilio_config(config: Config, api_base_url: str, **twilio: Any) -> Config:
    """The test config switched to the Twilio gateway, talking to `api_base_url`."""
    settings: dict[str, Any] = dict(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
                                    api_base_url=api_base_url, timeout_seconds=5.0,
                                    messages_per_second=1000.0, calls_per_second=1000.0)
    settings.update(twilio)
    return replace(config, gateway_kind="twilio", twilio=replace(config.twilio, **settings))


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    data: dict[str, object]
    status: int | None  # None: the scripted answer was a transport error
    scripted: bool


class ScriptedHttpClient(RewritingHttpClient):
    """The SDK's HTTP boundary: plays scripted answers first, then asks the real peer.

    Every exchange is recorded with the exact form data the SDK sent.
    """

    def __init__(self, api_base_url: str, timeout_seconds: float = 5.0) -> None:
        super().__init__(api_base_url, timeout_seconds)
        self.script: list[Response | Exception] = []
        self.exchanges: list[Exchange] = []

    def answer_error(self, code: int | None, status: int = 400,
                     message: str = "The 'To' number +358401234567 is not valid.") -> None:
        """Queue one Twilio error answer in Twilio's JSON error shape."""
        body: dict[str, Any] = {"code": code, "message": message,
                                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                                "status": status}
        self.script.append(Response(status, json.dumps(body),
                                    {"Content-Type": "application/json"}))

    def request(self, method: str, url: str, params: dict[str, object] | None = None,
                data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                auth: tuple[str, str] | None = None, timeout: float | None = None,
                allow_redirects: bool = False) -> Response:
        target = self.target(url)
        if self.script:
            answer = self.script.pop(0)
            if isinstance(answer, Exception):
                self.exchanges.append(Exchange(method, target, dict(data or {}), None, True))
                raise answer
            self.exchanges.append(Exchange(method, target, dict(data or {}),
                                           answer.status_code, True))
            return answer
        response = super().request(method, url, params=params, data=data, headers=headers,
                                   auth=auth, timeout=timeout, allow_redirects=allow_redirects)
        self.exchanges.append(Exchange(method, target, dict(data or {}), response.status_code,
                                       False))
        return response

    def peer_refusals(self) -> list[Exchange]:
        return [e for e in self.exchanges if not e.scripted and (e.status or 0) >= 400]


@dataclass(frozen=True)
class Registered:
    client_id: int
    event_id: int
    starts_at: datetime
    reminders: dict[str, dict[str, Any]]

    def due(self, rule: str = "week_before") -> datetime:
        return datetime.fromisoformat(self.reminders[rule]["send_at"]) + timedelta(seconds=1)


def register_appointment(api: Api, *, channel: str = "voice", language: str = "fi",
                         name: str = "Matti Mäkinen", phone: str = "040 123 4567",
                         days: int = 10) -> Registered:
    """A client and an appointment `days` ahead at 10 local time, through the JSON API."""
    created = api.post("/clients", {"name": name, "phone": phone, "language": language,
                                    "channel": channel})
    assert created.status_code == 201, created.json
    start = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=7, minute=0, second=0, microsecond=0)
    appt = api.post("/appointments", {
        "client_id": created.json["id"], "starts_at": start.isoformat(),
        "place": "Sosiaalitoimisto, Keskuskatu 5", "bring": "henkilökortti"})
    assert appt.status_code == 201, appt.json
    return Registered(created.json["id"], appt.json["id"], start,
                      {r["rule"]: r for r in appt.json["reminders"]})


def messages_of(rt: Runtime, reminder_id: int) -> list[Message]:
    return load_all(rt, select(Message).where(Message.reminder_id == reminder_id,
                                              Message.direction == "out")
                    .order_by(Message.id))


def local_path(url: str) -> str:
    """The path (and query) of one of our public URLs, as the test client requests it."""
    assert url.startswith(PUBLIC_BASE_URL + "/"), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def parse_twiml(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return root


def spoken(root: ET.Element) -> list[str]:
    """Every sentence a <Say> speaks, in order."""
    return ["".join(s.itertext()).strip() for say in root.iter("Say") for s in say.iter("s")]
