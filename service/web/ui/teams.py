"""Teams, for the organisation's admin: the list with counts, a team's settings (its
name per language, numbers, sending windows, sender, folder, escalation hours) and its
members. A team admin sees their own teams' pages (members, settings) read-only; anyone
else's team is, to them, not there (404).

A team's settings are checked on save as every start checks them: a window like
[sending], numbers with a hint, and the team's texts rendered with its own name and
folder (a name that makes a text too long is a form error, never a 500).
"""

from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from service.domain.errors import ValidationError
from service.domain.privacy.audit import record
from service.domain.teams.access import may_manage_team, team_ids
from service.domain.teams.settings import TeamSettings
from service.domain.teams.setup import (
    TeamInput,
    check_team,
    form_of,
    join,
    leave,
    teams_with_counts,
    update_team,
)
from service.runtime import TeamFileProblem, team_context
from service.store.models import Team, TeamMember, Worker
from service.web.context import db, runtime
from service.web.ui.formatting import translate
from service.web.ui.security import admin_required, current_worker

bp = Blueprint("teams", __name__, url_prefix="/admin/teams")


@bp.before_request
@admin_required
def _admins_only() -> None:
    return None


def _org_admin_only() -> None:
    if not current_worker().is_org_admin:
        abort(403)


def _team(team_id: int) -> Team:
    """The team, if this admin may see it (a team admin: only their own)."""
    team = db().get(Team, team_id)
    if team is None or not may_manage_team(db(), current_worker(), team_id):
        abort(404)
    return team


def _form_input() -> TeamInput:
    return TeamInput(**{f.name: request.form.get(f.name, "") for f in fields(TeamInput)})


def _checked(data: TeamInput, team_id: int | None) -> dict[str, object]:
    """check_team, then the team's texts as every start checks them (its name, numbers
    and folder): ValidationError with the field to fix."""
    try:
        values = check_team(data)
    except ValidationError as exc:
        raise ValidationError({k: translate(v) for k, v in exc.errors.items()}) from exc
    text = {k: str(values.get(k) or "") for k in TEXT_SETTINGS}
    settings = TeamSettings(
        id=team_id or 0, name=text["name"], name_sv=text["name_sv"], name_en=text["name_en"],
        phone=text["phone"], booking_number=text["booking_number"], window=text["window"],
        saturday_window=text["saturday_window"], sunday_window=text["sunday_window"],
        sender=text["sender"], files_dir=text["files_dir"])
    try:
        team_context(runtime(), settings)
    except (*TeamFileProblem, ValueError) as exc:
        field = "files_dir" if settings.files_dir else "name"
        raise ValidationError({field: _("Tiimin viestit eivät läpäise tarkistusta: "
                                        "%(problem)s", problem=str(exc))}) from exc
    return values


TEXT_SETTINGS = ("name", "name_sv", "name_en", "phone", "booking_number", "window",
                 "saturday_window", "sunday_window", "sender", "files_dir")


def _form(team: Team | None, values: TeamInput, errors: dict[str, str]) -> ResponseReturnValue:
    return render_template("teams/form.html", team=team, v=values, errors=errors), \
        422 if errors else 200


@bp.get("")
def teams() -> ResponseReturnValue:
    me = current_worker()
    mine = None if me.is_org_admin else team_ids(db(), me)
    return render_template("teams/list.html", rows=teams_with_counts(db(), mine),
                           may_create=me.is_org_admin)


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    _org_admin_only()
    if request.method == "GET":
        return _form(None, TeamInput(name="", phone=""), {})
    data = _form_input()
    try:
        values = _checked(data, None)
    except ValidationError as exc:
        return _form(None, data, exc.errors)
    team = Team(**values)
    session = db()
    session.add(team)
    session.flush()
    record(session, current_worker().id, "create", "team", team.id)
    session.commit()
    runtime().forget_teams()
    flash(_("Tiimi on luotu."), "success")
    return redirect(url_for("teams.team", team_id=team.id))


@bp.get("/<id:team_id>")
def team(team_id: int) -> ResponseReturnValue:
    found = _team(team_id)
    members = list(db().scalars(select(Worker).join(
        TeamMember, TeamMember.worker_id == Worker.id).where(TeamMember.team_id == team_id)
        .order_by(Worker.active.desc(), Worker.name)))
    others = [] if not current_worker().is_org_admin else [(w.id, w.name) for w in db().scalars(
        select(Worker).where(Worker.active, Worker.id.not_in([m.id for m in members]))
        .order_by(Worker.name))]
    return render_template("teams/team.html", team=found, members=members, others=others,
                           may_edit=current_worker().is_org_admin)


@bp.route("/<id:team_id>/edit", methods=["GET", "POST"])
def edit(team_id: int) -> ResponseReturnValue:
    _org_admin_only()
    found = _team(team_id)
    if request.method == "GET":
        return _form(found, form_of(found), {})
    data = _form_input()
    try:
        values = _checked(data, found.id)
    except ValidationError as exc:
        return _form(found, data, exc.errors)
    update_team(found, values)
    record(db(), current_worker().id, "update", "team", found.id)
    db().commit()
    runtime().forget_teams()
    flash(_("Tiedot on tallennettu."), "success")
    return redirect(url_for("teams.team", team_id=found.id))


@bp.post("/<id:team_id>/members")
def add_member(team_id: int) -> ResponseReturnValue:
    _org_admin_only()
    found = _team(team_id)
    worker_id = request.form.get("worker_id", "")
    worker = db().get(Worker, int(worker_id)) if worker_id.isascii() and worker_id.isdigit() \
        and len(worker_id) < 10 else None
    if worker is None or not worker.active:
        flash(_("Valitse aktiivinen työntekijä."), "error")
        return redirect(url_for("teams.team", team_id=found.id))
    join(db(), worker.id, found.id)
    record(db(), current_worker().id, "update", "team", found.id, f"member {worker.id} added")
    db().commit()
    flash(_("%(name)s lisättiin tiimiin.", name=worker.name), "success")
    return redirect(url_for("teams.team", team_id=found.id))


@bp.post("/<id:team_id>/members/<id:worker_id>/remove")
def remove_member(team_id: int, worker_id: int) -> ResponseReturnValue:
    _org_admin_only()
    found = _team(team_id)
    worker = db().get(Worker, worker_id)
    if worker is None:
        abort(404)
    leave(db(), worker.id, found.id)
    record(db(), current_worker().id, "update", "team", found.id,
           f"member {worker.id} removed")
    db().commit()
    flash(_("%(name)s poistettiin tiimistä.", name=worker.name), "success")
    return redirect(url_for("teams.team", team_id=found.id))
