"""The offline development gateway: nothing leaves the machine.

What would be sent is already in the messages table (dispatch writes it first), so
this gateway only hands out ids and says "delivered". The phone simulator in the
web UI reads the messages table to show what a basic phone would have received.
"""

from __future__ import annotations

import secrets
import threading

from service.gateways.base import GatewayError, SendResult
from service.store.states import MessageStatus


class DevelopmentGateway:
    name = "development"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[tuple[str, str, str]] = []  # (kind, to, body or url), for tests
        self.senders: list[str | None] = []  # the sender asked for, one per `sent` entry
        self.fail_next: list[GatewayError] = []
        # "delivered" at once; a test sets "queued" to play a call's status callbacks itself.
        self.call_status: str = MessageStatus.DELIVERED

    def _result(self, prefix: str, status: str = MessageStatus.DELIVERED) -> SendResult:
        """Sids of Twilio's shape (two letters, 32 hex digits): the simulator and tests post
        them back to the webhooks, which refuse any other shape."""
        return SendResult(sid=f"{prefix}{secrets.token_hex(16)}", status=status)

    def send_sms(self, to: str, body: str, *, status_callback: str | None,
                 sender: str | None = None) -> SendResult:
        with self._lock:
            if self.fail_next:
                raise self.fail_next.pop(0)
            self.sent.append(("sms", to, body))
            self.senders.append(sender)
        return self._result("SM")

    def place_call(self, to: str, *, twiml_url: str, status_callback: str | None,
                   sender: str | None = None) -> SendResult:
        with self._lock:
            if self.fail_next:
                raise self.fail_next.pop(0)
            self.sent.append(("voice", to, twiml_url))
            self.senders.append(sender)
        return self._result("CA", self.call_status)
