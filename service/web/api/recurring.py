"""The API's words for recurring events: a `recurrence` (a rule object or an RRULE
string) read into a stored rule, and a series' occurrences as JSON."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from service.domain.errors import ValidationError
from service.domain.events import recurrence as rec
from service.domain.events.series import OccurrenceView


def rule_from_body(value: Any, tz: ZoneInfo) -> str | None:
    """The normalised RRULE value of a body's `recurrence` (the schema checked its shape);
    None when there is none. ValidationError names the field."""
    if value is None:
        return None
    try:
        if isinstance(value, str):
            return rec.normalise_rrule(value, tz)
        until = value.get("until")
        spec = rec.RuleSpec(
            freq=value["freq"], interval=value.get("interval", 1),
            byweekday=tuple(value.get("byweekday", ())), bymonthday=value.get("bymonthday"),
            until=date.fromisoformat(until) if until else None, count=value.get("count"))
        if spec.until is not None and spec.count is not None:
            raise rec.RecurrenceError("Anna joko until tai count, ei molempia.")
        return rec.rrule_from_spec(spec)
    except ValueError as exc:  # RecurrenceError, or a day that is none
        raise ValidationError({"recurrence": str(exc)}) from exc


def occurrence_json(view: OccurrenceView) -> dict[str, Any]:
    return {"date": view.day.isoformat(), "starts_at": view.starts_at.isoformat(),
            "event_id": view.event_id, "state": view.state, "moved": view.moved,
            "on_holiday": view.on_holiday, "holiday_kept": view.holiday_kept}
