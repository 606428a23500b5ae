"""Handing one recorded outbound message to the gateway.

The message row is committed before this is called (by reminder_send.py, batch.py
or adhoc_messages.py), so nothing leaves that the database does not know of. The
call carries the addresses the gateway's answers come back to: the status callback
and, for a voice call, the script it speaks, both under the message's unguessable
callback token.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.gateways.base import SendResult
from service.runtime import Runtime
from service.store.models import Message

VOICE = "voice"


@dataclass(frozen=True)
class Outbound:
    """What a gateway call needs of a recorded message: plain values that any thread
    may read, where an ORM object belongs to its session."""

    id: int
    channel: str
    to_number: str
    body: str
    callback_token: str

    @classmethod
    def of(cls, message: Message) -> Outbound:
        return cls(message.id, message.channel, message.to_number, message.body or "",
                   message.callback_token or "")


def call(rt: Runtime, message: Message | Outbound) -> SendResult:
    """Hand one recorded message to the gateway (raises GatewayError when it is not taken)."""
    status_url = rt.public_url(f"/twilio/status/{message.callback_token}")
    if message.channel == VOICE:
        return rt.gateway.place_call(
            message.to_number, twiml_url=rt.public_url(f"/twilio/voice/{message.callback_token}"),
            status_callback=status_url)
    return rt.gateway.send_sms(message.to_number, message.body or "", status_callback=status_url)
