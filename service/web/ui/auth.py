"""Signing in and out, the UI language, and a worker's own password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from service.clock import utcnow
from service.domain.fields import TEXT_FIELDS, inbound_text, text_problem
from service.domain.people.login import authenticate
from service.domain.people.passwords import hash_password, verify_password
from service.domain.privacy.audit import record
from service.web.context import db
from service.web.ui.i18n import UI_LANGUAGES
from service.web.ui.security import WorkerUser, current_worker, safe_next

bp = Blueprint("auth", __name__)
MIN_PASSWORD = 12


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("today.index"))
    errors: dict[str, str] = {}
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        session_ = db()
        now = utcnow()
        password = request.form.get("password", "")
        if not _well_formed(email, password):  # a NUL byte must not reach the query
            record(session_, None, "login_failed", "worker", None, at=now)
            session_.commit()
            errors["password"] = _("Sähköposti tai salasana on väärin.")
            return render_template("auth/login.html", errors=errors,
                                   email=inbound_text(email, 254)), 401
        result = authenticate(session_, email, password, now)
        if result.status == "ok" and result.worker is not None:
            lang = session.get("lang")
            if lang in UI_LANGUAGES:
                result.worker.ui_language = lang  # chosen on the sign-in page: remember it
            record(session_, result.worker.id, "login", "worker", result.worker.id, at=now)
            session_.commit()
            session.clear()  # a fresh session: nothing carried over from before sign-in
            if lang:
                session["lang"] = lang
            session.permanent = True
            login_user(WorkerUser(result.worker))
            return redirect(safe_next(request.args.get("next")) or url_for("today.index"))
        record(session_, result.worker.id if result.worker else None, "login_failed", "worker",
               result.worker.id if result.worker else None, at=now)
        session_.commit()
        if result.status == "locked":
            errors["password"] = _("Liian monta väärää yritystä. Tunnus on lukittu hetkeksi: "
                                   "yritä myöhemmin uudelleen tai pyydä pääkäyttäjää avaamaan se.")
        else:
            errors["password"] = _("Sähköposti tai salasana on väärin.")
    status = 401 if errors else 200
    return render_template("auth/login.html", errors=errors, email=email), status


def _well_formed(email: str, password: str) -> bool:
    """Could these be a worker's address and password at all (service/domain/fields.py)?"""
    return (text_problem(email, TEXT_FIELDS["email"]) is None
            and text_problem(password, TEXT_FIELDS["password"]) is None)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    session_ = db()
    record(session_, current_user.id, "logout", "worker", current_user.id)
    session_.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Olet kirjautunut ulos."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    """Works signed in or not; a signed-in worker's choice is remembered on their account."""
    lang = request.form.get("lang", "")
    if lang in UI_LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_worker().ui_language = lang
            db().commit()
    return redirect(safe_next(request.form.get("next")) or url_for("today.index"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    if request.method == "POST":
        worker = current_worker()
        new = request.form.get("new_password", "")
        if not verify_password(worker.password_hash, request.form.get("current_password", "")):
            errors["current_password"] = _("Nykyinen salasana on väärin.")
        if new and verify_password(worker.password_hash, new):
            errors["new_password"] = _("Valitse uusi salasana, ei nykyistä.")
        elif len(new) < MIN_PASSWORD:
            errors["new_password"] = _("Salasanassa pitää olla vähintään %(n)s merkkiä.",
                                       n=MIN_PASSWORD)
        elif new != request.form.get("new_password_again", ""):
            errors["new_password_again"] = _("Salasanat eivät ole samat.")
        if not errors:
            worker.password_hash = hash_password(new)
            worker.must_change_password = False
            record(db(), worker.id, "update", "worker", worker.id, "password")
            db().commit()
            login_user(WorkerUser(worker))  # the session id follows the new password
            flash(_("Salasana on vaihdettu."), "success")
            return redirect(url_for("today.index"))
    return render_template("auth/password.html", errors=errors), 422 if errors else 200
