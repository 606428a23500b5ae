"""The HTTP client the Twilio SDK talks through: timeouts, no hidden retries, a loopback peer.

In production every request goes to https://api.twilio.com. When twilio.api_base_url
names something else (the Prism peer in tests), requests are rewritten to it, and
only a loopback address is accepted: a typo in the configuration must never send
clients' numbers and messages to some other server.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

TWILIO_API = "https://api.twilio.com"
CONNECT_TIMEOUT_CAP = 5.0

log = logging.getLogger(__name__)
# The SDK logs every request (URL, headers, form) at INFO: keep that out of our logs.
_sdk_log = logging.getLogger(__name__ + ".sdk")
_sdk_log.setLevel(logging.WARNING)


class PeerAddressError(ValueError):
    """twilio.api_base_url is neither Twilio's nor a loopback address."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def peer_base_url(api_base_url: str) -> str | None:
    """None for Twilio itself, else the loopback base URL requests are rewritten to."""
    base = api_base_url.strip().rstrip("/")
    if base in ("", TWILIO_API):
        return None
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PeerAddressError(f"twilio.api_base_url {base!r} is not an http(s) URL")
    if not _is_loopback(parts.hostname):
        raise PeerAddressError(f"twilio.api_base_url may only point at a loopback address "
                               f"(127.0.0.1, ::1, localhost), not {parts.hostname!r}")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise PeerAddressError("twilio.api_base_url must be scheme://host:port only")
    return base


class RewritingHttpClient(TwilioHttpClient):  # type: ignore[misc]  # the SDK has no types
    """TwilioHttpClient with a connect and a read timeout, pointed at a peer if configured.

    requests does no retries here (max_retries is 0): whether to send again is the
    dispatch pass's decision, taken from the error the gateway raises.
    """

    def __init__(self, api_base_url: str = TWILIO_API, timeout_seconds: float = 10.0) -> None:
        if timeout_seconds <= 0:
            raise ValueError("twilio.timeout_seconds must be above zero")
        super().__init__(pool_connections=True, logger=_sdk_log)
        self.peer = peer_base_url(api_base_url)
        # requests takes (connect, read); the SDK's own type says float only.
        self.timeout = (min(CONNECT_TIMEOUT_CAP, timeout_seconds),
                        timeout_seconds)

    def target(self, url: str) -> str:
        """Where a request for `url` really goes; refuses to leave loopback when a peer is set."""
        if self.peer is None:
            return url
        if url == TWILIO_API or url.startswith(TWILIO_API + "/"):
            return self.peer + url[len(TWILIO_API):]
        raise PeerAddressError(f"a peer is configured; refusing a request to "
                               f"{urlsplit(url).hostname!r}")

    def request(self, method: str, url: str, params: dict[str, object] | None = None,
                data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                auth: tuple[str, str] | None = None, timeout: float | None = None,
                allow_redirects: bool = False) -> Response:
        return super().request(method, self.target(url), params=params, data=data,
                               headers=headers, auth=auth, timeout=timeout,
                               allow_redirects=allow_redirects)
