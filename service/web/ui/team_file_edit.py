"""A team admin edits the team's files (message templates, schedules) in the UI.

The team shapes its wording and timing with its client developers, without a programmer.
A saved version goes through the same checks as the files at start-up (runtime.
load_team_files with the version laid over the disk), is kept in the database with its
history (undo adds a version), and is in force at the next request and dispatch pass of
every process. The files on disk stay the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from service.domain.messages.template_check import SAMPLE_APPLICATION, SAMPLE_APPOINTMENT
from service.domain.planning.schedules import EVENT_KINDS, ScheduleSet
from service.domain.privacy.audit import record
from service.domain.texts.rendering import render_text
from service.domain.texts.sms import SmsInfo, analyse_sms
from service.domain.texts.templates import TemplateSet
from service.runtime import (
    TeamFileProblem,
    load_team_files,
    team_file_overrides,
    team_file_path,
)
from service.store.models import TeamFileVersion, Worker
from service.web.context import db, runtime
from service.web.ui.security import current_worker, org_admin_required
from service.web.ui.team_files import DATE_VARIABLES, describe_rule

bp = Blueprint("team_file_edit", __name__, url_prefix="/team-files/edit")
MAX_FILE = 20_000


@dataclass(frozen=True)
class Preview:
    """What the edited file would do: a template's example text, or a schedule's rules."""

    example: str | None = None
    sms: SmsInfo | None = None
    rules: tuple[tuple[str, str], ...] = ()


def editable_files() -> list[str]:
    """Every team file: "schedules/<kind>.toml", "message_templates/<channel>/<file>.txt"."""
    config = runtime().config
    templates = sorted("message_templates/" + p.relative_to(config.templates_dir).as_posix()
                       for p in config.templates_dir.glob("*/*.txt"))
    return [f"schedules/{kind}.toml" for kind in EVENT_KINDS] + templates


def _path_or_404(raw: str | None) -> str:
    if not raw or team_file_path(runtime().config, raw) is None:
        abort(404)
    return raw


def _in_force(path: str) -> str:
    """The text in force: the newest saved version, else the file on disk."""
    saved = team_file_overrides(db()).get(path)
    if saved is not None:
        return saved
    disk = team_file_path(runtime().config, path)
    assert disk is not None
    return disk.read_text(encoding="utf-8")


def _history(path: str) -> list[TeamFileVersion]:
    return list(db().scalars(select(TeamFileVersion).where(TeamFileVersion.path == path)
                             .order_by(TeamFileVersion.id.desc()).limit(50)))


def _check(path: str, content: str | None) -> tuple[TemplateSet, ScheduleSet]:
    """The start-up checks on all files with this version of one: raises what they raise."""
    overrides = team_file_overrides(db())
    overrides[path] = content
    return load_team_files(runtime().config, overrides)


def _preview(path: str, templates: TemplateSet, schedules: ScheduleSet) -> Preview:
    parts = path.split("/")
    if parts[0] == "schedules":
        kind = parts[1].removesuffix(".toml")
        return Preview(rules=tuple((rule.id, describe_rule(rule))
                                   for rule in schedules.for_kind(kind)))
    channel, (name, lang, _txt) = parts[1], parts[2].split(".")
    template = templates.get(channel, name, lang)
    event = SAMPLE_APPLICATION if template.variables & DATE_VARIABLES else SAMPLE_APPOINTMENT
    example = render_text(templates, channel, name, lang, event,
                          runtime().sender, client_name="Matti Meikäläinen")
    return Preview(example=example, sms=analyse_sms(example) if channel == "sms" else None)


def _page(path: str, content: str, problem: str | None = None,
          preview: Preview | None = None) -> ResponseReturnValue:
    workers = {w.id: w.name for w in db().scalars(select(Worker))}
    return render_template("team_files/edit.html", path=path, content=content,
                           problem=problem, preview=preview, history=_history(path),
                           workers=workers), 422 if problem else 200


@bp.get("")
@org_admin_required
def edit() -> ResponseReturnValue:
    raw = request.args.get("path")
    if raw is None:
        edited = set(team_file_overrides(db()))
        return render_template("team_files/files.html", files=editable_files(), edited=edited)
    path = _path_or_404(raw)
    return _page(path, _in_force(path))


@bp.post("")
@org_admin_required
def save() -> ResponseReturnValue:
    path = _path_or_404(request.form.get("path"))
    content = request.form.get("content", "").replace("\r\n", "\n")
    if len(content) > MAX_FILE or "\x00" in content:
        return _page(path, content[:MAX_FILE], _("Tiedosto on liian pitkä tai siinä on "
                                                 "merkkejä, joita ei voi tallentaa."))
    try:
        templates, schedules = _check(path, content)
    except TeamFileProblem as exc:
        return _page(path, content, str(exc))
    if request.form.get("action") != "save":
        return _page(path, content, preview=_preview(path, templates, schedules))
    return _store(path, content, _("muokattu"))


def _store(path: str, content: str | None, note: str) -> ResponseReturnValue:
    session = db()
    worker_id = current_worker().id
    version = TeamFileVersion(path=path, content=content, note=note[:200], worker_id=worker_id)
    session.add(version)
    session.flush()
    record(session, worker_id, "update", "team_file", version.id, f"{path}: {note}")
    session.commit()
    runtime().refresh_team_files()
    flash(_("Tiedosto %(path)s on tallennettu ja käytössä heti.", path=path), "success")
    return redirect(url_for("team_file_edit.edit", path=path))


@bp.post("/undo/<id:version_id>")
@org_admin_required
def undo(version_id: int) -> ResponseReturnValue:
    """Back to an older version (or, for version 0 of a path, the file on disk)."""
    old = db().get(TeamFileVersion, version_id)
    if old is None:
        abort(404)
    try:
        _check(old.path, old.content)
    except TeamFileProblem as exc:
        flash(_("Versiota ei voi palauttaa: %(problem)s", problem=str(exc)), "error")
        return redirect(url_for("team_file_edit.edit", path=old.path))
    return _store(old.path, old.content, _("palautettu versio %(n)s", n=version_id))


@bp.post("/default")
@org_admin_required
def default() -> ResponseReturnValue:
    """Back to the file on disk, the team's default."""
    path = _path_or_404(request.form.get("path"))
    try:
        _check(path, None)
    except TeamFileProblem as exc:
        flash(_("Oletusta ei voi palauttaa: %(problem)s", problem=str(exc)), "error")
        return redirect(url_for("team_file_edit.edit", path=path))
    return _store(path, None, _("palautettu oletus (tiedosto levyllä)"))
