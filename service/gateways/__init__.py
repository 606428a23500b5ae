"""Gateways: how texts and calls leave the service."""

from __future__ import annotations

from service.gateways.base import Gateway, GatewayError, SendResult
from service.gateways.development import DevelopmentGateway
from service.gateways.twilio_settings import TwilioSettings

__all__ = ["Gateway", "GatewayError", "SendResult", "make_gateway"]


def make_gateway(kind: str, twilio: TwilioSettings) -> Gateway:
    """The configured gateway ("twilio" or "development"); built at start-up, never at
    import time."""
    if kind == "twilio":
        # Imported here, not above, only because the Twilio SDK costs a process that
        # does not use it about 5 MiB and 0.15 s at start (no cycle: twilio.py imports
        # nothing from this package's __init__).
        from service.gateways.twilio import TwilioGateway

        return TwilioGateway(twilio)
    return DevelopmentGateway()
