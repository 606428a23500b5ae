"""A recurring appointment's own buttons: skip one occurrence, keep one on a public
holiday, pause and resume the series, cancel it (telling the client once, if the worker
chooses, as cancelling one appointment does). Moving one occurrence is the occurrence's
own "Siirrä aikaa" (it is an ordinary appointment)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events import notices, series
from service.domain.events import recurrence as rec
from service.domain.privacy.audit import record
from service.domain.teams import access
from service.store.models import Event
from service.store.states import EVENT_CLOSED
from service.web.context import db, runtime
from service.web.ui.events import cancel_text, check_notice_choice, notice_blocker, send_notice
from service.web.ui.security import current_worker

bp = Blueprint("series", __name__, url_prefix="/events")


def _series(event_id: int) -> Event:
    event = db().get(Event, event_id)
    if event is None or event.recurrence is None or event.client.anonymised_at is not None \
            or not access.may_see_client(db(), current_worker(), event.client_id):
        abort(404)
    return event


def _day() -> date:
    try:
        return date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        abort(400)


def _done(event: Event, message: str) -> ResponseReturnValue:
    db().commit()
    flash(message, "success")
    return redirect(url_for("events.show", event_id=event.id) + "#occurrences")


@bp.post("/<id:event_id>/occurrences/skip")
def skip(event_id: int) -> ResponseReturnValue:
    event, day, now = _series(event_id), _day(), utcnow()
    try:
        child = series.skip(db(), event, day, now)
    except ValidationError as exc:
        flash(exc.errors["date"], "error")
        return redirect(url_for("events.show", event_id=event.id))
    record(db(), current_worker().id, "cancel", "event", child.id if child else event.id,
           f"occurrence {day.isoformat()} skipped")
    return _done(event, _("Kerta %(day)s jätetään väliin.", day=f"{day.day}.{day.month}."))


@bp.post("/<id:event_id>/occurrences/keep")
def keep(event_id: int) -> ResponseReturnValue:
    event, day = _series(event_id), _day()
    try:
        child = series.keep_holiday(db(), event, day, utcnow())
    except ValidationError as exc:
        flash(exc.errors["date"], "error")
        return redirect(url_for("events.show", event_id=event.id))
    record(db(), current_worker().id, "update", "event", child.id, "holiday kept")
    return _done(event, _("Kerta %(day)s pidetään pyhäpäivästä huolimatta.",
                          day=f"{day.day}.{day.month}."))


@bp.post("/<id:event_id>/series/pause")
def pause(event_id: int) -> ResponseReturnValue:
    event = _series(event_id)
    series.pause(db(), event, utcnow())
    record(db(), current_worker().id, "update", "event", event.id, "series paused")
    return _done(event, _("Sarja on tauolla: muistutuksia ei lähetetä."))


@bp.post("/<id:event_id>/series/resume")
def resume(event_id: int) -> ResponseReturnValue:
    event, rt = _series(event_id), runtime()
    series.resume(db(), rt, event, utcnow(), rt.config.horizon_days)
    record(db(), current_worker().id, "update", "event", event.id, "series resumed")
    return _done(event, _("Sarja jatkuu, ja tulevat kerrat muistutetaan."))


def _notice_text(event: Event, channel: str) -> str:
    """The worker's own wording of a text (checked), else the team's template."""
    default = cancel_text(event, channel, notices.SERIES_CANCELLED)
    if channel != "sms":
        return default  # a call always speaks the team's words
    return request.form.get("notice_text", default)


@bp.route("/<id:event_id>/series/cancel", methods=["GET", "POST"])
def cancel(event_id: int) -> ResponseReturnValue:
    """Cancel the whole series and its coming occurrences; the worker chooses whether the
    client is told, with one notice for the series (not one for each occurrence)."""
    event = _series(event_id)
    if event.state in EVENT_CLOSED:
        return _done(event, _("Sarja on jo peruttu."))
    channel = notices.notice_channel(event.client)
    blocker = notice_blocker(event, channel, notices.SERIES_CANCELLED)
    notify = request.form.get("notify") == "1"
    text, errors = check_notice_choice(notify, _notice_text(event, channel), channel, blocker)
    if request.method == "GET" or errors:
        now = utcnow()
        return render_template(
            "events/series_cancel.html", event=event, client=event.client, blocker=blocker,
            text=text, notify=notify, channel=channel, errors=errors,
            rule_text=rec.describe(event.recurrence or ""),
            coming=len(series.coming(db(), event, now))), 422 if errors else 200
    rt, now, me = runtime(), utcnow(), current_worker()
    count = series.cancel_series(db(), event, now)
    record(db(), me.id, "cancel", "event", event.id, "series")
    notice = notices.queue_notice(db(), rt, event, notices.SERIES_CANCELLED, now=now,
                                  worker_id=me.id, body=text) if notify else None
    response = _done(event, _("Sarja on peruttu. Peruttuja muistutuksia: %(n)s.", n=count))
    if notice is not None:
        send_notice(notice)
    return response
