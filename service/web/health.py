"""/readyz and /metrics for operators: no login, no personal data (restrict them at the proxy)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask.typing import ResponseReturnValue

from service.clock import utcnow
from service.operations.metrics import render_metrics
from service.operations.readiness import check_readiness
from service.web.context import db, runtime

bp = Blueprint("health", __name__)


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """200 when the database answers, the schema is current and a worker is alive; else 503."""
    result = check_readiness(runtime(), utcnow())
    body = {"status": "ok" if result.ready else "fail", "checks": result.checks}
    return jsonify(body), 200 if result.ready else 503


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    text = render_metrics(db(), utcnow())
    return Response(text, content_type="text/plain; version=0.0.4; charset=utf-8")
