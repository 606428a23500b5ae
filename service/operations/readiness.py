"""Is the service ready to do its job: database reachable, schema current, worker alive,
every text a client sent read.

/healthz only says the web process runs; this is for monitoring and alerting. A
worker counts as alive when its heartbeat (written at the end of every dispatch
pass) is younger than a lease, the same age after which its claims are taken over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from service.domain.replies.received import MAX_ATTEMPTS, unreadable_query
from service.store.migrate import head_revision
from service.store.models import Heartbeat

OK = "ok"


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(value == OK for value in self.checks.values())


_heads: dict[str, str | None] = {}


def _head(engine: Engine) -> str | None:
    """The newest migration this code knows; read from the files once per process."""
    key = str(engine.url)
    if key not in _heads:
        _heads[key] = head_revision(engine)
    return _heads[key]


def heartbeat_limit(tick_seconds: int, lease_seconds: int) -> timedelta:
    """How old the newest heartbeat may be: three passes, and at least a lease."""
    return timedelta(seconds=max(3 * tick_seconds, lease_seconds))


def _age_text(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    return f"{minutes} min" if minutes else f"{int(age.total_seconds())} s"


def check_readiness(engine: Engine, limit: timedelta, now: datetime) -> Readiness:
    """Each check's outcome in words; a failing one names what to do where it can.

    `limit` is heartbeat_limit() of the worker's settings."""
    result = Readiness()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        result.checks["database"] = f"tietokantaan ei saada yhteyttä ({type(exc).__name__})"
        result.checks["migrations"] = result.checks["worker"] = "ei tarkistettu"
        result.checks["texts"] = "ei tarkistettu"
        return result
    result.checks["database"] = OK
    try:
        with engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            newest = conn.execute(select(func.max(Heartbeat.last_seen))).scalar()
            unread = conn.execute(unreadable_query()).one()
    except SQLAlchemyError:
        result.checks["migrations"] = "tietokantaa ei ole alustettu: aja `rinnalla init-db`"
        result.checks["worker"] = result.checks["texts"] = "ei tarkistettu"
        return result
    head = _head(engine)
    result.checks["migrations"] = OK if current == head else (
        f"tietokanta on versiossa {current}, ohjelma odottaa versiota {head}: "
        "aja `rinnalla init-db`")
    result.checks["worker"] = _worker_check(newest, now, limit)
    result.checks["texts"] = OK if not unread[0] else (
        f"{unread[0]} asiakkaan tekstiviestiä jäi lukematta ({MAX_ATTEMPTS} yritystä, "
        "vanhin saapui " + _age_text(now - unread[1]) + " sitten) eikä niitä saatu "
        "työntekijän saapuneisiin: katso workerin loki, korjaa syy ja aja "
        "`rinnalla read-texts --retry`; viestit ovat tallessa")
    return result


def _worker_check(newest: datetime | None, now: datetime, limit: timedelta) -> str:
    if newest is None:
        return "worker-prosessi ei ole käynnistynyt (ei sykettä)"
    if newest.tzinfo is None:  # defensive: the column type returns aware UTC
        newest = newest.replace(tzinfo=UTC)
    age = now - newest
    if age <= limit:
        return OK
    return (f"worker-prosessin viimeisin syke {_age_text(age)} sitten "
            f"(raja {_age_text(limit)}): onko worker käynnissä?")
