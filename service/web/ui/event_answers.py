"""The worker records a client's answer to an appointment (confirmed, cannot come):
the same effect on the reminders as the client's own text or key press."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events.worker_answers import record_answer
from service.domain.teams import access
from service.web.context import db, runtime
from service.web.ui.security import current_worker

bp = Blueprint("event_answers", __name__, url_prefix="/events")


@bp.post("/<id:event_id>/answer")
def answer(event_id: int) -> ResponseReturnValue:
    session = db()
    event = access.event_for(session, current_worker(), event_id)
    if event is None or event.client.anonymised_at is not None:
        abort(404)
    try:
        effect = record_answer(session, runtime(), event, request.form.get("answer", ""),
                                current_worker().id, utcnow())
    except ValidationError:
        session.rollback()
        flash(_("Vastausta ei voi kirjata tälle tapahtumalle."), "error")
        return redirect(url_for("events.show", event_id=event_id))
    session.commit()
    if effect.restored:
        flash(_("Vastaus on kirjattu. Palautettuja muistutuksia: %(n)s.", n=effect.restored),
              "success")
    else:
        flash(_("Vastaus on kirjattu. Ohitettuja muistutuksia: %(n)s.", n=effect.skipped),
              "success")
    return redirect(url_for("events.show", event_id=event_id))
