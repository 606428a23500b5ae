"""Appointments and pending applications: register with a preview of the reminder plan,
reschedule (which plans again), and cancel (offering to tell the client by SMS)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.domain.errors import ValidationError
from service.domain.events import lifecycle as ev
from service.domain.events import notices, series
from service.domain.events import recurrence as rec
from service.domain.events.attendance import (
    AttendanceRefused,
    attendance_problem,
    record_attendance,
)
from service.domain.fields import optional_id
from service.domain.messages.outbound import check_text, sms_recipient
from service.domain.planning.reminder_states import REPLACED_REASONS
from service.domain.privacy.audit import record
from service.domain.teams import access
from service.domain.texts.rendering import render_text
from service.scheduling.adhoc_messages import send_message
from service.store.models import Client, Event, Message, Reminder
from service.store.states import Attendance, Direction, EventKind, EventState, ReminderState
from service.web.context import db, runtime
from service.web.ui import event_forms as forms
from service.web.ui import recurrence_form
from service.web.ui.formatting import APPOINTMENT_TYPES, L, local_datetime
from service.web.ui.security import current_worker
from service.web.ui.sending import send_now

bp = Blueprint("events", __name__, url_prefix="/events")
NOTICE_BLOCKERS = {
    notices.OPTED_OUT: L("Asiakas on kieltäytynyt viesteistä (LOPETA). Soita hänelle, jos "
                         "asia on tärkeä."),
    notices.ERASED: L("Asiakkaan tiedot on poistettu."),
    notices.NO_TEMPLATE: L("Tiimin viestipohjista puuttuu tämä ilmoitus."),
}
NOT_SENT = (ReminderState.SKIPPED, ReminderState.CANCELLED)  # listed last


def _client(raw_id: str | None) -> Client:
    """The client of ?client_id= (a 422 naming it when it is no id, a 404 when not there)."""
    client_id = optional_id(raw_id, "client_id")
    client = access.client_for(db(), current_worker(), client_id) \
        if client_id is not None else None
    if client is None or client.anonymised_at is not None:
        abort(404)
    return client


def _event(event_id: int) -> Event:
    event = access.event_for(db(), current_worker(), event_id)
    if event is None or event.client.anonymised_at is not None:
        abort(404)  # another team's event is, to this worker, not there
    return event


def _preview_event(data: ev.AppointmentInput | ev.ApplicationInput) -> Event:
    """A detached event, never added to the session, to plan a preview from."""
    if isinstance(data, ev.AppointmentInput):
        return Event(client_id=data.client_id, kind=EventKind.APPOINTMENT,
                     state=EventState.PLANNED,
                     starts_at=data.starts_at, place=data.place.strip() or None,
                     bring=data.bring.strip() or None, needs_transport=data.needs_transport,
                     appointment_type=data.appointment_type)
    return Event(client_id=data.client_id, kind=EventKind.APPLICATION, state=EventState.PLANNED,
                 agency=data.agency.strip(), submitted_on=data.submitted_on,
                 documents_due=data.documents_due, decision_expected=data.decision_expected)


def _render(kind: EventKind, client: Client, values: dict[str, str], errors: dict[str, str],
            plan: list[forms.PreviewRow] | None = None, event: Event | None = None,
            occurrences: list[rec.Occurrence] | None = None) -> ResponseReturnValue:
    template = "events/appointment_form.html" if kind == EventKind.APPOINTMENT \
        else "events/application_form.html"
    options = [(t, str(APPOINTMENT_TYPES.get(t, t))) for t in ev.APPOINTMENT_TYPES]
    channel = notices.notice_channel(client)
    return render_template(template, client=client, v=values, errors=errors, plan=plan,
                           event=event, type_options=options, notice_channel=channel,
                           repeat_options=[(k, str(t)) for k, t in
                                           recurrence_form.REPEAT_LABELS.items()],
                           day_options=[(k, str(t)) for k, t in
                                        recurrence_form.DAY_LABELS.items()],
                           occurrences=occurrences,
                           config_horizon=runtime().config.horizon_days), 422 if errors else 200


def _saved(event: Event, reminders: list[Reminder], message: str) -> ResponseReturnValue:
    planned = sum(1 for r in reminders if r.state == ReminderState.PLANNED)
    flash(message + " " + _("Ajastettuja muistutuksia: %(n)s.", n=planned), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/new/appointment", methods=["GET", "POST"])
def new_appointment() -> ResponseReturnValue:
    client = _client(request.values.get("client_id"))
    values = forms.appointment_values(request.form) | recurrence_form.values(request.form)
    if request.method == "GET":
        values["appointment_type"] = "worker"
        return _render(EventKind.APPOINTMENT, client, values, {})
    if values["repeat"] != "none":
        return _create_series(client, values)
    return _create(EventKind.APPOINTMENT, client, values,
                   lambda now: forms.read_appointment(values, client.id, runtime().config.tz,
                                                      now),
                   ev.build_appointment, _("Aika on tallennettu."))


def _create_series(client: Client, values: dict[str, str]) -> ResponseReturnValue:
    """A recurring appointment: the form's errors, its occurrences and the first one's
    plan, or saved as a series with its occurrences within the horizon."""
    rt, session, now = runtime(), db(), utcnow()
    try:
        data = forms.read_appointment(values, client.id, rt.config.tz, now)
        rule = recurrence_form.read(values, data.starts_at.astimezone(rt.config.tz).date())
    except ValidationError as exc:
        return _render(EventKind.APPOINTMENT, client, values, exc.errors)
    assert rule is not None
    if request.form.get("action") == "save":
        event = ev.build_appointment(session, data, now)
        try:
            series.create_series(session, rt, event, rule, now, rt.config.horizon_days,
                                 current_worker().id)
        except ValidationError as exc:
            session.rollback()
            return _render(EventKind.APPOINTMENT, client, values, exc.errors)
        record(session, current_worker().id, "create", "event", event.id, "series")
        session.commit()
        flash(_("Toistuva aika on tallennettu."), "success")
        return redirect(url_for("events.show", event_id=event.id))
    first = data.starts_at.astimezone(rt.config.tz).replace(tzinfo=None)
    text = rec.series_text(first, rule)
    found = rec.occurrences(text, rt.config.tz, first.date(),
                            series.horizon_end(now, rt, rt.config.horizon_days))
    plan = forms.preview_rows(ev.plan_event(_preview_event(data), client, rt, now))
    return _render(EventKind.APPOINTMENT, client, values, {}, plan, occurrences=found)


@bp.route("/new/application", methods=["GET", "POST"])
def new_application() -> ResponseReturnValue:
    client = _client(request.values.get("client_id"))
    if request.method == "GET":
        return _render(EventKind.APPLICATION, client, forms.application_values(request.form),
                       {})
    values = forms.application_values(request.form)
    return _create(EventKind.APPLICATION, client, values,
                   lambda now: forms.read_application(values, client.id, now),
                   ev.build_application, _("Hakemus on tallennettu."))


def _create(kind: EventKind, client: Client, values: dict[str, str],
            read: Callable[[datetime], Any], build: Callable[[Session, Any, datetime], Event],
            saved: str) -> ResponseReturnValue:
    """A new appointment or application: the form's errors, its plan, or saved."""
    rt, session, now = runtime(), db(), utcnow()
    try:
        data = read(now)
    except ValidationError as exc:
        return _render(kind, client, values, exc.errors)
    if request.form.get("action") == "save":
        event = build(session, data, now)
        reminders = ev.register_event(session, rt, event, now, current_worker().id)
        record(session, current_worker().id, "create", "event", event.id, kind)
        session.commit()
        return _saved(event, reminders, saved)
    plan = forms.preview_rows(ev.plan_event(_preview_event(data), client, rt, now))
    return _render(kind, client, values, {}, plan)


@bp.route("/<id:event_id>/change", methods=["GET", "POST"])
def change(event_id: int) -> ResponseReturnValue:
    """Reschedule an appointment or change an application's dates; the plan is made again."""
    event = _event(event_id)
    if event.recurrence is not None:
        flash(_("Toistuvan ajan sääntöä ei voi muuttaa: siirrä yksittäinen kerta, tai peru "
                "sarja ja tee uusi."), "error")
        return redirect(url_for("events.show", event_id=event.id))
    if event.state in (EventState.CANCELLED, EventState.DONE):
        flash(_("Peruttua tai pidettyä tapahtumaa ei voi muuttaa."), "error")
        return redirect(url_for("events.show", event_id=event.id))
    rt, session, now = runtime(), db(), utcnow()
    kind = event.kind
    if request.method == "GET":
        values = (forms.appointment_values_of(event, rt.config.tz)
                  if kind == EventKind.APPOINTMENT
                  else forms.application_values_of(event))
        values["notify_client"] = "1"  # ticked unless the worker unticks it
        return _render(kind, event.client, values, {}, event=event)
    data: ev.AppointmentInput | ev.ApplicationInput
    try:
        if kind == EventKind.APPOINTMENT:
            values = forms.appointment_values(request.form)
            values["notify_client"] = "1" if request.form.get("notify_client") == "1" else "0"
            data = forms.read_appointment(values, event.client_id, rt.config.tz, now)
        else:
            values = forms.application_values(request.form)
            data = forms.read_application(values, event.client_id, now)
    except ValidationError as exc:
        return _render(kind, event.client, values, exc.errors, event=event)
    if request.form.get("action") != "save":
        plan = forms.preview_rows(ev.plan_event(_preview_event(data), event.client, rt, now))
        return _render(kind, event.client, values, {}, plan, event=event)
    notice = None
    if isinstance(data, ev.AppointmentInput):
        old_start = event.starts_at
        reminders = ev.reschedule(session, rt, event, data, now)
        if values.get("notify_client") == "1" and event.starts_at != old_start:
            notice = notices.queue_notice(session, rt, event, notices.MOVED, now=now,
                                          worker_id=current_worker().id)
    else:
        event.agency = data.agency.strip()
        event.submitted_on, event.documents_due = data.submitted_on, data.documents_due
        event.decision_expected, event.updated_at = data.decision_expected, now
        reminders = ev.replan(session, rt, event, now)
    record(session, current_worker().id, "update", "event", event.id, "rescheduled")
    session.commit()
    if notice is not None:
        send_notice(notice)
    return _saved(event, reminders, _("Muutokset on tallennettu ja muistutukset suunniteltu "
                                      "uudelleen."))


def cancel_text(event: Event, channel: str, template: str = notices.CANCELLED) -> str:
    """The cancellation as the client would get it: a text the worker may edit, or the
    team's call script (spoken as it stands)."""
    rt = runtime()
    if notices.why_not(rt, event, template, channel) is not None:
        return ""
    return notices.notice_text(rt, event, template, channel)


def notice_blocker(event: Event, channel: str, template: str = notices.CANCELLED
                   ) -> str | None:
    """Why the client cannot be told by us (in words), or None."""
    if channel == "sms":
        try:
            sms_recipient(event.client, None)
        except ValidationError as exc:
            return exc.errors["body"]
    why = notices.why_not(runtime(), event, template, channel)
    return None if why is None else str(NOTICE_BLOCKERS.get(why, why))


def send_notice(notice: notices.Notice) -> None:
    """Send a committed notice at once if the client's window is open, and say how it went
    (a call is only placed now: whether it was answered comes later)."""
    now = utcnow()
    if notice.message is None:
        return
    if not notices.due_now(notice, now):
        flash(_("Ilmoitus lähtee, kun asiakkaan lähetysaika alkaa: %(when)s.",
                when=local_datetime(notice.message.not_before)), "info")
    elif notice.channel == "sms":
        send_now(notice.message.id)
    elif send_message(runtime(), notice.message.id, now):
        flash(_("Asiakkaalle soitetaan nyt, ja kone kertoo muutoksen."), "success")
    else:
        flash(_("Puhelu ei lähtenyt heti; sitä yritetään pian uudelleen."), "warning")


def check_notice_choice(notify: bool, text: str, channel: str, blocker: str | None
                        ) -> tuple[str, dict[str, str]]:
    """A cancellation form's "tell the client?" answer: when told, the text must pass the
    text checks and nothing may block the notice. The text (checked) and the errors."""
    errors: dict[str, str] = {}
    if request.method == "POST" and notify:
        try:
            text = check_text(text, "notice_text") if channel == "sms" else text
        except ValidationError as exc:
            errors = exc.errors
        if blocker:
            errors["notify"] = blocker
    return text, errors


@bp.route("/<id:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    if event.recurrence is not None:  # a series is cancelled from its own page
        return redirect(url_for("events.show", event_id=event.id))
    if event.state == EventState.CANCELLED:
        flash(_("Tapahtuma on jo peruttu."), "info")
        return redirect(url_for("events.show", event_id=event.id))
    client, channel = event.client, notices.notice_channel(event.client)
    blocker = notice_blocker(event, channel)
    pending = sum(1 for r in event.reminders if r.state == ReminderState.PLANNED)
    notify = request.form.get("notify") == "1"
    text = request.form.get("notice_text", cancel_text(event, channel)) \
        if channel == "sms" else cancel_text(event, channel)
    text, errors = check_notice_choice(notify, text, channel, blocker)
    if request.method == "GET" or errors:
        return render_template("events/cancel.html", event=event, client=client,
                               pending=pending, blocker=blocker, text=text, notify=notify,
                               channel=channel, errors=errors), 422 if errors else 200
    rt, session, now, me = runtime(), db(), utcnow(), current_worker()
    cancelled = ev.cancel_event(session, event, now)
    record(session, me.id, "cancel", "event", event.id)
    notice = notices.queue_notice(session, rt, event, notices.CANCELLED, now=now,
                                  worker_id=me.id, body=text) if notify else None
    session.commit()
    flash(_("Tapahtuma on peruttu. Peruttuja muistutuksia: %(n)s.", n=cancelled), "success")
    if notice is not None:
        send_notice(notice)
    return redirect(url_for("events.show", event_id=event.id))


def reminder_texts(event: Event) -> dict[int, str]:
    """Each reminder's text: as sent when it went, else as it will be rendered."""
    rt, session = runtime(), db()
    sent = {m.reminder_id: m.body or "" for m in session.scalars(
        select(Message).where(Message.event_id == event.id, Message.direction == Direction.OUT,
                              Message.reminder_id.is_not(None))
        .order_by(Message.created_at, Message.id))}
    texts: dict[int, str] = {}
    team = rt.for_team(event.client.team_id)  # in the client's team's words
    for r in event.reminders:
        if r.id in sent:
            texts[r.id] = sent[r.id]
            continue
        person = r.trusted_person
        language = person.language if person is not None else event.client.language
        try:
            texts[r.id] = render_text(team.templates, r.channel, r.template,
                                      "fi" if r.channel == "task" else language, event,
                                      team.sender, client_name=event.client.name)
        except KeyError:
            texts[r.id] = ""
    return texts


@bp.get("/<id:event_id>")
def show(event_id: int) -> ResponseReturnValue:
    return show_page(_event(event_id))


def show_page(event: Event, errors: dict[str, str] | None = None,
              **forms: object) -> ResponseReturnValue:
    """The event's page; `forms` carries a refused form's values back (application_steps).
    Replaced reminders (planned again after a change) are hidden unless ?replaced=1."""
    texts = reminder_texts(event)
    record(db(), current_worker().id, "view", "event", event.id)
    db().commit()
    show_replaced = request.args.get("replaced") == "1"
    replaced = [r for r in event.reminders if r.reason in REPLACED_REASONS]
    reminders = sorted((r for r in event.reminders if show_replaced or r not in replaced),
                       key=lambda r: (r.state in NOT_SENT and r.sent_at is None,
                                      r.sent_at or r.send_at))
    rt = runtime()
    occurrences = series.upcoming(db(), rt, event, utcnow(), rt.config.horizon_days)
    return render_template("events/show.html", event=event, client=event.client, texts=texts,
                           occurrences=occurrences,
                           rule_text=rec.describe(event.recurrence) if event.recurrence else "",
                           reminders=reminders, attendance_options=_attendance_options(),
                           can_record=attendance_problem(event, None, utcnow()) is None,
                           errors=errors or {}, replaced_count=len(replaced),
                           show_replaced=show_replaced, **forms), 422 if errors else 200


def _attendance_options() -> list[tuple[str, str, str | None]]:
    return [(Attendance.ATTENDED, _("Tuli"), None),
            (Attendance.NO_SHOW, _("Ei tullut"), None),
            (Attendance.CANCELLED_BY_CLIENT, _("Asiakas perui"),
             _("Asiakas kertoi itse, ettei tule. Aika merkitään perutuksi."))]


@bp.post("/<id:event_id>/attendance")
def attendance(event_id: int) -> ResponseReturnValue:
    """After the appointment: did the client come? (A no-show is a problem point.)"""
    event, session = _event(event_id), db()
    raw = request.form.get("attendance", "")
    choice = next((a for a in Attendance if a.value == raw), None)
    if choice is None:
        flash(_("Valitse, tuliko asiakas."), "error")
        return redirect(url_for("events.show", event_id=event.id) + "#attendance")
    try:
        record_attendance(session, event, choice, worker_id=current_worker().id, now=utcnow())
    except AttendanceRefused as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("events.show", event_id=event.id))
    session.commit()
    flash(_("Läsnäolo on kirjattu."), "success")
    return redirect(url_for("events.show", event_id=event.id))
