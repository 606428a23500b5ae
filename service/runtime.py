"""Everything a process needs, built once at start-up: config, database, files, gateway.

The web app, the worker and the CLI all build one Runtime, so the team's files are
validated at every start and a broken template stops the start with a clear error.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from service.config import Config
from service.domain.calendar.window import SendingWindow, parse_window
from service.domain.messages.template_check import UnsafeTemplates, refuse_unsafe_templates
from service.domain.planning.schedules import ScheduleError, ScheduleSet, load_schedules
from service.domain.teams.setup import ConfigTeam, follow_config
from service.domain.texts.rendering import Sender
from service.domain.texts.templates import TemplateError, TemplateSet, load_templates
from service.gateways import Gateway, make_gateway
from service.gateways.shared_pace import share_rate_limits
from service.store.db import make_engine, make_session_factory
from service.store.models import TeamFileVersion
from service.store.work_signal import watch_sessions

TEAM_FILE_ROOTS = ("message_templates", "schedules")
TeamFileProblem = (TemplateError, ScheduleError, UnsafeTemplates)


@dataclass
class Runtime:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    templates: TemplateSet
    schedules: ScheduleSet
    window: SendingWindow
    gateway: Gateway
    files_version: int = 0  # the newest team_file_versions id in force here (0: disk only)

    def refresh_team_files(self, session: Session | None = None) -> bool:
        """Put the team's files as last saved in the UI in force, if they changed.

        One cheap query per web request and dispatch pass, so an admin's edit reaches
        every process without a restart. A web request passes its own session: the
        query then opens the request's transaction instead of checking out, pinging,
        beginning and rolling back a connection of its own (three round trips fewer).
        A version that no longer loads (the files on disk changed under it) is logged
        and the files in force are kept.
        """
        try:
            if session is None:
                with self.sessions() as own:
                    overrides = self._newer_overrides(own)
            else:
                overrides = self._newer_overrides(session)
        except DBAPIError:  # not migrated yet (init-db runs after the first start)
            if session is not None:
                session.rollback()
            return False
        if overrides is None:
            return False
        newest, saved = overrides
        try:
            self.templates, self.schedules = load_team_files(self.config, saved)
        except TeamFileProblem as exc:
            logging.getLogger(__name__).error("team files saved in the UI do not load: %s", exc)
        self.files_version = newest
        return True

    def _newer_overrides(self, session: Session) -> tuple[int, dict[str, str | None]] | None:
        """The newest saved version and the files as saved, if newer than those in force."""
        newest = session.scalar(select(func.max(TeamFileVersion.id))) or 0
        if newest == self.files_version:
            return None
        return newest, team_file_overrides(session)

    @cached_property  # asked for every message; a Runtime's config is never changed
    def sender(self) -> Sender:
        return self.config.sender

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


def team_file_overrides(session: Session) -> dict[str, str | None]:
    """The newest saved version of every team file edited in the UI (None: the disk's)."""
    newest = (select(func.max(TeamFileVersion.id)).group_by(TeamFileVersion.path)
              .scalar_subquery())
    rows = session.execute(select(TeamFileVersion.path, TeamFileVersion.content)
                           .where(TeamFileVersion.id.in_(newest)))
    return {path: content for path, content in rows}


def team_file_path(config: Config, relative: str) -> Path | None:
    """The file on disk for "message_templates/sms/x.fi.txt" or "schedules/y.toml", if any.

    Only existing files inside the two folders can be edited: a path from a form never
    reaches outside them.
    """
    parts = PurePosixPath(relative).parts
    if len(parts) < 2 or parts[0] not in TEAM_FILE_ROOTS or ".." in parts:
        return None
    base = config.templates_dir if parts[0] == "message_templates" else config.schedules_dir
    path = base.joinpath(*parts[1:])
    return path if path.is_file() and base.resolve() in path.resolve().parents else None


def load_team_files(config: Config, overrides: Mapping[str, str | None] | None = None
                    ) -> tuple[TemplateSet, ScheduleSet]:
    """Load and check the team's files: a link or a text over budget stops the start.

    With `overrides` (versions saved in the UI) the same checks run on the files on disk
    with those versions laid over them, in a scratch copy: the disk stays the default.
    Problems name the file relative to the team folders.
    """
    edited = {path: text for path, text in (overrides or {}).items()
              if text is not None and team_file_path(config, path) is not None}
    if not edited:
        templates = load_templates(config.templates_dir)
        refuse_unsafe_templates(templates, config.sender)
        return templates, load_schedules(config.schedules_dir, templates)
    with tempfile.TemporaryDirectory(prefix="rinnalla-files-") as tmp:
        root = Path(tmp)
        shutil.copytree(config.templates_dir, root / "message_templates")
        shutil.copytree(config.schedules_dir, root / "schedules")
        for path, text in edited.items():
            (root / path).write_text(text, encoding="utf-8")
        try:
            templates = load_templates(root / "message_templates")
            refuse_unsafe_templates(templates, config.sender)
            return templates, load_schedules(root / "schedules", templates)
        except TeamFileProblem as exc:
            exc.args = (str(exc).replace(f"{root}/", ""),)
            raise


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
    name_the_config_team(config, sessions)
    return Runtime(config=config, engine=engine, sessions=sessions,
                   templates=templates, schedules=schedules, window=team_window(config),
                   gateway=gateway)


def name_the_config_team(config: Config, sessions: sessionmaker[Session]) -> None:
    """The installation's own team follows `[team]` at every start (no manual step when
    an installation becomes one team of many); before init-db there is nothing to name."""
    configured = ConfigTeam(name=config.team_name, name_sv=config.team_name_sv,
                            name_en=config.team_name_en, phone=config.team_phone,
                            booking_number=config.transport_booking_number)
    try:
        with sessions.begin() as session:
            follow_config(session, configured)
    except DBAPIError:  # not migrated yet: init-db names it when it runs
        logging.getLogger(__name__).info("teams not named yet: the database is not migrated")
