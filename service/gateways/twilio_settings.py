"""What the Twilio gateway reads of the team's [twilio] settings.

A Protocol, not the configuration's own class: the gateways sit below the
configuration (docs/architecture.md), and service.config.TwilioConfig satisfies
this structurally (mypy checks it where the runtime builds the gateway).
"""

from __future__ import annotations

from typing import Protocol


class TwilioSettings(Protocol):
    @property
    def account_sid(self) -> str: ...

    @property
    def auth_token(self) -> str: ...

    @property
    def from_number(self) -> str: ...

    @property
    def messaging_service_sid(self) -> str: ...

    @property
    def api_base_url(self) -> str: ...

    @property
    def messages_per_second(self) -> float: ...

    @property
    def calls_per_second(self) -> float: ...

    @property
    def timeout_seconds(self) -> float: ...

    @property
    def machine_detection(self) -> bool: ...
