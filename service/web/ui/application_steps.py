"""A pending application's two steps on its page: the papers were delivered, and the
decision came (with its date). Thin: domain/events/applications.py does both."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events.applications import record_decision, record_documents_in
from service.domain.teams import access
from service.store.models import Event
from service.store.states import EventKind
from service.web.context import db, runtime
from service.web.ui.events import show_page
from service.web.ui.form_input import parse_date_field
from service.web.ui.security import current_worker

bp = Blueprint("application_steps", __name__, url_prefix="/events")


def _application(event_id: int) -> Event:
    event = access.event_for(db(), current_worker(), event_id)
    if event is None or event.client.anonymised_at is not None \
            or event.kind != EventKind.APPLICATION:
        abort(404)
    return event


@bp.post("/<id:event_id>/documents-in")
def documents_in(event_id: int) -> ResponseReturnValue:
    event, session = _application(event_id), db()
    try:
        cancelled = record_documents_in(session, event, current_worker().id, utcnow())
    except ValidationError as exc:
        session.rollback()
        return show_page(event, {"documents": next(iter(exc.errors.values()))})
    session.commit()
    flash(_("Paperit on kirjattu toimitetuiksi. Peruttuja muistutuksia: %(n)s.", n=cancelled),
          "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/<id:event_id>/decision")
def decision(event_id: int) -> ResponseReturnValue:
    event, session, raw = _application(event_id), db(), request.form.get("decided_on", "")
    try:
        try:
            day = parse_date_field(raw)
        except ValueError as exc:
            raise ValidationError({"decided_on": str(exc)}) from exc
        cancelled = record_decision(session, event, day, runtime().config.tz,
                                    current_worker().id, utcnow())
    except ValidationError as exc:
        session.rollback()
        return show_page(event, exc.errors, decided_on=raw)
    session.commit()
    flash(_("Päätös on kirjattu. Peruttuja muistutuksia: %(n)s.", n=cancelled), "success")
    return redirect(url_for("events.show", event_id=event.id))
