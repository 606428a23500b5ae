"""Sign-in attempts are throttled per address too, not only per account.

Why: the per-account lock (domain/people/login.py) stops guessing one password, not one
address trying a few passwords on every account. Flask-Limiter counts the failed
sign-ins (401) of each address; past SIGN_IN_LIMIT the page answers 429 until the window
passes, right password or not. The counts live in this process's memory unless
RINNALLA_RATELIMIT_STORAGE names a shared store (e.g. redis://...), which several web
processes need to count together (docs/deployment.md). Behind a reverse proxy the
address is the client's only if RINNALLA_PROXY_HOPS says how many proxies to trust.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

SIGN_IN_LIMIT = "10 per minute;50 per hour"  # failed sign-ins from one address


def _limit() -> str:
    return str(current_app.config["RINNALLA_SIGN_IN_LIMIT"])


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _too_many(_exc: RateLimitExceeded) -> ResponseReturnValue:
    errors = {"password": _("Liian monta epäonnistunutta kirjautumista tästä osoitteesta. "
                            "Yritä hetken kuluttua uudelleen.")}
    return render_template("auth/login.html", errors=errors, email=""), 429


def init_sign_in_throttle(app: Flask) -> None:
    """After the auth blueprint is registered: wrap its sign-in view with the limit."""
    app.config.setdefault("RINNALLA_SIGN_IN_LIMIT", SIGN_IN_LIMIT)
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          os.environ.get("RINNALLA_RATELIMIT_STORAGE") or "memory://")
    limiter = Limiter(get_remote_address, app=app, default_limits=[],
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    limited: Any = limiter.limit(_limit, methods=["POST"], deduct_when=_failed)(
        app.view_functions["auth.login"])
    app.view_functions["auth.login"] = limited
    app.register_error_handler(RateLimitExceeded, _too_many)
