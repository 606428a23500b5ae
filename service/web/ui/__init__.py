"""The worker's web UI: server-rendered pages, one blueprint a module.

init_ui() wires what every page shares (sign-in, CSRF, language, formatting, error
pages) and registers the blueprints. Every page works without JavaScript.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from service.domain.inbox.items import count_new
from service.web.context import db, runtime
from service.web.ui.formatting import init_formatting
from service.web.ui.i18n import LANGUAGE_NAMES, init_i18n, ui_language
from service.web.ui.security import current_worker, init_security
from service.web.ui.throttle import init_sign_in_throttle

PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout",
                                       "auth.set_language", "static", "favicon"})


def _nav_context() -> dict[str, object]:
    """What the layout shows on every page: the open inbox count, dev-only links."""
    context: dict[str, object] = {
        "ui_lang": ui_language(), "language_names": LANGUAGE_NAMES,
        "development": runtime().config.gateway_kind == "development",
        "team_name": runtime().sender.team, "inbox_open": 0,
        "has_endpoint": lambda name: name in current_app.view_functions,
    }
    if current_user and current_user.is_authenticated:
        worker = current_worker()
        context["inbox_open"] = count_new(db(), worker)
        if len(worker.teams) == 1:  # the header names the worker's own team
            context["team_name"] = worker.teams[0].name
    return context


def _team_files_in_force() -> None:
    """before_request: an admin's saved team files reach this process without a restart
    (asked in the request's own session: one statement, no connection of its own)."""
    runtime().refresh_team_files(db())


def _must_change_password() -> ResponseReturnValue | None:
    """before_request: a generated or reset password is changed before anything else."""
    if (current_user and current_user.is_authenticated
            and current_worker().must_change_password
            and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS):
        return redirect(url_for("auth.change_password"))
    return None


def _error_page(status: int, template: str) -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        return jsonify({"error": template.rsplit("/", 1)[-1].removesuffix(".html")}), status
    return render_template(template, status=status), status


def init_ui(app: Flask) -> None:
    from service.web.ui import (
        absences,
        admin,
        application_steps,
        appointment_imports,
        audit_log,
        auth,
        bulk,
        client_contacts,
        client_data,
        clients,
        event_answers,
        events,
        imports,
        inbox,
        reply_trial,
        series,
        service_path,
        simulator,
        team_file_edit,
        team_files,
        teams,
        text_check,
        today,
        tokens,
        upcoming,
    )

    init_security(app)
    init_i18n(app)
    init_formatting(app)
    app.context_processor(_nav_context)
    app.before_request(_team_files_in_force)
    app.before_request(_must_change_password)
    for module in (auth, today, clients, events, inbox, reply_trial, imports, team_files,
                   simulator, admin, audit_log, client_data, service_path, tokens,
                   event_answers, text_check, client_contacts, application_steps,
                   bulk, upcoming, team_file_edit, absences, series,
                   appointment_imports, teams):
        app.register_blueprint(module.bp)
    init_sign_in_throttle(app)  # failed sign-ins per address, on top of the account lock
    _error_pages(app)


def _error_pages(app: Flask) -> None:
    """Errors as pages in the worker's language, not the framework's English."""

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc: CSRFError) -> ResponseReturnValue:
        return _error_page(400, "errors/csrf.html")

    @app.errorhandler(403)
    def _forbidden(_exc: Exception) -> ResponseReturnValue:
        return _error_page(403, "errors/403.html")

    @app.errorhandler(404)
    def _not_found(_exc: Exception) -> ResponseReturnValue:
        return _error_page(404, "errors/404.html")
