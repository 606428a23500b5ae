"""Poissaolot: a worker records when they are away and who covers; a team admin does
the same for the workers of their teams. Absences that have not started can be
deleted; one under way can be ended now (a worker back early). The rules are
domain/teams/absences.py; routing during one is cover.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.fields import optional_id
from service.domain.teams import absences
from service.domain.teams.cover import local_day
from service.store.models import Absence, Worker
from service.web.context import db
from service.web.ui.security import current_worker

bp = Blueprint("absences", __name__, url_prefix="/absences")


def _page(values: dict[str, object], errors: dict[str, str]) -> ResponseReturnValue:
    me, session, now = current_worker(), db(), utcnow()
    workers = absences.absent_workers(session, me)
    names = {w.id: w.name for w in session.scalars(select(Worker))}
    rows = absences.absences_of(session, [w.id for w in workers], local_day(now))
    substitutes = {c.id: c.name for w in workers for c in absences.colleagues(session, w.id)}
    return render_template("absences/index.html", rows=rows, names=names,
                           worker_options=[(w.id, w.name) for w in workers],
                           substitute_options=sorted(substitutes.items(), key=lambda i: i[1]),
                           deletable={
                               a.id for a in rows if absences.can_delete(a, now)},
                           endable={a.id for a in rows if absences.can_end(a, now)},
                           v=values, errors=errors), 422 if errors else 200


def _day(errors: dict[str, str], field: str) -> date | None:
    raw = request.form.get(field, "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = _("Anna päivä, esimerkiksi 2026-12-07.")
        return None


@bp.get("")
def index() -> ResponseReturnValue:
    return _page({"worker_id": current_worker().id}, {})


@bp.post("")
def add() -> ResponseReturnValue:
    me, session, errors = current_worker(), db(), dict[str, str]()
    values: dict[str, object] = dict(request.form)
    try:
        worker_id = optional_id(request.form.get("worker_id"), "worker_id") or me.id
        substitute_id = optional_id(request.form.get("substitute_id"), "substitute_id")
    except ValidationError as exc:
        return _page(values, exc.errors)
    if not absences.may_record_for(session, me, worker_id):
        abort(404)
    starts_on, ends_on = _day(errors, "starts_on"), _day(errors, "ends_on")
    if starts_on is None or ends_on is None:
        return _page(values, errors)
    try:
        absences.record_absence(session, absences.AbsenceInput(
            worker_id=worker_id, starts_on=starts_on, ends_on=ends_on,
            substitute_id=substitute_id), me.id, utcnow())
    except ValidationError as exc:
        return _page(values, exc.errors)
    session.commit()
    flash(_("Poissaolo on tallennettu."), "success")
    return redirect(url_for("absences.index"))


AbsenceAction = Callable[[Session, Absence, int, datetime], object]


def _act_on(absence_id: int, act: AbsenceAction, refused: str, done: str) -> ResponseReturnValue:
    """Delete or end an absence: only one the worker may record for (else 404); a
    refusal of the rules (ValidationError) is said, not raised."""
    me, session = current_worker(), db()
    absence = session.get(Absence, absence_id)
    if absence is None or not absences.may_record_for(session, me, absence.worker_id):
        abort(404)
    try:
        act(session, absence, me.id, utcnow())
    except ValidationError:
        flash(refused, "error")
        return redirect(url_for("absences.index"))
    session.commit()
    flash(done, "success")
    return redirect(url_for("absences.index"))


@bp.post("/<id:absence_id>/delete")
def delete(absence_id: int) -> ResponseReturnValue:
    return _act_on(absence_id, absences.delete_absence,
                   _("Alkanutta poissaoloa ei voi poistaa."), _("Poissaolo on poistettu."))


@bp.post("/<id:absence_id>/end")
def end(absence_id: int) -> ResponseReturnValue:
    """Back early: the absence under way ends now (removed if it began today)."""
    return _act_on(absence_id, absences.end_absence,
                   _("Vain alkanutta poissaoloa, joka ei ole vielä päättynyt, voi lopettaa."),
                   _("Poissaolo on lopetettu. Uudet vastaukset ja soittopyynnöt tulevat taas "
                     "työntekijälle itselleen; sijaiselle jo menneet asiat jäävät hänelle."))
