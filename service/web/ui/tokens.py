"""A worker's own API tokens: when each was made and last used, and revoking one.

Tokens are made with `rinnalla create-token EMAIL` (shown once there); this page lets
the worker end one that is no longer needed, or that may have leaked, at once.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.clock import utcnow
from service.domain.people.api_tokens import revoke_token, tokens_of
from service.web.context import db
from service.web.ui.security import current_worker

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


@bp.get("")
def index() -> ResponseReturnValue:
    return render_template("tokens/index.html", tokens=tokens_of(db(), current_worker().id))


@bp.post("/<id:token_id>/revoke")
def revoke(token_id: int) -> ResponseReturnValue:
    me = current_worker()
    if not revoke_token(db(), token_id, me.id, utcnow(), worker_id=me.id):
        abort(404)  # another worker's token is, to this worker, not there
    db().commit()
    flash(_("API-avain %(id)s on poistettu käytöstä.", id=token_id), "success")
    return redirect(url_for("tokens.index"))
