"""Request-scoped access to the Runtime and a database session."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from service.runtime import Runtime


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions["rinnalla"]
    return rt


def db() -> Session:
    """One session per request, closed in teardown (rolled back unless committed)."""
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
