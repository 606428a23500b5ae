"""Registers the trust-and-operations blueprints (issue #7) on the app in one call."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.web import audit_view, client_data, health, service_path_view

    for module in (health, audit_view, client_data, service_path_view):
        app.register_blueprint(module.bp)
