"""The real gateway: texts and calls through the twilio SDK (twilio.rest.Client).

Every way a send can end is turned into a SendResult or one GatewayError:
- Twilio answered with an error: permanent or transient by its code
  (service/gateways/twilio_errors.py);
- the request never left (connection refused, connect timeout, TLS handshake):
  transient, nothing was sent;
- the request left but no answer came (read timeout, connection reset): uncertain.
  Twilio has no idempotency key for creating messages or calls, so sending again
  could reach the client twice; dispatch marks it and a person decides.
Twilio's own error text is never passed on: it can contain the phone number.

After a crash mid-send the gateway can also say which messages it accepted
(find_sent, through service/gateways/twilio_lookup.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.rest import Client
from urllib3.exceptions import MaxRetryError, NewConnectionError

from service.gateways.base import GatewayError, SendResult
from service.gateways.rate_limit import Limiter, RateLimiter
from service.gateways.twilio_errors import ErrorOutcome, classify, describe
from service.gateways.twilio_http import RewritingHttpClient
from service.gateways.twilio_lookup import TwilioSentLookup
from service.gateways.twilio_settings import TwilioSettings
from service.store.states import MessageStatus

log = logging.getLogger(__name__)

# What a create request can truthfully report: Twilio has taken it, nothing more.
# Anything later (delivered, completed, ...) comes through status callbacks only;
# a call "completed" at creation would hide who (or what) answered it.
ACCEPTED_STATUSES = frozenset({MessageStatus.ACCEPTED, MessageStatus.QUEUED,
                               MessageStatus.SCHEDULED, MessageStatus.SENDING,
                               MessageStatus.INITIATED})


def accepted_status(status: object) -> str:
    text = str(getattr(status, "value", status) or "")
    return text if text in ACCEPTED_STATUSES else MessageStatus.QUEUED


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached Twilio: no connection was made."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError,
                        requests.exceptions.ProxyError)):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        inner = exc.args[0] if exc.args else None
        return isinstance(inner, MaxRetryError) and isinstance(inner.reason, NewConnectionError)
    return False


def rest_error(exc: TwilioRestException | TwilioServiceException) -> GatewayError:
    """Twilio answered with an error: its code decides permanent or transient."""
    code = exc.code if isinstance(exc.code, int) else None
    status = exc.status if isinstance(exc.status, int) else None
    return GatewayError(describe(code, status), code=code,
                        permanent=classify(code, status) is ErrorOutcome.PERMANENT)


def transport_error(exc: requests.RequestException) -> GatewayError:
    if _never_sent(exc):
        return GatewayError("yhteys Twilioon ei auennut, yritetään myöhemmin")
    return GatewayError("Twilio ei vastannut ajoissa: ei tiedetä, lähtikö viesti",
                        uncertain=True)


class TwilioGateway:
    name = "twilio"

    def __init__(self, settings: TwilioSettings, *, http_client: HttpClient | None = None,
                 limiter: Limiter | None = None) -> None:
        """Built at start-up from [twilio]; tests pass their own HTTP client boundary."""
        self.config = settings
        self.http_client = http_client or RewritingHttpClient(settings.api_base_url,
                                                              settings.timeout_seconds)
        self.client = Client(settings.account_sid, settings.auth_token,
                             http_client=self.http_client)
        self.limiter: Limiter = limiter or RateLimiter(
            {"sms": settings.messages_per_second, "voice": settings.calls_per_second})
        self.lookup = TwilioSentLookup(self.client, settings.from_number)

    def send_sms(self, to: str, body: str, *, status_callback: str | None,
                 sender: str | None = None) -> SendResult:
        params: dict[str, Any] = {"to": to, "body": body, **self._sms_sender(sender)}
        if status_callback:
            params["status_callback"] = status_callback
        message = self._create("sms", lambda: self.client.messages.create(**params))
        return SendResult(sid=str(message.sid), status=accepted_status(message.status))

    def _sms_sender(self, sender: str | None) -> dict[str, str]:
        """A team's messaging service or number; else the configured service, else the
        configured number."""
        if sender and sender.startswith("MG"):
            return {"messaging_service_sid": sender}
        if sender and sender != self.config.from_number:
            return {"from_": sender}
        if self.config.messaging_service_sid:
            return {"messaging_service_sid": self.config.messaging_service_sid}
        return {"from_": self.config.from_number}

    def place_call(self, to: str, *, twiml_url: str, status_callback: str | None,
                   sender: str | None = None) -> SendResult:
        # A call needs a number: a team's own, else the configured one (a team texting
        # through a messaging service calls from the installation's number).
        caller = sender if sender and not sender.startswith("MG") else self.config.from_number
        if not caller:
            raise GatewayError("puhelu tarvitsee lähettäjän numeron (twilio.from_number)",
                               permanent=True)
        # Only the final status is asked for (StatusCallbackEvent left at its default,
        # "completed"): it carries busy / no-answer / failed and AnsweredBy, which is
        # all that decides a call's outcome.
        params: dict[str, Any] = {"to": to, "from_": caller,
                                  "url": twiml_url, "method": "POST"}
        if status_callback:
            params.update(status_callback=status_callback, status_callback_method="POST")
        if self.config.machine_detection:
            params["machine_detection"] = "Enable"
        call = self._create("voice", lambda: self.client.calls.create(**params))
        return SendResult(sid=str(call.sid), status=accepted_status(call.status))

    def find_sent(self, *, channel: str, to: str, body: str | None,
                  since: datetime, sender: str | None = None) -> list[SendResult]:
        """Our messages (or calls) to `to` accepted since `since`, oldest first."""
        return self.lookup.find_sent(channel=channel, to=to, body=body, since=since,
                                     sender=sender)

    def _create(self, kind: str, create: Callable[[], Any]) -> Any:
        self.limiter.acquire(kind)
        try:
            return create()
        except (TwilioRestException, TwilioServiceException) as exc:
            error = rest_error(exc)
        except requests.RequestException as exc:
            error = transport_error(exc)
        log.warning("twilio %s not accepted: code=%s permanent=%s uncertain=%s (%s)", kind,
                    error.code, error.permanent, error.uncertain, error.message)
        raise error
