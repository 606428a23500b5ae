"""What domain code needs from the running service, and nothing more.

Domain functions take a DomainContext instead of the runtime or the configuration, so
the domain depends on nothing above it: the web, the worker and the CLI pass their
service.runtime.Runtime, which has these members, and a test may pass anything that
has them. Keep it to what domain code really reads.
"""

from __future__ import annotations

from typing import Protocol
from zoneinfo import ZoneInfo

from service.domain.calendar.window import SendingWindow
from service.domain.planning.schedules import ScheduleSet
from service.domain.texts.rendering import Sender
from service.domain.texts.templates import TemplateSet


class DomainContext(Protocol):
    """The team's files and settings as domain code reads them (read-only)."""

    @property
    def templates(self) -> TemplateSet:
        """The team's message templates, validated at start-up."""

    @property
    def schedules(self) -> ScheduleSet:
        """The team's reminder rules, validated against the templates."""

    @property
    def sender(self) -> Sender:
        """Who a message says it comes from, and the numbers to call back."""

    @property
    def tz(self) -> ZoneInfo:
        """The team's time zone: a date in an event is a day in this zone."""

    @property
    def from_number(self) -> str:
        """The number texts and calls go out from (recorded on each message row)."""

    @property
    def gateway_name(self) -> str:
        """Which gateway sends ("development", "twilio"), recorded on each message row."""

    @property
    def call_attempts(self) -> int:
        """How many times a call no person answered is placed in all."""

    @property
    def call_retry_minutes(self) -> int:
        """How long to wait before calling again."""

    def client_window(self, own: str | None) -> SendingWindow:
        """The team's sending window narrowed by a client's own hours ("09:00-17:00")."""

    def for_team(self, team_id: int | None) -> DomainContext:
        """One team's context: its name, numbers, window, sender and files, each the
        installation's where the team has none. Domain code that has a client asks for
        the client's team (`rt.for_team(client.team_id)`): the same answer whichever
        context it was given."""
