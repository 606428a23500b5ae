"""Admins manage workers: add, change role, deactivate, reset a password, unlock.

A team admin manages their teams' workers only and gives the roles worker and team
admin; the organisation's admin manages everyone (domain/teams/access.py). Anyone else's
worker is, to them, not there (404).

A generated password is shown once, on the page that answers the request: never in a
flash message, which would travel in the (signed, not encrypted) session cookie.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as L
from flask_login import login_user
from sqlalchemy import func, select

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.fields import collect_text, optional_id
from service.domain.people.api_tokens import revoke_all, tokens_of
from service.domain.people.api_tokens import revoke_token as revoke_one
from service.domain.people.deactivation import deactivate, open_work, reactivate
from service.domain.people.login import is_locked
from service.domain.people.passwords import hash_password
from service.domain.privacy.audit import record
from service.domain.teams import access
from service.domain.teams.absences import colleagues
from service.domain.teams.setup import join
from service.store.models import Worker
from service.store.states import Role
from service.web.context import db
from service.web.ui.i18n import UI_LANGUAGES
from service.web.ui.security import WorkerUser, admin_required, current_worker

bp = Blueprint("admin", __name__, url_prefix="/admin/workers")
ROLE_WORDS = {Role.WORKER: L("työntekijä"),
              Role.TEAM_ADMIN: L("tiimin pääkäyttäjä: hallitsee tiiminsä työntekijöitä"),
              Role.ORG_ADMIN: L("organisaation pääkäyttäjä: hallitsee tiimejä ja kaikkea")}


@bp.before_request
@admin_required
def _admins_only() -> None:
    return None


def _worker(worker_id: int) -> Worker:
    worker = access.worker_for(db(), current_worker(), worker_id)
    if worker is None:
        abort(404)  # another team's worker is, to a team admin, not there
    return worker


def _read_form(existing: Worker | None) -> tuple[dict[str, object], dict[str, str]]:
    form = request.form
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "name": collect_text(errors, "name", form.get("name", "")),
        "email": collect_text(errors, "email", form.get("email", "")).lower(),
        "role": form.get("role", "worker"), "ui_language": form.get("ui_language", "fi"),
        "active": form.get("active") == "1" if existing is not None else True,
        "successor_id": form.get("successor_id", "")}
    if not values["name"] and "name" not in errors:
        errors["name"] = _("Anna nimi.")
    email = str(values["email"])
    if "email" not in errors and ("@" not in email or " " in email):
        errors["email"] = _("Anna sähköpostiosoite, esimerkiksi etunimi.sukunimi@kunta.fi.")
    if "email" not in errors:
        clash = db().scalars(select(Worker).where(func.lower(Worker.email) == email)).first()
        if clash is not None and clash is not existing:
            errors["email"] = _("Tällä sähköpostilla on jo tunnus.")
    if values["role"] not in access.roles_given_by(current_worker()):
        errors["role"] = _("Valitse rooli.")
    if values["ui_language"] not in UI_LANGUAGES:
        values["ui_language"] = "fi"
    if existing is not None and existing.id == current_worker().id and (
            values["role"] != current_worker().role or not values["active"]):
        errors["role"] = _("Et voi poistaa omia pääkäyttäjän oikeuksiasi etkä omaa "
                           "tunnustasi käytöstä.")
    return values, errors


def _form_page(worker: Worker | None, values: dict[str, object], errors: dict[str, str]
               ) -> ResponseReturnValue:
    tokens = tokens_of(db(), worker.id) if worker is not None else []
    successors = ([(w.id, w.name) for w in colleagues(db(), worker.id)]
                  if worker is not None and worker.active else [])
    clients, items = open_work(db(), worker.id) if worker is not None else (0, 0)
    return render_template("admin/worker_form.html", worker=worker, errors=errors, v=values,
                           tokens=tokens, successors=successors, open_clients=clients,
                           open_items=items, **_choices(worker)), 422 if errors else 200


def _choices(worker: Worker | None) -> dict[str, object]:
    """The roles this admin may give, and for a new worker the teams they may put them
    in (asked only when there is more than one)."""
    me = current_worker()
    roles = [(role.value, str(ROLE_WORDS[role])) for role in access.roles_given_by(me)]
    teams = access.own_teams(db(), me) if worker is None else []
    return {"role_options": roles,
            "team_options": [(t.id, t.name) for t in teams] if len(teams) > 1 else []}


@bp.get("")
def workers() -> ResponseReturnValue:
    rows = list(db().scalars(select(Worker).where(access.workers_rule(current_worker()))
                             .order_by(Worker.active.desc(), Worker.name)))
    now = utcnow()
    return render_template("admin/workers.html", workers=rows,
                           locked={w.id for w in rows if is_locked(w, now)})


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    if request.method == "GET":
        return _form_page(None, {"role": "worker", "ui_language": "fi", "active": True}, {})
    values, errors = _read_form(None)
    try:
        team_id = access.team_for_new_client(db(), current_worker(),
                                             optional_id(request.form.get("team_id"), "team_id"))
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        return _form_page(None, values, errors)
    password = secrets.token_urlsafe(12)
    worker = Worker(name=values["name"], email=values["email"], role=values["role"],
                    ui_language=values["ui_language"], password_hash=hash_password(password),
                    must_change_password=True)  # the admin has seen it
    session = db()
    session.add(worker)
    session.flush()
    join(session, worker.id, team_id)
    record(session, current_worker().id, "create", "worker", worker.id)
    session.commit()
    return render_template("admin/password_shown.html", worker=worker, password=password,
                           created=True)


@bp.route("/<id:worker_id>", methods=["GET", "POST"])
def edit(worker_id: int) -> ResponseReturnValue:
    worker = _worker(worker_id)
    if request.method == "GET":
        v = {"name": worker.name, "email": worker.email, "role": worker.role,
             "ui_language": worker.ui_language, "active": worker.active}
        return _form_page(worker, v, {})
    values, errors = _read_form(worker)
    if errors:
        return _form_page(worker, values, errors)
    if worker.active and not values["active"]:  # someone takes over (people/deactivation.py)
        try:
            successor = optional_id(request.form.get("successor_id"), "successor_id")
            deactivate(db(), worker, successor, current_worker().id, utcnow())
        except ValidationError as exc:
            db().rollback()
            return _form_page(worker, values, exc.errors)
    elif values["active"] and not worker.active:
        reactivate(db(), worker, current_worker().id, utcnow())
    for key, value in values.items():
        if key not in ("active", "successor_id"):
            setattr(worker, key, value)
    record(db(), current_worker().id, "update", "worker", worker.id)
    db().commit()
    flash(_("Tiedot on tallennettu."), "success")
    return redirect(url_for("admin.workers"))


@bp.post("/<id:worker_id>/reset-password")
def reset_password(worker_id: int) -> ResponseReturnValue:
    worker = _worker(worker_id)
    password = secrets.token_urlsafe(12)
    worker.password_hash = hash_password(password)  # also ends the worker's sessions
    worker.must_change_password = True  # the admin has seen it
    worker.failed_logins, worker.locked_until = 0, None
    record(db(), current_worker().id, "update", "worker", worker.id, "password reset")
    # a reset means the account may be in other hands: so may its API tokens
    revoke_all(db(), worker.id, current_worker().id, "password reset", utcnow())
    db().commit()
    if worker.id == current_worker().id:
        login_user(WorkerUser(worker))  # keep one's own session across the new password
    return render_template("admin/password_shown.html", worker=worker, password=password,
                           created=False)


@bp.post("/<id:worker_id>/tokens/<id:token_id>/revoke")
def revoke_token(worker_id: int, token_id: int) -> ResponseReturnValue:
    worker = _worker(worker_id)
    if revoke_one(db(), token_id, current_worker().id, utcnow(), worker_id=worker.id):
        db().commit()
        flash(_("API-avain %(id)s on poistettu käytöstä.", id=token_id), "success")
    else:
        flash(_("Avainta ei löydy."), "error")
    return redirect(url_for("admin.edit", worker_id=worker.id))


@bp.post("/<id:worker_id>/unlock")
def unlock(worker_id: int) -> ResponseReturnValue:
    worker = _worker(worker_id)
    worker.failed_logins, worker.locked_until = 0, None
    record(db(), current_worker().id, "update", "worker", worker.id, "unlocked")
    db().commit()
    flash(_("Tunnus %(email)s on avattu.", email=worker.email), "success")
    return redirect(url_for("admin.workers"))
