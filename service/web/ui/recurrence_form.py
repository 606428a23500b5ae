"""The appointment form's "Toistuu" part: none, weekly on weekdays, every N weeks,
monthly on the first time's day of the month or on its nth weekday ("kuun 1. tiistai"),
until a date or a number of times; read into an RRULE value (domain/events/recurrence.py).
"""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from service.domain.errors import ValidationError
from service.domain.events import recurrence as rec
from service.web.ui.form_input import parse_date_field
from service.web.ui.formatting import L

REPEATS = ("none", "weekly", "weeks", "monthly_day", "monthly_nth")
REPEAT_LABELS = {"none": L("Ei toistu"), "weekly": L("Viikoittain"),
                 "weeks": L("Joka N. viikko"),
                 "monthly_day": L("Kuukausittain samana päivänä (esim. vuokra 5. päivä)"),
                 "monthly_nth": L("Kuukausittain samana viikonpäivänä (esim. kuun 1. tiistai)")}
DAY_LABELS = dict(zip(rec.WEEKDAYS, (L("ma"), L("ti"), L("ke"), L("to"), L("pe"), L("la"),
                                     L("su")), strict=True))
FIELDS = ("repeat", "repeat_interval", "repeat_until", "repeat_count")


def values(form: MultiDict[str, str]) -> dict[str, str]:
    out = {name: form.get(name, "").strip() for name in FIELDS}
    if out["repeat"] not in REPEATS:
        out["repeat"] = "none"
    # ticked boxes, or the preview's hidden field carrying them as "MO,TH"
    days = [d for raw in form.getlist("repeat_days") for d in raw.split(",")]
    out["repeat_days"] = ",".join(d for d in rec.WEEKDAYS if d in days)
    return out


def nth_weekday(day: date) -> str:
    """The BYDAY of the first time's weekday in its month: "1TU", or "-1FR" for the last
    one when it is the fifth."""
    nth = (day.day - 1) // 7 + 1
    code = rec.WEEKDAYS[day.weekday()]
    if nth == 5:
        return f"-1{code}"
    return f"{nth}{code}"


def _number(text: str, field: str, low: int, high: int, errors: dict[str, str]) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        errors[field] = f"Anna luku {low}–{high}."
        return None
    return int(text)


def read(v: dict[str, str], first: date | None) -> str | None:
    """The RRULE value the form asks for (None: not recurring), or ValidationError keyed
    by the form's fields."""
    if v["repeat"] == "none" or first is None:
        return None
    errors: dict[str, str] = {}
    interval = _number(v["repeat_interval"], "repeat_interval", 1, rec.MAX_INTERVAL, errors)
    count = _number(v["repeat_count"], "repeat_count", 1, rec.MAX_COUNT, errors)
    until = None
    if v["repeat_until"]:
        try:
            until = parse_date_field(v["repeat_until"])
        except ValueError as exc:
            errors["repeat_until"] = str(exc)
    if until is not None and until < first:
        errors["repeat_until"] = "Päättymispäivä on ennen ensimmäistä kertaa."
    if until is not None and count is not None:
        errors["repeat_count"] = "Anna joko päättymispäivä tai kertojen määrä, ei molempia."
    if v["repeat"] == "weeks" and interval is None:
        errors["repeat_interval"] = "Anna, monenko viikon välein (esim. 2)."
    if errors:
        raise ValidationError(errors)
    days = tuple(d for d in v["repeat_days"].split(",") if d) or (rec.WEEKDAYS[first.weekday()],)
    spec = {"weekly": rec.RuleSpec("weekly", byweekday=days),
            "weeks": rec.RuleSpec("weekly", interval=interval or 1, byweekday=days),
            "monthly_day": rec.RuleSpec("monthly", bymonthday=first.day),
            "monthly_nth": rec.RuleSpec("monthly", byweekday=(nth_weekday(first),))}[v["repeat"]]
    spec = rec.RuleSpec(spec.freq, spec.interval, spec.byweekday, spec.bymonthday, until, count)
    try:
        return rec.rrule_from_spec(spec)
    except rec.RecurrenceError as exc:
        raise ValidationError({"repeat": str(exc)}) from exc
