"""Handing one recorded outbound message to the gateway, and recording its status.

The message row is committed before the call (by reminder_send.py, batch.py or
adhoc_messages.py), so nothing leaves that the database does not know of. The call
carries the addresses the gateway's answers come back to: the status callback and,
for a voice call, the script it speaks, both under the message's unguessable
callback token.

What the call's answer does to the message's status goes through the message
machine (delivery.move_status). A status callback can be quicker than our own
recording: a message it moved further keeps that status (the furthest is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.messages.delivery import known_status, move_status, status_on_acceptance
from service.gateways.base import SendResult
from service.runtime import Runtime
from service.store.models import Message
from service.store.states import MESSAGE_TRANSITIONS, MessageStatus, can_move

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
    from_number: str = ""  # the team's sender the row names ("" : the gateway's own)

    @classmethod
    def of(cls, message: Message) -> Outbound:
        return cls(message.id, message.channel, message.to_number, message.body or "",
                   message.callback_token or "", message.from_number or "")


def call(rt: Runtime, message: Message | Outbound) -> SendResult:
    """Hand one recorded message to the gateway (raises GatewayError when it is not taken)."""
    status_url = rt.public_url(f"/twilio/status/{message.callback_token}")
    # The sender the row was written with (the client's team's), so every path and a
    # retry send from the same one.
    sender = message.from_number or None
    if message.channel == VOICE:
        return rt.gateway.place_call(
            message.to_number, twiml_url=rt.public_url(f"/twilio/voice/{message.callback_token}"),
            status_callback=status_url, sender=sender)
    return rt.gateway.send_sms(message.to_number, message.body or "", status_callback=status_url,
                               sender=sender)


def accepted_status(current: MessageStatus, word: str) -> MessageStatus:
    """A message's status once the gateway's acceptance (its status `word`) is recorded:
    that word, unless a status callback was quicker and moved the row further; a word
    that names no status leaves it as it is."""
    new = known_status(status_on_acceptance(current, word))
    return new if new is not None and can_move(MESSAGE_TRANSITIONS, current, new) else current


def record_acceptance(message: Message, sent: SendResult) -> None:
    """The gateway took the message: its id, and its status (accepted_status)."""
    message.gateway_sid = sent.sid
    move_status(message, accepted_status(message.status, sent.status))


def settle_status(message: Message, new: MessageStatus) -> None:
    """Our own verdict on a message after its call (failed, unknown, queued again),
    unless a status callback has already moved it further."""
    if can_move(MESSAGE_TRANSITIONS, message.status, new):
        move_status(message, new)
