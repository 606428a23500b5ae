"""The one small interface every gateway implements, and the one error type it raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class SendResult:
    """What the gateway said when it accepted a message or call."""

    sid: str
    status: str  # the gateway's status word, e.g. "queued", "delivered"


class GatewayError(Exception):
    """A send that did not go through.

    permanent: retrying cannot help (invalid number, landline for SMS, unsubscribed).
    uncertain: the request may have reached the gateway but no answer came; repeating
    it blindly could send twice, so a human or a reconciliation decides.
    """

    def __init__(self, message: str, *, code: int | None = None, permanent: bool = False,
                 uncertain: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent
        self.uncertain = uncertain
        self.retry_after = retry_after


class Gateway(Protocol):
    """`sender` is what the message goes out from: a team's own number or messaging
    service (MG...); None or the configured number: the gateway's configured sender."""

    name: str

    def send_sms(self, to: str, body: str, *, status_callback: str | None,
                 sender: str | None = None) -> SendResult:
        ...

    def place_call(self, to: str, *, twiml_url: str, status_callback: str | None,
                   sender: str | None = None) -> SendResult:
        ...


@runtime_checkable
class SentLookup(Protocol):
    """A gateway that can tell which messages it accepted (the development one cannot).

    Asked only after a crash mid-send (service/scheduling/reconcile.py): there is no
    idempotency key, so this is the only way to learn whether a request got through.
    """

    def find_sent(self, *, channel: str, to: str, body: str | None,
                  since: datetime, sender: str | None = None) -> list[SendResult]:
        """Messages or calls to `to` accepted since `since` that match `body`, oldest first
        (sent from `sender`, a team's own, when one is given)."""
        ...
