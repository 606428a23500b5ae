"""The one small interface every gateway implements, and the one error type it raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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
    name: str

    def send_sms(self, to: str, body: str, *, status_callback: str | None) -> SendResult:
        ...

    def place_call(self, to: str, *, twiml_url: str, status_callback: str | None) -> SendResult:
        ...
