"""Configuration: one TOML file (RINNALLA_CONFIG) plus the environment for secrets.

Without any file the service runs on SQLite with the offline development gateway,
so a newcomer needs nothing but a clone.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.domain.calendar.window import parse_window
from service.domain.texts.rendering import Sender

PACKAGE_DIR = Path(__file__).resolve().parent
# The source checkout, when the code runs from one (its top-level message_templates/ and
# schedules/ are the defaults the team reads and edits, and the wheel is built from them).
REPO_ROOT = PACKAGE_DIR.parent
# Where an installed package keeps the copies of those folders built into the wheel
# ([tool.setuptools.package-dir] in pyproject.toml); absent in a source checkout.
SHIPPED_DIR = PACKAGE_DIR / "defaults"
DEV_AUTH_TOKEN = "development-only-auth-token"
# The sender's name until the team names itself (development and the demo only): neutral
# on purpose, since the name shows on every lock screen and is said to whoever answers.
PLACEHOLDER_TEAM = "Kunnan palvelut"


def installed() -> bool:
    """True when running from an installed wheel rather than from a source checkout."""
    return SHIPPED_DIR.is_dir()


def default_files(name: str) -> Path:
    """A default folder of team files: the shipped copy when installed, else the checkout's."""
    return SHIPPED_DIR / name if installed() else REPO_ROOT / name


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message names the key."""


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str = ""
    auth_token: str = ""
    from_number: str = ""
    messaging_service_sid: str = ""
    api_base_url: str = "https://api.twilio.com"
    messages_per_second: float = 10.0
    calls_per_second: float = 1.0
    timeout_seconds: float = 10.0
    voice_fi: str = "Polly.Suvi-Neural"
    voice_sv: str = "Polly.Elin-Neural"
    voice_en: str = "Polly.Amy-Neural"
    call_attempts: int = 3
    call_retry_minutes: int = 30
    machine_detection: bool = True


@dataclass(frozen=True)
class Config:
    database_url: str = ""
    gateway_kind: str = "development"
    public_base_url: str = "http://127.0.0.1:5000"
    window: str = "08:00-20:00"
    saturday_window: str = ""
    sunday_window: str = ""
    time_zone: str = "Europe/Helsinki"
    # Euros a text segment costs, for the estimate shown before a message to many.
    sms_segment_price: float = 0.08
    # No default: a name like "Sosiaalitoimi" on a shared phone discloses; the team chooses.
    team_name: str = ""
    team_name_sv: str = ""
    team_name_en: str = ""
    team_phone: str = ""
    transport_booking_number: str = ""
    templates_dir: Path = field(default_factory=lambda: default_files("message_templates"))
    schedules_dir: Path = field(default_factory=lambda: default_files("schedules"))
    secret_key: str = ""
    tick_seconds: int = 30
    # LISTEN for new work on PostgreSQL (off behind a transaction-pooling PgBouncer,
    # which cannot LISTEN; the worker then finds new work at its next safety tick).
    listen: bool = True
    batch_size: int = 500
    lease_seconds: int = 300
    max_attempts: int = 5
    send_threads: int = 4
    retry_seconds: int = 60
    # Occurrences of a recurring event (and their reminders) are made this many days
    # ahead; the worker's daily job extends it.
    horizon_days: int = 60
    retention_message_days: int = 90
    retention_inactive_days: int = 730
    log_level: str = "INFO"
    # Bearer token /metrics asks for; from the environment only (RINNALLA_METRICS_TOKEN).
    metrics_token: str = field(default="", repr=False)
    twilio: TwilioConfig = field(default_factory=TwilioConfig)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def webhook_auth_token(self) -> str:
        """The token webhooks are signed with: Twilio's, or a fixed one offline."""
        if self.gateway_kind == "twilio":
            return self.twilio.auth_token
        return self.twilio.auth_token or DEV_AUTH_TOKEN

    @property
    def sender(self) -> Sender:
        """Who the team's messages say they come from, and the numbers to call back."""
        names = tuple((lang, name) for lang, name in (("sv", self.team_name_sv),
                                                       ("en", self.team_name_en)) if name)
        return Sender(team=self.team_name or PLACEHOLDER_TEAM, team_phone=self.team_phone,
                      booking_number=self.transport_booking_number, tz=self.tz,
                      team_names=names)


_SECTIONS: dict[str, dict[str, str]] = {
    "database": {"url": "database_url"},
    "gateway": {"kind": "gateway_kind", "public_base_url": "public_base_url"},
    "sending": {
        "window": "window",
        "saturday_window": "saturday_window",
        "sunday_window": "sunday_window",
        "time_zone": "time_zone",
        "segment_price": "sms_segment_price",
    },
    "team": {
        "name": "team_name",
        "name_sv": "team_name_sv",
        "name_en": "team_name_en",
        "phone": "team_phone",
        "transport_booking_number": "transport_booking_number",
    },
    "files": {"templates": "templates_dir", "schedules": "schedules_dir"},
    "worker": {
        "tick_seconds": "tick_seconds",
        "listen": "listen",
        "batch_size": "batch_size",
        "lease_seconds": "lease_seconds",
        "max_attempts": "max_attempts",
        "send_threads": "send_threads",
        "retry_seconds": "retry_seconds",
    },
    "planning": {"horizon_days": "horizon_days"},
    "retention": {
        "message_days": "retention_message_days",
        "inactive_days": "retention_inactive_days",
    },
    "logging": {"level": "log_level"},
}

_ENV = {
    "DATABASE_URL": "database_url",
    "RINNALLA_SECRET_KEY": "secret_key",
    "RINNALLA_PUBLIC_BASE_URL": "public_base_url",
    "RINNALLA_GATEWAY": "gateway_kind",
    "RINNALLA_METRICS_TOKEN": "metrics_token",
}
_TWILIO_ENV = {
    "TWILIO_ACCOUNT_SID": "account_sid",
    "TWILIO_AUTH_TOKEN": "auth_token",
    "TWILIO_FROM_NUMBER": "from_number",
    "TWILIO_MESSAGING_SERVICE_SID": "messaging_service_sid",
    "TWILIO_API_BASE_URL": "api_base_url",
}


# Keys that were renamed, and what to write instead (the old meaning must not pass silently).
_RENAMED = {
    "files.templates_dir": "files.templates (a relative path is from the config file's folder)",
    "files.schedules_dir": "files.schedules (a relative path is from the config file's folder)",
}


@dataclass
class _Read:
    """Values read so far, by Config and TwilioConfig attribute."""

    values: dict[str, Any] = field(default_factory=dict)
    twilio: dict[str, Any] = field(default_factory=dict)


def _coerce(value: Any, target: Any, where: str, base: Path) -> Any:
    """Check a file value against its default's type; a relative path is taken from base."""
    expected = type(target)
    if expected is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(target, Path):
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a path")
        return base / Path(value).expanduser()  # an absolute value replaces base
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        raise ConfigError(f"{where}: expected {expected.__name__}, got {value!r}")
    return value


def _read_section(file: Path, section: str, content: dict[str, Any], read: _Read) -> None:
    defaults: TwilioConfig | Config
    if section == "twilio":
        defaults, into = TwilioConfig(), read.twilio
        mapping = {f.name: f.name for f in fields(TwilioConfig)}
    else:
        defaults, into = Config(), read.values
        if section not in _SECTIONS:
            raise ConfigError(f"{file}: unknown section [{section}]")
        mapping = _SECTIONS[section]
    for key, value in content.items():
        if f"{section}.{key}" in _RENAMED:
            raise ConfigError(f"{file}: {section}.{key} is now {_RENAMED[f'{section}.{key}']}")
        if key not in mapping:
            raise ConfigError(f"{file}: unknown key {section}.{key}")
        attr = mapping[key]
        into[attr] = _coerce(value, getattr(defaults, attr), f"{file}: {section}.{key}",
                             file.resolve().parent)


def _read_file(file: Path, read: _Read) -> None:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: configuration file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: {exc}") from exc
    for section, content in data.items():
        if not isinstance(content, dict):
            raise ConfigError(f"{file}: [{section}] must be a table")
        _read_section(file, section, content, read)


def _read_env(env: dict[str, str], read: _Read) -> None:
    for var, attr in _ENV.items():
        if env.get(var):
            read.values[attr] = env[var]
    for var, attr in _TWILIO_ENV.items():
        if env.get(var):
            read.twilio[attr] = env[var]


def load_config(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None,
                **overrides: Any) -> Config:
    """Build the config: defaults < TOML file < environment < explicit overrides."""
    env = dict(os.environ) if env is None else env
    if path is None:
        path = env.get("RINNALLA_CONFIG") or None
    read = _Read()
    if path is not None:
        _read_file(Path(path), read)
    _read_env(env, read)
    twilio_override = overrides.pop("twilio", None)
    read.values.update(overrides)
    config = Config(**read.values, twilio=twilio_override or TwilioConfig(**read.twilio))
    if not config.database_url:
        config = replace(config, database_url=default_database_url())
    validate_config(config)
    return config


def instance_dir() -> Path:
    """Where the embedded SQLite database lives: instance/ in a source checkout; when
    installed, var/rinnalla-instance in the Python environment (Flask's convention), so
    every process of one installation finds the same file wherever it is started."""
    if installed():
        return Path(sys.prefix) / "var" / "rinnalla-instance"
    return REPO_ROOT / "instance"


def default_database_url() -> str:
    """SQLite in the instance folder: the embedded default."""
    instance = instance_dir()
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance / 'rinnalla.sqlite3'}"


def validate_config(config: Config) -> None:
    """Refuse to start on a configuration that would misbehave later."""
    if config.gateway_kind not in ("development", "twilio"):
        raise ConfigError("gateway.kind must be \"development\" or \"twilio\"")
    _validate_sending(config)
    if not 7 <= config.horizon_days <= 366:
        # Too short and a weekly reminder planned a week ahead is never made in time;
        # too long and a weekly event stores years of rows.
        raise ConfigError(f"planning.horizon_days must be 7-366, not {config.horizon_days}")
    if config.sms_segment_price < 0:
        raise ConfigError("sending.segment_price must not be negative")
    for key in ("tick_seconds", "batch_size", "lease_seconds", "max_attempts",
                "send_threads", "retry_seconds"):
        if getattr(config, key) < 1:
            raise ConfigError(f"worker.{key} must be at least 1, not {getattr(config, key)}")
    for key in ("messages_per_second", "calls_per_second"):
        if not getattr(config.twilio, key) > 0:
            raise ConfigError(f"twilio.{key} must be above zero, "
                              f"not {getattr(config.twilio, key)}")
    if not config.public_base_url.startswith(("http://", "https://")):
        raise ConfigError("gateway.public_base_url must start with http:// or https://")
    if config.gateway_kind == "twilio":
        _validate_production(config)


def _validate_sending(config: Config) -> None:
    try:
        ZoneInfo(config.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"sending.time_zone: unknown time zone {config.time_zone!r}") from exc
    for key in ("window", "saturday_window", "sunday_window"):
        text = getattr(config, key)
        if text:
            try:
                parse_window(text)
            except ValueError as exc:
                raise ConfigError(f"sending.{key}: {exc}") from exc


def _validate_production(config: Config) -> None:
    """The real gateway needs a fixed session key and Twilio's credentials and sender."""
    if not config.secret_key:
        # Each gunicorn process would otherwise sign sessions with its own random key.
        raise ConfigError("RINNALLA_SECRET_KEY must be set in the environment in production "
                          "(gateway.kind = \"twilio\"): a long random string")
    t = config.twilio
    missing = [name for name, value in (("TWILIO_ACCOUNT_SID", t.account_sid),
                                         ("TWILIO_AUTH_TOKEN", t.auth_token)) if not value]
    if missing:
        raise ConfigError("gateway.kind is \"twilio\" but these are not set in the "
                          "environment: " + ", ".join(missing))
    if not (t.from_number or t.messaging_service_sid):
        raise ConfigError("twilio.from_number or twilio.messaging_service_sid is required")
    missing = [key for key, value in (("team.name", config.team_name),
                                      ("team.phone", config.team_phone)) if not value.strip()]
    if missing:
        # Texts would end without a number to call back, under a name nobody chose.
        raise ConfigError("gateway.kind is \"twilio\" but the team's name and phone are "
                          "needed in every message; set " + " and ".join(missing) +
                          " in the [team] section")
