"""JSON API for reaching clients: trusted persons (with recorded consent) and documents in.

Thin: it validates the request, calls service.domain.people.trusted_persons / applications, and
answers in the same shapes as service/web/api/endpoints.py (422 with field errors).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events.applications import record_documents_in
from service.domain.people import trusted_persons as trusted
from service.domain.privacy import audit
from service.domain.teams import access
from service.store.models import Client, TrustedPerson
from service.web.api.endpoints import (
    error_response,
    event_json,
    invalid_response,
    iso_or_none,
    token_required,
)
from service.web.api.validation import ApiProblem, check_query, validated_body
from service.web.context import db, runtime

bp = Blueprint("api_reach", __name__, url_prefix="/api/v1")
bp.before_request(check_query)


@bp.errorhandler(ApiProblem)
def _problem(exc: ApiProblem) -> ResponseReturnValue:
    return error_response(exc.status, exc.message)


def trusted_json(p: TrustedPerson) -> dict[str, Any]:
    return {"id": p.id, "client_id": p.client_id, "name": p.name, "phone": p.phone,
            "number_type": p.number_type, "language": p.language, "relation": p.relation,
            "consent": {"at": iso_or_none(p.consent_at), "method": p.consent_method,
                        "recorded_by": p.consent_recorded_by,
                        "shares_client_name": p.shares_client_name},
            "active": p.active, "opted_out": p.opted_out,
            "deactivated_at": iso_or_none(p.deactivated_at),
            "deactivation_reason": p.deactivation_reason}


def _client_or_none(client_id: int) -> Client | None:
    client = access.client_for(db(), g.api_worker, client_id)
    return None if client is None or client.anonymised_at is not None else client


def _consent_at(raw: str | None) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"consent_at": "Anna aika ISO 8601 -muodossa, esim. "
                                             "2026-06-03T10:00:00+03:00."}) from exc
    if value.tzinfo is None:
        raise ValidationError({"consent_at": "Aikavyöhyke puuttuu: kirjoita esim. "
                                             "2026-06-03T10:00:00+03:00."})
    return value


@bp.post("/clients/<id:client_id>/trusted-persons")
@token_required
def add_trusted_person(client_id: int) -> ResponseReturnValue:
    """Record a trusted person; consent_method (how the client consented) is required."""
    client = _client_or_none(client_id)
    if client is None:
        return error_response(404, "no such client")
    session, now = db(), utcnow()
    try:
        data = validated_body("TrustedPersonInput")
        inp = trusted.TrustedPersonInput(
            name=data["name"], phone=data["phone"], consent_method=data["consent_method"],
            language=data.get("language", "fi"), relation=data.get("relation"),
            consent_at=_consent_at(data.get("consent_at")),
            shares_client_name=data.get("shares_client_name", False))
        person = trusted.add_trusted_person(session, runtime(), client, inp,
                                            g.api_worker.id, now)
    except ValidationError as exc:
        session.rollback()
        return invalid_response(exc.errors)
    session.commit()
    return jsonify(trusted_json(person)), 201


@bp.get("/clients/<id:client_id>/trusted-persons")
@token_required
def list_trusted_persons(client_id: int) -> ResponseReturnValue:
    client = _client_or_none(client_id)
    if client is None:
        return error_response(404, "no such client")
    people = sorted(client.trusted_persons, key=lambda p: p.id)
    audit.record(db(), g.api_worker.id, "view", "client", client_id, "api trusted persons")
    db().commit()
    return jsonify({"trusted_persons": [trusted_json(p) for p in people]})


@bp.post("/clients/<id:client_id>/trusted-persons/<id:person_id>/deactivate")
@token_required
def deactivate_trusted_person(client_id: int, person_id: int) -> ResponseReturnValue:
    """Consent withdrawn (reason "consent_withdrawn", the default) or ended by the worker."""
    session = db()
    person = access.trusted_person_for(session, g.api_worker, client_id, person_id)
    if person is None or person.client.anonymised_at is not None:
        return error_response(404, "no such trusted person for this client")
    try:
        data = validated_body("DeactivationInput", required=False)
        cancelled = trusted.deactivate_trusted_person(
            session, person, g.api_worker.id, data.get("reason", "consent_withdrawn"),
            utcnow())
    except ValidationError as exc:
        return invalid_response(exc.errors)
    session.commit()
    return jsonify({**trusted_json(person), "cancelled_reminders": cancelled})


@bp.post("/events/<id:event_id>/documents-in")
@token_required
def documents_in(event_id: int) -> ResponseReturnValue:
    """The worker records that the documents went in: the documents reminders stop."""
    session = db()
    event = access.event_for(session, g.api_worker, event_id)
    if event is None:
        return error_response(404, "no such event")
    try:
        cancelled = record_documents_in(session, event, g.api_worker.id, utcnow())
    except ValidationError as exc:
        return invalid_response(exc.errors)
    session.commit()
    return jsonify({**event_json(event), "documents_in_at": iso_or_none(event.documents_in_at),
                    "cancelled_reminders": cancelled})
