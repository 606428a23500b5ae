"""Asking Twilio whether it accepted a message or call we lost track of in a crash.

Used only by the take-over after a worker died mid-send
(service/scheduling/reconcile.py), through TwilioGateway.find_sent. Twilio has no
idempotency key, so the only way to know is to list what it holds for that number
and look for ours.

The list is asked by recipient only, newest first, and filtered here by creation
time and text: Twilio's DateSent filter would leave out exactly the messages that
matter most, those still queued at Twilio (a queued message has no date_sent yet),
and it counts whole days anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from service.gateways.base import GatewayError, SendResult
from service.store.states import MessageStatus

# Newest records asked for: a crashed send is minutes old, a client gets a few a week.
LOOKUP_LIMIT = 50


def _status(record: Any) -> str:
    status = record.status
    return str(getattr(status, "value", status) or MessageStatus.QUEUED)


def _created(record: Any) -> datetime | None:
    value = record.date_created
    return value if isinstance(value, datetime) else None


class TwilioSentLookup:
    """find_sent() over the Twilio REST API (the same client the gateway sends with)."""

    def _ours(self, sent_from: str | None, sender: str | None) -> bool:
        if sender and sender.startswith("MG"):
            return True  # a messaging service picks one of its numbers
        if not sent_from or not (self.from_number or sender):
            return True
        return sent_from in (self.from_number, sender)

    def __init__(self, client: Client, from_number: str) -> None:
        self.client = client
        self.from_number = from_number

    def find_sent(self, *, channel: str, to: str, body: str | None,
                  since: datetime, sender: str | None = None) -> list[SendResult]:
        """Our messages (or calls) to `to` created since `since`, oldest first: from our
        number, or from `sender` (a team's own number; through a team's messaging service
        any of its numbers)."""
        try:
            if channel == "voice":
                records = self.client.calls.list(to=to, limit=LOOKUP_LIMIT)
            else:
                records = self.client.messages.list(to=to, limit=LOOKUP_LIMIT)
        except TwilioRestException as exc:
            permanent = isinstance(exc.status, int) and 400 <= exc.status < 500 \
                and exc.status != 429
            raise GatewayError("Twilion viestilistaa ei saatu", code=exc.code
                               if isinstance(exc.code, int) else None,
                               permanent=permanent) from exc
        except requests.RequestException as exc:
            raise GatewayError("Twilion viestilistaa ei saatu (yhteysvirhe)") from exc
        found = []
        for record in records:
            created = _created(record)
            if created is None or created < since:
                continue
            if not self._ours(getattr(record, "from_", None), sender):
                continue
            if channel != "voice" and (record.body or "") != (body or ""):
                continue
            found.append((created, SendResult(sid=str(record.sid), status=_status(record))))
        found.sort(key=lambda pair: pair[0])
        return [result for _, result in found]
