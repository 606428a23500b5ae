"""How the UI shows dates, numbers and states, in the worker's UI language."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup

from service import languages
from service.domain.calendar import dates
from service.domain.phones import format_phone_national
from service.domain.planning.reminder_states import REASONS
from service.domain.texts.rendering import render_text
from service.store.models import Client, Event, InboxItem, Reminder
from service.store.states import EventState, InboxKind, MessageStatus, ReminderState
from service.web.context import db, runtime
from service.web.ui.i18n import ui_language

L = lazy_gettext
R, E, K, M = ReminderState, EventState, InboxKind, MessageStatus

REMINDER_STATES = {
    R.PLANNED: L("ajastettu"), R.SENDING: L("lähtemässä"), R.SENT: L("lähetetty"),
    R.DELIVERED: L("perillä"), R.FAILED: L("epäonnistui"), R.CANCELLED: L("peruttu"),
    R.SKIPPED: L("ohitettu"), R.UNCERTAIN: L("epävarma"),
}
EVENT_STATES = {
    E.PLANNED: L("odottaa vastausta"), E.CONFIRMED: L("vahvistettu"),
    E.DECLINED: L("ei pääse"), E.CANCELLED: L("peruttu"), E.DONE: L("pidetty"),
    E.DOCUMENTS_IN: L("paperit toimitettu"), E.DECIDED: L("päätös tullut"),
}
CHANNELS = {"sms": L("tekstiviesti"), "voice": L("puhelu"), "auto": L("automaattinen"),
            "task": L("tehtävä")}


class LanguageNames(Mapping[str, str]):
    """The client languages' names in the worker's UI language, from the language files
    (service/languages/): a new language needs no code and no catalogue entry."""

    def __getitem__(self, code: str) -> str:
        found = languages.all_languages().get(code)
        if found is None:
            raise KeyError(code)
        return found.name(ui_language())

    def __iter__(self) -> Iterator[str]:
        return iter(languages.codes())

    def __len__(self) -> int:
        return len(languages.codes())


LANGUAGES = LanguageNames()
NUMBER_TYPES = {"mobile": L("matkapuhelin"), "fixed_line": L("lankapuhelin"),
                "other": L("muu numero")}
INBOX_KINDS = {
    K.REPLY: L("vastaus"), K.CALLBACK: L("soittopyyntö"), K.STOP: L("kieltäytyi viesteistä"),
    K.START: L("haluaa taas viestejä"), K.UNKNOWN_SENDER: L("tuntematon numero"),
    K.FAILED: L("ei lähtenyt"), K.UNANSWERED: L("ei vastattu"), K.UNCERTAIN: L("epävarma"),
    K.TASK: L("tehtävä"),
}
INTENTS = {"confirm": L("vahvisti"), "decline": L("ei pääse"), "callback": L("soita minulle"),
           "stop": L("lopeta"), "start": L("aloita"), "unknown": L("epäselvä")}
MESSAGE_STATUSES = {
    M.QUEUED: L("jonossa"), M.SENDING: L("lähtemässä"), M.SENT: L("lähetetty"),
    M.DELIVERED: L("perillä"), M.FAILED: L("epäonnistui"), M.UNDELIVERED: L("ei perillä"),
    M.UNKNOWN: L("epävarma"), M.RECEIVED: L("saapunut"), M.COMPLETED: L("puhelu päättyi"),
    M.NO_ANSWER: L("ei vastattu"), M.BUSY: L("varattu"),
}
APPOINTMENT_TYPES = {
    "worker": L("tapaaminen työntekijän kanssa"), "home_visit": L("kotikäynti"),
    "phone": L("puhelinaika"), "video": L("videotapaaminen"),
    "health": L("terveydenhuolto"), "kela": L("Kela"),
    "employment": L("työllisyyspalvelut"), "debt_counselling": L("talous- ja velkaneuvonta"),
    "guardianship": L("edunvalvonta"), "other": L("muu"),
    "bill_due": L("lasku tai vuokra erääntyy"), "medication_pickup": L("lääkkeiden nouto"),
}
ROLES = {"worker": L("työntekijä"), "team_admin": L("tiimin pääkäyttäjä"),
         "org_admin": L("organisaation pääkäyttäjä")}


def _lang() -> dates.Language:
    lang = ui_language()
    return lang if lang in ("fi", "sv", "en") else "fi"


def local_datetime(value: datetime | None) -> str:
    """"ti 3.6.2026 klo 10.00" in the team's time zone."""
    if value is None:
        return ""
    lang, tz = _lang(), runtime().config.tz
    local = value.astimezone(tz)
    word = {"fi": "klo", "sv": "kl.", "en": "at"}[lang]
    return f"{local_date(local.date())} {word} {dates.format_time(value, lang, tz)}"


def short_datetime(value: datetime | None) -> str:
    """"ke 2.12. klo 12.15": a moment within the next days, without the year."""
    if value is None:
        return ""
    lang, tz = _lang(), runtime().config.tz
    word = {"fi": "klo", "sv": "kl.", "en": "at"}[lang]
    day = dates.format_date(value.astimezone(tz).date(), lang)
    return f"{day} {word} {dates.format_time(value, lang, tz)}"


def local_date(value: date | None) -> str:
    """"ti 3.6.2026": the written date with the year, for pages that span years."""
    if value is None:
        return ""
    lang = _lang()
    short = dates.format_date(value, lang)
    if lang == "en":
        return f"{short} {value.year}"
    return f"{short}{value.year}" if short.endswith(".") else f"{short}.{value.year}"


def iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def phone(value: str | None) -> str:
    return format_phone_national(value) if value else ""


def label(table: Mapping[Any, object], key: str | None) -> str:
    """A code's words from one of the tables above (keyed by plain codes or by named
    states, which equal their values); an unknown code as it is."""
    if key is None:
        return ""
    return str(table.get(key, key))


def reason_text(code: str | None) -> str:
    """A reminder's reason code in words; the Finnish words are the message ids."""
    if not code:
        return ""
    return gettext(REASONS[code]) if code in REASONS else code


def translate(text: str | None) -> str:
    """Pass a Finnish text from the domain (e.g. a field error) through the catalogue."""
    return gettext(text) if text else ""


def item_summary(item: InboxItem) -> str:
    """An inbox item's summary in the UI language.

    A task is written when it falls due, in Finnish; for a worker reading another
    language it is written again from its template in that language, when the team has
    one (message_templates/task/<name>.<lang>.txt). Other summaries go through the
    catalogue.
    """
    lang = ui_language()
    if item.kind != InboxKind.TASK or lang == "fi" or item.reminder_id is None:
        return translate(item.summary)
    session, rt = db(), runtime()
    reminder = session.get(Reminder, item.reminder_id)
    event = session.get(Event, item.event_id) if item.event_id else None
    client = session.get(Client, item.client_id) if item.client_id else None
    team = rt.for_team(item.team_id)
    if (reminder is None or event is None
            or ("task", reminder.template, lang) not in team.templates.templates):
        return translate(item.summary)
    return render_text(team.templates, "task", reminder.template, lang, event, team.sender,
                       client_name=client.name if client else "")


def multiline(text: str | None) -> Markup:
    """Escape, then keep line breaks, so a client's text reads as they wrote it."""
    escaped = Markup.escape(text or "")
    return Markup("<br>").join(escaped.split("\n"))


def init_formatting(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime, short_datetime=short_datetime, local_date=local_date,
        phone=phone, iso=iso,
        reason_text=reason_text, tr=translate, multiline=multiline, item_summary=item_summary)
    tables = dict(REMINDER_STATES=REMINDER_STATES, EVENT_STATES=EVENT_STATES,
                  CHANNELS=CHANNELS, LANGUAGES=LANGUAGES, NUMBER_TYPES=NUMBER_TYPES,
                  INBOX_KINDS=INBOX_KINDS, INTENTS=INTENTS, MESSAGE_STATUSES=MESSAGE_STATUSES,
                  APPOINTMENT_TYPES=APPOINTMENT_TYPES, ROLES=ROLES)
    app.jinja_env.globals.update(label=label, **tables)
