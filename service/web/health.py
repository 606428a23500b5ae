"""/readyz and /metrics for operators: no sign-in, no personal data.

/metrics asks for `Authorization: Bearer <RINNALLA_METRICS_TOKEN>` when that is set in the
environment; allow both only from the monitoring network at the proxy as well
(docs/deployment.md).
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

from service.clock import utcnow
from service.operations.metrics import metrics_registry
from service.operations.readiness import check_readiness, heartbeat_limit
from service.runtime import Runtime
from service.web.context import runtime

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
REGISTRY = "rinnalla.metrics"  # the app's metrics registry, in app.extensions


@bp.record_once
def _set_up_metrics(state: BlueprintSetupState) -> None:
    """One registry with the database collector per app; warn when production leaves
    /metrics open to whoever reaches it."""
    rt: Runtime = state.app.extensions["rinnalla"]
    state.app.extensions[REGISTRY] = metrics_registry(rt.sessions)
    if rt.config.gateway_kind == "twilio" and not rt.config.metrics_token:
        log.warning("RINNALLA_METRICS_TOKEN is not set: /metrics answers anyone who reaches "
                    "it. Set it (Prometheus sends it as a bearer token) and allow /metrics "
                    "only from the monitoring network at the proxy.")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """200 when the database answers, the schema is current and a worker is alive; else 503."""
    rt = runtime()
    limit = heartbeat_limit(rt.config.tick_seconds, rt.config.lease_seconds)
    result = check_readiness(rt.engine, limit, utcnow())
    body = {"status": "ok" if result.ready else "fail", "checks": result.checks}
    return jsonify(body), 200 if result.ready else 503


def bearer_matches(header: str, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    token = runtime().config.metrics_token
    if token and not bearer_matches(request.headers.get("Authorization", ""), token):
        return Response("Authorization: Bearer <RINNALLA_METRICS_TOKEN> required\n", 401,
                        {"WWW-Authenticate": 'Bearer realm="metrics"'},
                        content_type="text/plain; charset=utf-8")
    registry: CollectorRegistry = current_app.extensions[REGISTRY]
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encode(registry), content_type=content_type)
