"""JSON API about workers: absences (cover) and deactivation with a successor.

Thin: it validates, asks domain/teams/absences.py who may do what, and calls the
domain (absences, people/deactivation.py). A worker the caller does not know (not in
their teams) is, to them, not there: 404. A colleague who is not theirs to manage: 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.people.deactivation import deactivate, reactivate
from service.domain.people.deactivation import open_work as open_work_of
from service.domain.teams import absences
from service.domain.teams.cover import local_day
from service.store.models import Absence, Worker
from service.web.api.endpoints import error_response, invalid_response, iso_or_none, token_required
from service.web.api.validation import ApiProblem, check_query, validated_body
from service.web.context import db

bp = Blueprint("api_workers", __name__, url_prefix="/api/v1")
bp.before_request(check_query)


@bp.errorhandler(ApiProblem)
def _problem(exc: ApiProblem) -> ResponseReturnValue:
    return error_response(exc.status, exc.message)


def absence_json(a: Absence) -> dict[str, Any]:
    return {"id": a.id, "worker_id": a.worker_id, "starts_on": a.starts_on.isoformat(),
            "ends_on": a.ends_on.isoformat(), "substitute_id": a.substitute_id,
            "created_by": a.created_by, "created_at": iso_or_none(a.created_at)}


def worker_json(w: Worker) -> dict[str, Any]:
    clients, items = open_work_of(db(), w.id)
    return {"id": w.id, "name": w.name, "role": w.role, "active": w.active,
            "clients": clients, "open_items": items}


def _worker(worker_id: int) -> Worker:
    """The worker as the caller may know them; else a 404."""
    caller: Worker = g.api_worker
    worker = db().get(Worker, worker_id)
    if worker is None or not absences.knows(db(), caller, worker_id):
        raise ApiProblem(404, "no such worker")
    return worker


def _absence_input(worker_id: int) -> absences.AbsenceInput:
    """The body as an absence; dates that are no dates are named field by field."""
    data = validated_body("AbsenceInput")
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for field in ("starts_on", "ends_on"):
        try:
            days[field] = date.fromisoformat(data[field])
        except ValueError:
            errors[field] = "Anna päivä muodossa 2026-06-03."
    if errors:
        raise ValidationError(errors)
    return absences.AbsenceInput(worker_id=worker_id, starts_on=days["starts_on"],
                                 ends_on=days["ends_on"],
                                 substitute_id=data.get("substitute_id"))


@bp.post("/workers/<id:worker_id>/absences")
@token_required
def post_absence(worker_id: int) -> ResponseReturnValue:
    """Record an absence: the worker's own, or (a team admin) a worker of their team."""
    worker, caller = _worker(worker_id), g.api_worker
    if not absences.may_record_for(db(), caller, worker.id):
        return error_response(403, "only the worker or their team admin records an absence")
    try:
        absence = absences.record_absence(db(), _absence_input(worker.id), caller.id, utcnow())
    except ValidationError as exc:
        return invalid_response(exc.errors)
    db().commit()
    return jsonify(absence_json(absence)), 201


@bp.get("/workers/<id:worker_id>/absences")
@token_required
def list_absences(worker_id: int) -> ResponseReturnValue:
    """The worker's absences that have not ended."""
    worker = _worker(worker_id)
    rows = absences.absences_of(db(), [worker.id], local_day(utcnow()))
    return jsonify({"absences": [absence_json(a) for a in rows]})


@bp.post("/workers/<id:worker_id>/absences/<id:absence_id>/end")
@token_required
def end_absence(worker_id: int, absence_id: int) -> ResponseReturnValue:
    """Back early: the absence under way ends now (its last day yesterday; removed, with
    removed true, if it began today). Items already with the substitute stay there."""
    worker, caller, session = _worker(worker_id), g.api_worker, db()
    absence = session.get(Absence, absence_id)
    if absence is None or absence.worker_id != worker.id:
        return error_response(404, "no such absence")
    if not absences.may_record_for(session, caller, worker.id):
        return error_response(403, "only the worker or their team admin ends an absence")
    body = absence_json(absence)
    try:
        removed = absences.end_absence(session, absence, caller.id, utcnow())
    except ValidationError:
        return error_response(409, "the absence has not started or has already ended")
    session.commit()
    return jsonify({**(body if removed else absence_json(absence)), "removed": removed})


@bp.patch("/workers/<id:worker_id>")
@token_required
def patch_worker(worker_id: int) -> ResponseReturnValue:
    """Deactivate (with a successor when there is work to hand over) or reactivate."""
    worker, caller = _worker(worker_id), g.api_worker
    if not absences.manages(db(), caller, worker.id):
        return error_response(403, "only a team admin or the organisation's admin")
    session, now = db(), utcnow()
    try:
        data = validated_body("WorkerChange")
        if data.get("active") is False and worker.active:
            deactivate(session, worker, data.get("successor_id"), caller.id, now)
        elif data.get("active") is True:
            reactivate(session, worker, caller.id, now)
    except ValidationError as exc:
        return invalid_response(exc.errors)
    session.commit()
    return jsonify(worker_json(worker))
