"""Today: the worker's attention list, the first page after signing in."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from service.clock import utcnow
from service.domain.inbox.attention import attention_for
from service.web.context import db, runtime
from service.web.ui.security import current_worker

bp = Blueprint("today", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    worker = current_worker()
    attention = attention_for(db(), worker, utcnow(), runtime().config.tz)
    return render_template("today/index.html", a=attention)
