"""The Flask application factory."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import Config, load_config
from service.domain.errors import ValidationError
from service.runtime import Runtime, build_runtime

SESSION_LIFETIME = timedelta(hours=10)


def create_app(config: Config | None = None, runtime: Runtime | None = None,
               **flask_config: Any) -> Flask:
    """Build the app; the team's files are validated here, so a broken one stops the start."""
    if runtime is None:
        runtime = build_runtime(config or load_config())
    config = runtime.config
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(_settings(config))
    app.config.update(flask_config)
    _trust_proxies(app)
    app.extensions["rinnalla"] = runtime
    logging.basicConfig(level=config.log_level)
    from service.operations.logmask import install_log_masking

    install_log_masking()

    from service.web.converters import install_converters

    install_converters(app)  # <id:...>, <token:...>: before any blueprint's rules
    app.register_error_handler(ValidationError, _invalid_input)
    from service.web.api import endpoints as api
    from service.web.context import close_session
    from service.web.twilio import sms_hooks as twilio_hooks
    from service.web.twilio import voice_hooks as twilio_voice

    app.teardown_appcontext(close_session)
    app.register_blueprint(api.bp)
    app.register_blueprint(twilio_hooks.bp)
    app.register_blueprint(twilio_voice.bp)
    from service.web.api import event_changes, trusted_persons, workers

    # /api/v1: trusted persons and documents in; reschedule, cancel, attendance, opt-out;
    # absences and deactivation with a successor
    for module in (trusted_persons, event_changes, workers):
        app.register_blueprint(module.bp)
    from service.web import health

    app.register_blueprint(health.bp)  # /readyz, /metrics
    from service.web.ui import init_ui

    init_ui(app)  # the worker UI: sign-in (required everywhere but public paths), CSRF, pages

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify({"status": "ok"})

    @app.get("/favicon.ico")
    def favicon() -> ResponseReturnValue:
        """Browsers ask for this path before reading the page's icon link."""
        return redirect(url_for("static", filename="favicon.svg"), 301)

    return app


def _settings(config: Config) -> dict[str, Any]:
    return dict(
        SECRET_KEY=config.secret_key or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.public_base_url.startswith("https://"),
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        # Flask has its own values for these two (31 days, refreshed on every request),
        # so they are set here, not with setdefault: a working day, then sign in again.
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # Not re-sent on every response: a background request (the phone check) finishing
        # after a page load must not overwrite that page's session (its flash messages),
        # and a session is not stretched past the working day by being used.
        SESSION_REFRESH_EACH_REQUEST=False,
    )


def _trust_proxies(app: Flask) -> None:
    """Behind RINNALLA_PROXY_HOPS proxies the client's address is in X-Forwarded-For
    (sign-in is throttled per address); without proxies the header is not trusted."""
    hops = int(app.config.get("PROXY_HOPS", os.environ.get("RINNALLA_PROXY_HOPS") or 0))
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]


def _invalid_input(exc: ValidationError) -> ResponseReturnValue:
    """A bad value no view caught itself (an id in a query string): 422 naming the field."""
    if request.path.startswith("/api/"):
        return jsonify({"errors": exc.errors}), 422
    return render_template("errors/invalid.html", errors=exc.errors), 422
