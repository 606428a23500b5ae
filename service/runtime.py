"""Everything a process needs, built once at start-up: config, database, files, gateway.

The web app, the worker and the CLI all build one Runtime, so the team's files are
validated at every start and a broken template stops the start with a clear error.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from service.config import Config
from service.domain.calendar.window import SendingWindow, parse_window
from service.domain.messages.template_check import UnsafeTemplates, refuse_unsafe_templates
from service.domain.planning.schedules import ScheduleError, ScheduleSet, load_schedules
from service.domain.teams.settings import (
    TeamSettings,
    is_plain,
    team_from_number,
    team_sender,
)
from service.domain.teams.settings import team_window as own_window
from service.domain.teams.setup import ConfigTeam, follow_config
from service.domain.texts.rendering import Sender
from service.domain.texts.templates import TemplateError, TemplateSet, load_templates
from service.gateways import Gateway, make_gateway
from service.gateways.shared_pace import share_rate_limits
from service.store.db import make_engine, make_session_factory
from service.store.models import Team, TeamFileVersion
from service.store.work_signal import watch_sessions

TEAM_FILE_ROOTS = ("message_templates", "schedules")
TeamFileProblem = (TemplateError, ScheduleError, UnsafeTemplates)
# Whether any team changed: their count and summed versions (every edit bumps one).
TEAMS_VERSION = (select(func.count(Team.id)).scalar_subquery(),
                 select(func.coalesce(func.sum(Team.version), 0)).scalar_subquery())
# Asked on every web request: built once, so a request does not build it again.
FILES_AND_TEAMS_VERSION = select(select(func.max(TeamFileVersion.id)).scalar_subquery(),
                                 *TEAMS_VERSION)


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
    # Each team's context, built when first asked for; dropped when the teams or the
    # installation's files change (teams_version: the teams' count and summed versions).
    # None: a team with nothing of its own, for which the runtime itself answers. (Not
    # copied by dataclasses.replace: a changed copy builds its own.)
    teams: dict[int, TeamContext | None] = field(default_factory=dict, init=False)
    teams_version: tuple[int, int] = field(default=(0, 0), init=False)

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
        self.teams.clear()  # a team without its own files uses these
        return True

    def _newer_overrides(self, session: Session) -> tuple[int, dict[str, str | None]] | None:
        """The newest saved version and the files as saved, if newer than those in force;
        in the same statement, whether any team changed (its contexts are then dropped)."""
        newest, count, versions = session.execute(FILES_AND_TEAMS_VERSION).one()
        if (count, versions) != self.teams_version:
            self.teams.clear()
            self.teams_version = (count, versions)
        if (newest or 0) == self.files_version:
            return None
        return newest or 0, team_file_overrides(session)

    def for_team(self, team_id: int | None) -> Runtime | TeamContext:
        """The team's context: its texts, window and sender, falling back to the
        installation's (kept per team until a team or the installation's files change).
        A team with nothing of its own (the installation's team as `[team]` names it) is
        answered by the runtime itself."""
        key = team_id or 0
        if key not in self.teams:
            self.teams[key] = self._team_context(team_id)
        return self.teams[key] or self

    def _team_context(self, team_id: int | None) -> TeamContext | None:
        settings = None
        if team_id is not None:
            with self.sessions() as session:
                team = session.get(Team, team_id)
                settings = TeamSettings.of(team) if team is not None else None
        if settings is None or is_plain(settings):  # the installation's own settings
            return None
        try:
            return team_context(self, settings)
        except (*TeamFileProblem, ValueError) as exc:
            logging.getLogger(__name__).error(
                "team %s: its files or window do not load (%s); the installation's are used",
                settings.id, exc)
            return TeamContext(self, settings.id, self.templates, self.schedules,
                               team_sender(settings, self.sender), self.window,
                               team_from_number(settings, self.from_number))

    def forget_teams(self) -> None:
        """A team was edited in this process: build its context again when next asked."""
        self.teams.clear()

    @cached_property  # asked for every message; a Runtime's config is never changed
    def sender(self) -> Sender:
        return self.config.sender

    def client_window(self, own: str | None) -> SendingWindow:
        return narrowed_window(self.window, own)

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


def narrowed_window(window: SendingWindow, own: str | None) -> SendingWindow:
    """The team's window, narrowed by the client's own hours where they set some.

    Own hours are checked when saved; if the team's window changed since and they
    no longer fit, the team's window (still never at night) beats sending nothing.
    """
    if not own:
        return window
    try:
        return window.narrowed(parse_window(own))
    except ValueError:
        logging.getLogger(__name__).warning(
            "a client's own sending hours no longer fit the team window; using the team's")
        return window


@dataclass(frozen=True)
class TeamContext:
    """One team's files and settings, as domain code reads them (a DomainContext):
    its own where it has them, the installation's where it has not."""

    runtime: Runtime
    team_id: int
    templates: TemplateSet
    schedules: ScheduleSet
    sender: Sender
    window: SendingWindow
    from_number: str

    def client_window(self, own: str | None) -> SendingWindow:
        return narrowed_window(self.window, own)

    def for_team(self, team_id: int | None) -> Runtime | TeamContext:
        return self.runtime.for_team(team_id)

    @property
    def config(self) -> Config:
        return self.runtime.config

    def public_url(self, path: str) -> str:
        return self.runtime.public_url(path)

    @property
    def tz(self) -> ZoneInfo:
        return self.runtime.tz

    @property
    def gateway_name(self) -> str:
        return self.runtime.gateway_name

    @property
    def call_attempts(self) -> int:
        return self.runtime.call_attempts

    @property
    def call_retry_minutes(self) -> int:
        return self.runtime.call_retry_minutes


# What for_team answers: a team's own context, or the runtime for a team with nothing
# of its own. Both are DomainContexts with `config` and `public_url`.
TeamView = Runtime | TeamContext


def team_context(rt: Runtime, team: TeamSettings) -> TeamContext:
    """Build a team's context; its files and window are checked as the installation's
    are (TeamFileProblem or ValueError naming the team when they do not pass)."""
    sender = team_sender(team, rt.sender)
    templates, schedules = rt.templates, rt.schedules
    try:
        if team.files_dir:
            overrides = team_file_overrides_of(rt)
            templates, schedules = load_team_files(rt.config, overrides,
                                                   Path(team.files_dir), sender)
        elif sender != rt.sender:
            refuse_unsafe_templates(templates, sender)  # its name and number in every text
        window = own_window(team, rt.window)
    except (*TeamFileProblem, ValueError) as exc:
        folder = f", folder {team.files_dir}" if team.files_dir else ""
        exc.args = (f"team {team.id} ({team.name}{folder}): {exc}",)
        raise
    return TeamContext(rt, team.id, templates, schedules, sender, window,
                       team_from_number(team, rt.from_number))


def team_file_overrides_of(rt: Runtime) -> dict[str, str | None]:
    """The installation's files as saved in the UI (a team's folder is laid over them)."""
    if not rt.files_version:
        return {}
    with rt.sessions() as session:
        return team_file_overrides(session)


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


def team_folder_files(folder: Path) -> dict[str, str]:
    """A team's own folder: its message_templates/ and schedules/ (either may be missing),
    as relative path -> text, laid over the installation's files."""
    if not folder.is_dir():
        raise TemplateError(folder, None, "the team's folder does not exist")
    found: dict[str, str] = {}
    for root in TEAM_FILE_ROOTS:
        for path in sorted((folder / root).rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                found[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
    return found


def load_team_files(config: Config, overrides: Mapping[str, str | None] | None = None,
                    team_folder: Path | None = None, sender: Sender | None = None
                    ) -> tuple[TemplateSet, ScheduleSet]:
    """Load and check the team's files: a link or a text over budget stops the start.

    With `overrides` (versions saved in the UI) the same checks run on the files on disk
    with those versions laid over them, in a scratch copy: the disk stays the default.
    A team's own folder (`team_folder`) is laid over those, and its texts are checked
    with its own `sender`. Problems name the file relative to the team folders.
    """
    sender = sender or config.sender
    edited = {path: text for path, text in (overrides or {}).items()
              if text is not None and team_file_path(config, path) is not None}
    if team_folder is not None:
        edited.update(team_folder_files(team_folder))
    if not edited:
        templates = load_templates(config.templates_dir)
        refuse_unsafe_templates(templates, sender)
        return templates, load_schedules(config.schedules_dir, templates)
    with tempfile.TemporaryDirectory(prefix="rinnalla-files-") as tmp:
        root = Path(tmp)
        shutil.copytree(config.templates_dir, root / "message_templates")
        shutil.copytree(config.schedules_dir, root / "schedules")
        for path, text in edited.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        try:
            templates = load_templates(root / "message_templates")
            refuse_unsafe_templates(templates, sender)
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
    rt = Runtime(config=config, engine=engine, sessions=sessions,
                 templates=templates, schedules=schedules, window=team_window(config),
                 gateway=gateway)
    check_every_team(rt)
    return rt


def check_every_team(rt: Runtime) -> None:
    """Every team's folder and window load and pass the checks, or the start stops
    naming the team (as a broken installation file does). Before init-db: no teams."""
    try:
        with rt.sessions() as session:
            teams = [TeamSettings.of(t) for t in session.scalars(
                select(Team).where(Team.active).order_by(Team.id))]
            count, versions = session.execute(select(*TEAMS_VERSION)).one()
    except DBAPIError:
        return
    rt.teams_version = (count, versions)
    for team in teams:
        rt.teams[team.id] = None if is_plain(team) else team_context(rt, team)


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
    except StaleDataError:  # another process starting at the same moment named it
        logging.getLogger(__name__).info("the configured team was named by another process")
