"""Reaching a client from their page: a text from the worker, and trusted persons
(added with the client's recorded consent: who recorded it, when and how; ended when
the client withdraws it or the worker ends it).

Thin: the checks are domain/texts/worker_texts.py (through text_check), the sending
domain/messages/to_clients.py, the consent domain/people/trusted_persons.py.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.messages.to_clients import queue_client_text
from service.domain.people import trusted_persons as trusted
from service.domain.teams import access
from service.store.models import Client
from service.web.context import db, runtime
from service.web.ui.clients import show_page
from service.web.ui.form_input import local_datetime, parse_date_field, parse_time_of_day
from service.web.ui.formatting import local_datetime as shown_time
from service.web.ui.security import current_worker
from service.web.ui.sending import send_now
from service.web.ui.text_check import checked_text, feedback

bp = Blueprint("client_contacts", __name__, url_prefix="/clients")
PERSON_FIELDS = ("name", "phone", "language", "relation", "consent_method", "consent_day",
                 "consent_time", "shares_client_name")


def _client(client_id: int) -> Client:
    client = access.client_for(db(), current_worker(), client_id)
    if client is None or client.anonymised_at is not None:
        abort(404)
    return client


@bp.post("/<id:client_id>/text")
def text(client_id: int) -> ResponseReturnValue:
    """A worker's own text: checked like a template, queued, sent now or in the window."""
    client, me, now = _client(client_id), current_worker(), utcnow()
    body = request.form.get("body", "")
    try:
        clean, warning = checked_text(body)
        message = queue_client_text(db(), runtime(), client, clean, me.id, now)
    except ValidationError as exc:
        db().rollback()
        return show_page(client, exc.errors, text_body=body, text_check=feedback(body))
    db().commit()
    if warning:
        flash(warning, "info")
    if message.not_before is not None:
        flash(_("Viesti lähtee, kun asiakkaan lähetysaika alkaa: %(when)s.",
                when=shown_time(message.not_before)), "info")
    else:
        send_now(message.id)
    return redirect(url_for("clients.show", client_id=client.id) + "#messages")


def _consent_at(day: str, at: str) -> datetime:
    """The consent's local day and time (now's time when left empty) as aware UTC."""
    errors: dict[str, str] = {}
    tz = runtime().config.tz
    try:
        when_day = parse_date_field(day)
    except ValueError as exc:
        errors["consent_day"] = str(exc)
    try:
        when_time = parse_time_of_day(at) if at.strip() else utcnow().astimezone(tz).time()
    except ValueError as exc:
        errors["consent_time"] = str(exc)
    if errors:
        raise ValidationError(errors)
    try:
        return local_datetime(when_day, when_time.replace(second=0, microsecond=0), tz)
    except ValueError as exc:
        raise ValidationError({"consent_time": str(exc)}) from exc


@bp.post("/<id:client_id>/trusted-persons")
def add_person(client_id: int) -> ResponseReturnValue:
    client, me, now = _client(client_id), current_worker(), utcnow()
    values = {name: request.form.get(name, "") for name in PERSON_FIELDS}
    values["consent_method"] = request.form.get("tp_consent_method", "")
    session = db()
    try:
        consent_at = _consent_at(values["consent_day"], values["consent_time"])
        person = trusted.add_trusted_person(session, runtime(), client, trusted.TrustedPersonInput(
            name=values["name"], phone=values["phone"], language=values["language"] or "fi",
            consent_method=values["consent_method"], relation=values["relation"] or None,
            consent_at=consent_at, shares_client_name=values["shares_client_name"] == "1"),
            me.id, now)
    except ValidationError as exc:
        session.rollback()
        renamed = {"consent_at": "consent_day"}  # the form asks for a day and a time
        return show_page(client, {f"tp_{renamed.get(k, k)}": v for k, v in exc.errors.items()},
                         person_values=values)
    session.commit()
    flash(_("Läheinen %(name)s on lisätty. Hän saa asiakkaan tulevat muistutukset.",
            name=person.name), "success")
    return redirect(url_for("clients.show", client_id=client.id) + "#trusted-section")


@bp.post("/<id:client_id>/trusted-persons/<id:person_id>/end")
def end_person(client_id: int, person_id: int) -> ResponseReturnValue:
    """Consent withdrawn by the client, or ended by the worker: the person's pending
    reminders are cancelled, the person stays in the history."""
    client, session = _client(client_id), db()
    person = access.trusted_person_for(session, current_worker(), client.id, person_id)
    if person is None:
        abort(404)
    try:
        reason = request.form.get(f"end_reason-{person_id}", "")
        cancelled = trusted.deactivate_trusted_person(session, person, current_worker().id,
                                                      reason, utcnow())
    except ValidationError as exc:
        return show_page(client, {"end_reason": exc.errors["reason"]})
    session.commit()
    flash(_("Läheisen %(name)s suostumus on päättynyt. Peruttuja muistutuksia: %(n)s.",
            name=person.name, n=cancelled), "success")
    return redirect(url_for("clients.show", client_id=client.id) + "#trusted-section")
