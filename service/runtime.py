"""Everything a process needs, built once at start-up: config, database, files, gateway.

The web app, the worker and the CLI all build one Runtime, so the team's files are
validated at every start and a broken template stops the start with a clear error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.config import Config
from service.domain.calendar.window import SendingWindow, parse_window
from service.domain.messages.template_check import refuse_unsafe_templates
from service.domain.planning.schedules import ScheduleSet, load_schedules
from service.domain.texts.rendering import Sender
from service.domain.texts.templates import TemplateSet, load_templates
from service.gateways import Gateway, make_gateway
from service.gateways.shared_pace import share_rate_limits
from service.store.db import make_engine, make_session_factory
from service.store.work_signal import watch_sessions


@dataclass
class Runtime:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    templates: TemplateSet
    schedules: ScheduleSet
    window: SendingWindow
    gateway: Gateway

    @cached_property  # asked for every message; a Runtime's config is never changed
    def sender(self) -> Sender:
        c = self.config
        return Sender(team=c.team_name, team_phone=c.team_phone,
                      booking_number=c.transport_booking_number, tz=c.tz)

    def client_window(self, own: str | None) -> SendingWindow:
        """The team's window, narrowed by the client's own hours where they set some.

        Own hours are checked when saved; if the team's window changed since and they
        no longer fit, the team's window (still never at night) beats sending nothing.
        """
        if not own:
            return self.window
        try:
            return self.window.narrowed(parse_window(own))
        except ValueError:
            logging.getLogger(__name__).warning(
                "a client's own sending hours no longer fit the team window; using the team's")
            return self.window

    def public_url(self, path: str) -> str:
        return self.config.public_base_url.rstrip("/") + path

    # What domain code reads (service.domain.context.DomainContext), as plain values.
    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    @property
    def from_number(self) -> str:
        return self.config.twilio.from_number

    @property
    def gateway_name(self) -> str:
        return self.gateway.name

    @property
    def call_attempts(self) -> int:
        return self.config.twilio.call_attempts

    @property
    def call_retry_minutes(self) -> int:
        return self.config.twilio.call_retry_minutes


def team_window(config: Config) -> SendingWindow:
    return SendingWindow(
        weekday=parse_window(config.window),
        saturday=parse_window(config.saturday_window) if config.saturday_window else None,
        sunday=parse_window(config.sunday_window) if config.sunday_window else None,
        tz=config.tz,
    )


def load_team_files(config: Config) -> tuple[TemplateSet, ScheduleSet]:
    """Load and check the team's files: a link or a text over budget stops the start."""
    templates = load_templates(config.templates_dir)
    refuse_unsafe_templates(templates, config.sender)
    return templates, load_schedules(config.schedules_dir, templates)


def build_runtime(config: Config, engine: Engine | None = None,
                  gateway: Gateway | None = None) -> Runtime:
    templates, schedules = load_team_files(config)
    engine = engine or make_engine(config.database_url)
    sessions = make_session_factory(engine)
    watch_sessions(sessions, engine)  # new work wakes the worker (store/work_signal.py)
    if gateway is None:
        tw = config.twilio
        gateway = make_gateway(config.gateway_kind, tw)
        share_rate_limits(gateway, sessions,  # one rate for all processes
                          {"sms": tw.messages_per_second, "voice": tw.calls_per_second})
    return Runtime(config=config, engine=engine, sessions=sessions,
                   templates=templates, schedules=schedules, window=team_window(config),
                   gateway=gateway)
