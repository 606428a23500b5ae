"""Domain code takes a narrow DomainContext (service/domain/context.py), never the runtime
or the configuration. The Runtime that the web, the worker and the CLI pass must fit it and
hand over the configured values; and domain code runs on a plain object that is no runtime.

mypy --strict checks this file too ([tool.mypy] files in pyproject.toml): `as_context` is
where the type checker proves that a Runtime is a DomainContext.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from service.config import Config, load_config
from service.domain.calendar.window import SendingWindow
from service.domain.context import DomainContext
from service.domain.events.lifecycle import plan_event
from service.domain.planning.schedules import ScheduleSet
from service.domain.texts.rendering import Sender
from service.domain.texts.templates import TemplateSet
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime, build_runtime, load_team_files
from service.store.db import make_engine
from service.store.models import Client, Event


def as_context(rt: Runtime) -> DomainContext:
    """What every caller does when it hands its Runtime to a domain function."""
    return rt


def test_the_runtime_gives_domain_code_the_configured_values(config: Config,
                                                             tmp_path: Path) -> None:
    twilio = replace(config.twilio, call_attempts=4, call_retry_minutes=17,
                     from_number="+358457654321")
    cfg = replace(config, time_zone="Europe/Stockholm", twilio=twilio)
    engine = make_engine(f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    rt = build_runtime(cfg, engine=engine, gateway=DevelopmentGateway())
    context = as_context(rt)
    assert context.tz == ZoneInfo("Europe/Stockholm")
    assert (context.call_attempts, context.call_retry_minutes) == (4, 17)
    assert context.from_number == "+358457654321"
    assert context.gateway_name == "development"
    assert context.sender == Sender(team="Sosiaalitoimi", team_phone="+358401111111",
                                    booking_number="+358800123456",
                                    tz=ZoneInfo("Europe/Stockholm"))
    assert context.templates is rt.templates and context.schedules is rt.schedules
    assert context.client_window("09:00-12:00").weekday == (time(9), time(12))
    assert context.client_window(None) is rt.window
    engine.dispose()


@dataclass(frozen=True)
class PlainContext:
    """No runtime, no config, no database: only what DomainContext asks for."""

    templates: TemplateSet
    schedules: ScheduleSet
    sender: Sender
    tz: ZoneInfo
    from_number: str = "+358451234567"
    gateway_name: str = "test"
    call_attempts: int = 3
    call_retry_minutes: int = 30

    def client_window(self, own: str | None) -> SendingWindow:
        return SendingWindow(weekday=(time(8), time(20)), tz=self.tz, holidays_country=None)

    def for_team(self, team_id: int | None) -> PlainContext:
        return self  # one team: the context itself


def test_domain_code_plans_with_a_plain_context() -> None:
    """A date in an event is a day in the context's time zone: the follow-up the day after
    the expected decision is at 10.00 there."""
    templates, schedules = load_team_files(load_config(env={}))
    tz = ZoneInfo("America/New_York")
    context: DomainContext = PlainContext(
        templates=templates, schedules=schedules,
        sender=Sender(team="Testitiimi", team_phone="+358401111111",
                      booking_number="+358800123456", tz=tz), tz=tz)
    client = Client(name="Matti Mäkinen", phone="+358401234567", number_type="mobile",
                    language="fi", channel="sms", window=None)
    expected = date(2026, 9, 15)
    event = Event(kind="application", agency="Kela", decision_expected=expected)
    plan = plan_event(event, client, context, datetime(2026, 9, 1, 12, 0, tzinfo=UTC))
    followup = next(p for p in plan if p.rule_id == "decision_followup")
    assert followup.send_at is not None
    assert followup.send_at.astimezone(tz) == datetime.combine(
        expected + timedelta(days=1), time(10, 0), tzinfo=tz)
    assert followup.channel == "sms" and "Testitiimi" in followup.text
