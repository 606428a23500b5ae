"""Reading the appointment and application forms, and the reminder plan preview.

Dates and times are typed the Finnish way (3.6.2026, 10.00 or 10:00); the errors come
back keyed by the form's own field names so each sits beside its field.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from werkzeug.datastructures import MultiDict

from service.domain.calendar.dates import parse_local_date
from service.domain.errors import ValidationError
from service.domain.events.lifecycle import (
    APPOINTMENT_TYPES,
    ApplicationInput,
    AppointmentInput,
    PlannedReminder,
    validate_application,
    validate_appointment,
)
from service.domain.fields import day_problem
from service.domain.texts.sms import analyse_sms
from service.store.models import Event
from service.web.ui.form_input import (
    input_date,
    input_time,
    local_datetime,
    parse_date_field,
    parse_time_of_day,
)

APPOINTMENT_FIELDS = ("date", "time", "place", "bring", "needs_transport", "appointment_type")
APPLICATION_FIELDS = ("agency", "submitted_on", "documents_due", "decision_expected")
# Where a domain error about a whole value is shown in the form.
FIELD_OF = {"starts_at": "date"}


@dataclass(frozen=True)
class PreviewRow:
    """One planned message as the worker sees it before saving."""

    send_at: datetime | None
    channel: str
    recipient: str
    text: str
    segments: int | None
    encoding: str | None
    costly_chars: tuple[str, ...]
    script_cost: bool  # UCS-2 because of the language's own letters (Cyrillic), not a slip
    state: str
    reason: str | None


def _own_script(costly: tuple[str, ...]) -> bool:
    """Letters of another alphabet (a Ukrainian text's Cyrillic): the language's cost, to
    show as such, not a character the worker should swap for a cheaper one."""
    return bool(costly) and all(c.isalpha() and "LATIN" not in unicodedata.name(c, "")
                                for c in costly)


def preview_rows(plan: list[PlannedReminder]) -> list[PreviewRow]:
    rows = []
    for p in plan:
        costly = analyse_sms(p.text).non_gsm_chars if p.channel == "sms" else ()
        rows.append(PreviewRow(send_at=p.send_at, channel=p.channel, recipient=p.recipient,
                               text=p.text, segments=p.segments, encoding=p.encoding,
                               costly_chars=costly, script_cost=_own_script(costly),
                               state=p.state, reason=p.reason))
    return rows


def appointment_values(form: MultiDict[str, str]) -> dict[str, str]:
    values = {name: form.get(name, "").strip() for name in APPOINTMENT_FIELDS}
    values["needs_transport"] = "1" if form.get("needs_transport") == "1" else ""
    if values["appointment_type"] not in APPOINTMENT_TYPES:
        values["appointment_type"] = "other"
    return values


def appointment_values_of(event: Event, tz: tzinfo) -> dict[str, str]:
    starts = event.starts_at
    return {"date": input_date(starts.astimezone(tz).date()) if starts else "",
            "time": input_time(starts, tz) if starts else "",
            "place": event.place or "", "bring": event.bring or "",
            "needs_transport": "1" if event.needs_transport else "",
            "appointment_type": event.appointment_type or "other"}


def read_appointment(values: dict[str, str], client_id: int, tz: tzinfo,
                     now: datetime) -> AppointmentInput:
    """The form's values as an AppointmentInput, or ValidationError keyed by form field."""
    errors: dict[str, str] = {}
    day = at = None
    try:
        day = parse_date_field(values["date"])
    except ValueError as exc:
        errors["date"] = str(exc)
    if day is not None and (problem := day_problem(day)):
        errors["date"], day = problem, None
    try:
        if not values["time"]:
            raise ValueError("Anna kellonaika, esimerkiksi 10.00.")
        at = parse_time_of_day(values["time"])
    except ValueError as exc:
        errors["time"] = str(exc)
    starts_at = None
    if day is not None and at is not None:
        try:
            starts_at = local_datetime(day, at, tz)
        except ValueError as exc:
            errors["time"] = str(exc)
    data = AppointmentInput(client_id=client_id, starts_at=starts_at or now,
                            place=values["place"], bring=values["bring"],
                            needs_transport=values["needs_transport"] == "1",
                            appointment_type=values["appointment_type"])
    try:
        validate_appointment(data, now)
    except ValidationError as exc:
        for key, message in exc.errors.items():
            if key == "starts_at" and (starts_at is None or errors):
                continue  # the date or time itself is already reported
            errors.setdefault(FIELD_OF.get(key, key), message)
    if errors:
        raise ValidationError(errors)
    return data


def application_values(form: MultiDict[str, str]) -> dict[str, str]:
    return {name: form.get(name, "").strip() for name in APPLICATION_FIELDS}


def application_values_of(event: Event) -> dict[str, str]:
    def show(value: date | None) -> str:
        return input_date(value) if value else ""

    return {"agency": event.agency or "", "submitted_on": show(event.submitted_on),
            "documents_due": show(event.documents_due),
            "decision_expected": show(event.decision_expected)}


def read_application(values: dict[str, str], client_id: int, now: datetime) -> ApplicationInput:
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name in ("submitted_on", "documents_due", "decision_expected"):
        dates[name] = None
        if values[name]:
            try:
                dates[name] = parse_local_date(values[name])
            except ValueError as exc:
                errors[name] = str(exc)
    data = ApplicationInput(client_id=client_id, agency=values["agency"],
                            submitted_on=dates["submitted_on"],
                            documents_due=dates["documents_due"],
                            decision_expected=dates["decision_expected"])
    try:
        validate_application(data, now)
    except ValidationError as exc:
        for key, message in exc.errors.items():
            if key == "documents_due" and {"documents_due", "decision_expected"} & set(errors):
                continue  # a date was given but mistyped: that error says it already
            errors.setdefault(key, message)
    if errors:
        raise ValidationError(errors)
    return data
