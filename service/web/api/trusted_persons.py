"""JSON API for reaching clients: trusted persons (with recorded consent) and documents in.

Thin: it validates the request, calls service.domain.people.trusted_persons / applications, and
answers in the same shapes as service/web/api/endpoints.py (422 with field errors).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events.applications import record_documents_in
from service.domain.people import trusted_persons as trusted
from service.domain.privacy import audit
from service.store.models import Client, Event, TrustedPerson
from service.web.api.endpoints import (
    ApiProblem,
    _body,
    _error,
    _invalid,
    _iso,
    event_json,
    token_required,
)
from service.web.api.openapi import OPENAPI
from service.web.context import db, runtime

bp = Blueprint("api_reach", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiProblem)
def _problem(exc: ApiProblem) -> ResponseReturnValue:
    return _error(exc.status, exc.message)


def trusted_json(p: TrustedPerson) -> dict[str, Any]:
    return {"id": p.id, "client_id": p.client_id, "name": p.name, "phone": p.phone,
            "number_type": p.number_type, "language": p.language, "relation": p.relation,
            "consent": {"at": _iso(p.consent_at), "method": p.consent_method,
                        "recorded_by": p.consent_recorded_by},
            "active": p.active, "opted_out": p.opted_out,
            "deactivated_at": _iso(p.deactivated_at),
            "deactivation_reason": p.deactivation_reason}


def _client_or_none(client_id: int) -> Client | None:
    client = db().get(Client, client_id)
    return None if client is None or client.anonymised_at is not None else client


def _consent_at(raw: Any) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(str(raw))
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
        return _error(404, "no such client")
    data = _body()
    session, now = db(), utcnow()
    relation = data.get("relation")
    try:
        inp = trusted.TrustedPersonInput(
            name=str(data.get("name") or ""), phone=str(data.get("phone") or ""),
            consent_method=str(data.get("consent_method") or ""),
            language=str(data.get("language") or "fi"),
            relation=str(relation) if relation not in (None, "") else None,
            consent_at=_consent_at(data.get("consent_at")))
        person = trusted.add_trusted_person(session, runtime(), client, inp,
                                            g.api_worker.id, now)
    except ValidationError as exc:
        session.rollback()
        return _invalid(exc.errors)
    session.commit()
    return jsonify(trusted_json(person)), 201


@bp.get("/clients/<id:client_id>/trusted-persons")
@token_required
def list_trusted_persons(client_id: int) -> ResponseReturnValue:
    client = _client_or_none(client_id)
    if client is None:
        return _error(404, "no such client")
    people = sorted(client.trusted_persons, key=lambda p: p.id)
    audit.record(db(), g.api_worker.id, "view", "client", client_id, "api trusted persons")
    db().commit()
    return jsonify({"trusted_persons": [trusted_json(p) for p in people]})


@bp.post("/clients/<id:client_id>/trusted-persons/<id:person_id>/deactivate")
@token_required
def deactivate_trusted_person(client_id: int, person_id: int) -> ResponseReturnValue:
    """Consent withdrawn (reason "consent_withdrawn", the default) or ended by the worker."""
    session = db()
    person = session.get(TrustedPerson, person_id)
    if person is None or person.client_id != client_id:
        return _error(404, "no such trusted person for this client")
    raw = request.get_json(silent=True)
    data = raw if isinstance(raw, dict) else {}
    try:
        cancelled = trusted.deactivate_trusted_person(
            session, person, g.api_worker.id, str(data.get("reason") or "consent_withdrawn"),
            utcnow())
    except ValidationError as exc:
        return _invalid(exc.errors)
    session.commit()
    return jsonify({**trusted_json(person), "cancelled_reminders": cancelled})


@bp.post("/events/<id:event_id>/documents-in")
@token_required
def documents_in(event_id: int) -> ResponseReturnValue:
    """The worker records that the documents went in: the documents reminders stop."""
    session = db()
    event = session.get(Event, event_id)
    if event is None:
        return _error(404, "no such event")
    try:
        cancelled = record_documents_in(session, event, g.api_worker.id, utcnow())
    except ValidationError as exc:
        return _invalid(exc.errors)
    session.commit()
    return jsonify({**event_json(event), "documents_in_at": _iso(event.documents_in_at),
                    "cancelled_reminders": cancelled})


def _describe(spec: dict[str, Any]) -> None:
    """Add these endpoints to /api/v1/openapi.json (idempotent: dict updates)."""
    from service.web.api.openapi import _ERRORS, _I, _ID_PARAM, _NOT_FOUND, _S, _json, _obj, _ref

    nullable = {"type": ["string", "null"]}
    spec["components"]["schemas"].update({
        "TrustedPersonInput": _obj({
            "name": _S, "phone": {**_S, "examples": ["050 765 4321"]},
            "language": {"enum": ["fi", "sv", "en", "selko"]},
            "relation": {"enum": ["family", "support_person", "other"]},
            "consent_method": {"enum": ["in_person", "phone", "written"],
                               "description": "how the client gave consent"},
            "consent_at": {"type": "string", "format": "date-time",
                           "description": "when the client gave consent (default: now)"}},
            ["name", "phone", "consent_method"]),
        "TrustedPerson": _obj({
            "id": _I, "client_id": _I, "name": _S, "phone": _S, "number_type": _S,
            "language": _S, "relation": nullable,
            "consent": _obj({"at": _S, "method": _S, "recorded_by": {"type": ["integer", "null"]}}),
            "active": {"type": "boolean"}, "opted_out": {"type": "boolean"},
            "deactivated_at": nullable, "deactivation_reason": nullable}),
    })
    client = {"name": "client_id", **_ID_PARAM}
    spec["paths"].update({
        "/clients/{client_id}/trusted-persons": {
            "post": {"summary": "Record a trusted person with the client's consent (who: the "
                                "token's worker; when; how); they join the coming reminders",
                     "parameters": [client],
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": _ref("TrustedPersonInput")}}},
                     "responses": {"201": _json(_ref("TrustedPerson"), "recorded"), **_ERRORS,
                                   "404": _NOT_FOUND["404"]}},
            "get": {"summary": "The client's trusted persons, active and ended",
                    "parameters": [client],
                    "responses": {"200": _json(_obj({"trusted_persons": {
                        "type": "array", "items": _ref("TrustedPerson")}}), "list"),
                        **_NOT_FOUND}}},
        "/clients/{client_id}/trusted-persons/{id}/deactivate": {"post": {
            "summary": "Consent withdrawn (default) or ended by the worker: their pending "
                       "reminders are cancelled",
            "parameters": [client, {"name": "id", **_ID_PARAM}],
            "requestBody": {"required": False, "content": {"application/json": {
                "schema": _obj({"reason": {"enum": ["consent_withdrawn",
                                                    "ended_by_worker"]}})}}},
            "responses": {"200": _json(_ref("TrustedPerson"), "deactivated"), **_ERRORS,
                          "404": _NOT_FOUND["404"]}}},
        "/events/{id}/documents-in": {"post": {
            "summary": "The application's documents went in: the documents reminders stop",
            "parameters": [{"name": "id", **_ID_PARAM}],
            "responses": {"200": _json(_ref("Event"), "recorded"), **_ERRORS,
                          "404": _NOT_FOUND["404"]}}},
    })


_describe(OPENAPI)
