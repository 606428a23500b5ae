"""Turn an event into the values a template needs, in the reader's (or listener's) language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from service.domain.calendar import dates
from service.domain.phones import format_phone_national
from service.domain.texts.sms import clean_sms_text
from service.domain.texts.templates import TemplateSet
from service.store.models import Event


@dataclass(frozen=True)
class Sender:
    """Who the client is told the message comes from, and where to call back."""

    team: str
    team_phone: str
    booking_number: str
    tz: ZoneInfo


def template_values(event: Event, language: str, channel: str, sender: Sender,
                    client_name: str = "") -> dict[str, str]:
    lang: dates.Language = "fi"
    for known in dates.LANGUAGES:
        if language == known:
            lang = known
    spoken = channel == "voice"
    values: dict[str, str] = {
        "team": sender.team,
        "team_phone": _phone(sender.team_phone, spoken),
        "booking_number": _phone(sender.booking_number, spoken),
        "place": event.place or "",
        "bring": event.bring or "",
        "agency": event.agency or "",
        "client_name": client_name if channel == "task" else "",
    }
    if event.starts_at is not None:
        local = dates.to_local(event.starts_at, sender.tz)
        if spoken:
            values["when"] = dates.spoken_datetime(local, lang, sender.tz)
            values["date"] = dates.spoken_date(local.date(), lang)
        else:
            values["when"] = dates.format_datetime(local, lang, sender.tz)
            values["date"] = dates.format_date(local.date(), lang)
        values["time"] = dates.format_time(local, lang, sender.tz)
    if event.previous_starts_at is not None:  # "moved from X to Y"
        old = dates.to_local(event.previous_starts_at, sender.tz)
        values["old_when"] = (dates.spoken_datetime(old, lang, sender.tz) if spoken
                              else dates.format_datetime(old, lang, sender.tz))
    fmt = dates.spoken_date if spoken else dates.format_date
    if event.documents_due is not None:
        values["deadline"] = fmt(event.documents_due, lang)
    if event.decision_expected is not None:
        values["decision_date"] = fmt(event.decision_expected, lang)
    return values


@lru_cache(maxsize=64)  # the team's own numbers, parsed for every message otherwise
def _phone(number: str, spoken: bool) -> str:
    if not number:
        return ""
    national = format_phone_national(number) if number.startswith("+") else number
    # A voice reads digit groups far more clearly when they are spaced out one by one.
    return " ".join(ch for ch in national if ch.isdigit()) if spoken else national


def render_text(templates: TemplateSet, channel: str, template: str, language: str,
                event: Event, sender: Sender, client_name: str = "") -> str:
    values = template_values(event, language, channel, sender, client_name)
    text = templates.render(channel, template, language, values)
    return clean_sms_text(text) if channel == "sms" else text
