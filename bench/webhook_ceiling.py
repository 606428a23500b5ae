"""The real app plus one bench-only route: the ceiling bench.webhooks compares with.

POST /twilio/ceiling goes through the same gunicorn worker, Flask app, request hooks
and signature check (twilio_signed) as POST /twilio/sms, and answers empty TwiML
without touching the database. Served only by the benchmark, never deployed:
gunicorn 'bench.webhook_ceiling:create_app()'.
"""

from __future__ import annotations

from flask import Flask, Response

from service.app import create_app as create_service_app
from service.web.twilio.signatures import twilio_signed
from service.web.twilio.sms_hooks import twiml

CEILING_PATH = "/twilio/ceiling"


def create_app() -> Flask:
    app = create_service_app()

    @twilio_signed
    def ceiling() -> Response:
        return twiml()

    app.add_url_rule(CEILING_PATH, "twilio_ceiling", ceiling, methods=["POST"])
    return app
