"""Turn an event into the values a template needs, in the reader's (or listener's) language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from zoneinfo import ZoneInfo

from service.domain.calendar import dates
from service.domain.phones import format_phone_national
from service.domain.texts.sms import clean_sms_text
from service.domain.texts.templates import TemplateSet
from service.domain.texts.voice_words import expand_abbreviations
from service.store.models import Event, TrustedPerson

# The kind of appointment, as the templates' tags name it; any other type is "come".
KIND_TAGS = {"phone": "phone", "home_visit": "home", "video": "video", "bill_due": "due",
             "medication_pickup": "pickup"}
AUDIENCES = ("client", "trusted")


@dataclass(frozen=True)
class Sender:
    """Who the client is told the message comes from, and where to call back."""

    team: str
    team_phone: str
    booking_number: str
    tz: ZoneInfo
    # The team's name in other languages, e.g. (("sv", "..."), ("en", "...")).
    team_names: tuple[tuple[str, str], ...] = ()

    def team_in(self, language: str) -> str:
        return dict(self.team_names).get(language) or self.team


@dataclass(frozen=True)
class Reader:
    """Who reads or hears it: the client, or a trusted person (with what the client allowed
    them to be told), and for a call-only client the key that stops calls."""

    audience: str = "client"
    client_first_name: str = ""  # a trusted person's text, only with the client's consent
    stop_key: str = ""


@dataclass(frozen=True)
class Weekly:
    """A recurring appointment's weekdays (0 = Monday) and local wall-clock time, for
    {series_when}: a series has no one time of its own (domain/events/recurrence.py)."""

    weekdays: tuple[int, ...]
    at: time


def weekly_text(weekly: Weekly, language: str, channel: str) -> str:
    """"ti klo 10.00" in a text, "tiistaina kello 10" in a call."""
    lang = language if language in dates.LANGUAGES else "fi"
    if channel == "voice":
        return dates.spoken_weekly(weekly.weekdays, weekly.at, lang)
    return dates.format_weekly(weekly.weekdays, weekly.at, lang)


# The key that stops automated calls, offered in every call to the client themselves
# (a client reached only by calls has no other way to say stop; replies/inbound.py acts on it).
CALL_STOP_KEY = "3"
CLIENT = Reader(stop_key=CALL_STOP_KEY)


def reader_for(person: TrustedPerson | None, client_name: str, stop_key: str = "") -> Reader:
    """The client (with the key that stops calls, for one reached only by calls), or a
    trusted person told the client's first name only if the client agreed to it (else
    "your close one")."""
    if person is None:
        return Reader(stop_key=stop_key) if stop_key else CLIENT
    named = person.shares_client_name and client_name.strip()
    return Reader(audience="trusted", client_first_name=client_name.split()[0] if named else "")


def kind_tag(event: Event) -> str:
    return KIND_TAGS.get(event.appointment_type or "", "come")


def template_values(event: Event, language: str, channel: str, sender: Sender,
                    client_name: str = "", reader: Reader = CLIENT) -> dict[str, str]:
    spoken = channel == "voice"
    lang = language if language in dates.LANGUAGES else "fi"
    free_text = expand_abbreviations if spoken else _same
    values: dict[str, str] = {
        "team": sender.team_in(language),
        "team_phone": _phone(sender.team_phone, spoken),
        "booking_number": _phone(sender.booking_number, spoken),
        "place": free_text(event.place or "", lang),
        "bring": free_text(event.bring or "", lang),
        "agency": event.agency or "",
        "client_name": client_name if channel == "task" else "",
        "client_first_name": reader.client_first_name if reader.audience == "trusted" else "",
        "stop_key": reader.stop_key if spoken else "",
    }
    if event.starts_at is not None:  # {date} and {time}, and {when} made of the two
        local = dates.to_local(event.starts_at, sender.tz)
        values["date"] = (dates.spoken_date if spoken else dates.format_date)(
            local.date(), lang)
        values["time"] = (dates.spoken_time if spoken else dates.format_time)(
            local, lang, sender.tz)
        values["when"] = dates.join_datetime(values["date"], values["time"], lang, spoken)
    if event.previous_starts_at is not None:  # "moved from X to Y"
        old = dates.to_local(event.previous_starts_at, sender.tz)
        values["old_when"] = (dates.spoken_datetime(old, lang, sender.tz) if spoken
                              else dates.format_datetime(old, lang, sender.tz))
        # A moved due date or pickup day is a day, not a time: "(ennen pe 5.3.)".
        values["old_date"] = (dates.spoken_date if spoken else dates.format_date)(
            old.date(), lang)
    fmt = dates.spoken_date if spoken else dates.format_date
    if event.documents_due is not None:
        values["deadline"] = fmt(event.documents_due, lang)
    if event.decision_expected is not None:
        values["decision_date"] = fmt(event.decision_expected, lang)
    return values


def _same(text: str, _language: str) -> str:
    return text


@lru_cache(maxsize=64)  # the team's own numbers, parsed for every message otherwise
def _phone(number: str, spoken: bool) -> str:
    if not number:
        return ""
    national = format_phone_national(number) if number.startswith("+") else number
    if not spoken:
        return national
    # A voice reads a number best digit by digit, in the groups people write ("040 123
    # 4567"), with a short pause (a comma) between the groups.
    groups = [g for g in ("".join(ch for ch in part if ch.isdigit())
                          for part in national.split()) if g]
    return ", ".join(" ".join(group) for group in groups)


def render_text(templates: TemplateSet, channel: str, template: str, language: str,
                event: Event, sender: Sender, client_name: str = "",
                reader: Reader = CLIENT, weekly: Weekly | None = None) -> str:
    values = template_values(event, language, channel, sender, client_name, reader)
    if weekly is not None:  # a series: its weekday and time (series_cancelled)
        values["series_when"] = weekly_text(weekly, language, channel)
    tags = frozenset({reader.audience, kind_tag(event)})
    text = templates.render(channel, template, language, values, tags)
    return clean_sms_text(text) if channel == "sms" else text
