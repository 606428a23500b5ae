"""Gateways: how texts and calls leave the service."""

from __future__ import annotations

from service.config import Config
from service.gateways.base import Gateway, GatewayError, SendResult

__all__ = ["Gateway", "GatewayError", "SendResult", "make_gateway"]


def make_gateway(config: Config) -> Gateway:
    """The configured gateway; built at start-up, never at import time."""
    if config.gateway_kind == "twilio":
        from service.gateways.twilio import TwilioGateway

        return TwilioGateway(config)
    from service.gateways.development import DevelopmentGateway

    return DevelopmentGateway()
