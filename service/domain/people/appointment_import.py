"""Reading appointments from a spreadsheet (CSV) or a calendar file (.ics) into rows to
import, each matched to one of the team's clients, with its errors.

Reading is pure: text in, rows out; the caller gives the team's clients (by E.164 number and by
the team's client reference) and the (client, start) pairs that already exist, so the
same file imported twice makes nothing twice. A CSV is what Finnish Excel writes
(; or , separated, Windows-1252 or UTF-8 with a BOM); a calendar is read by the
icalendar package as Outlook and Google Calendar write it (VTIMEZONE blocks, RRULE with
EXDATE, all-day events). A row names its client by a phone number or the reference (a
calendar event in its description, summary or location); nothing else of the
calendar's text is kept. `team_clients` reads those from the database and `save` makes
one checked row an appointment or a series.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.calendar.dates import parse_local_date
from service.domain.context import DomainContext
from service.domain.events import lifecycle as ev
from service.domain.events import recurrence as rec
from service.domain.events import series
from service.domain.events.lifecycle import APPOINTMENT_TYPES
from service.domain.fields import TEXT_FIELDS, normalise, text_problem
from service.domain.people.client_import import ImportFileError, csv_records, header_name
from service.domain.phones import PhoneError, parse_phone
from service.store.models import Client, Event
from service.store.states import EventState

MAX_ROWS = 2000
ALL_DAY_AT = time(9, 0)  # an all-day event (rent due) is reminded of as if at 09.00
COLUMNS: dict[str, tuple[str, ...]] = {
    "phone": ("puhelin", "puhelinnumero", "puh", "puh.", "numero", "phone", "mobile",
              "telefon"),
    "reference": ("viite", "asiakasviite", "asiakasnumero", "asiakas nro", "reference",
                  "client reference", "client id", "kundnummer"),
    "date": ("päivä", "päivämäärä", "pvm", "date", "datum"),
    "time": ("kello", "kellonaika", "klo", "aika", "time", "tid"),
    "place": ("paikka", "osoite", "place", "location", "plats"),
    "bring": ("mukaan", "ota mukaan", "bring"),
    "type": ("tyyppi", "ajan tyyppi", "type", "typ"),
    "repeat": ("toistuu", "toisto", "rrule", "repeat"),
}
TYPE_WORDS = {**{t: t for t in APPOINTMENT_TYPES}, "": "other", "tapaaminen": "worker",
              "kotikäynti": "home_visit", "puhelin": "phone", "puhelinaika": "phone",
              "video": "video", "terveys": "health", "kela": "kela", "te": "employment",
              "velkaneuvonta": "debt_counselling", "edunvalvonta": "guardianship",
              "muu": "other", "lasku": "bill_due", "vuokra": "bill_due",
              "eräpäivä": "bill_due", "nouto": "medication_pickup",
              "lääkkeet": "medication_pickup"}
_PHONE_LIKE = re.compile(r"\+?\d[\d \-]{5,16}\d")


@dataclass(frozen=True)
class TeamClients:
    """The team's clients as a file may name them, and what they already have."""

    by_phone: Mapping[str, int | None]  # E.164 -> client id (None: shared by several)
    by_reference: Mapping[str, int]
    names: Mapping[int, str]
    existing: frozenset[tuple[int, datetime]]  # (client id, start in UTC)


@dataclass
class AppointmentRow:
    line: int
    label: str  # what the file calls it (a calendar's summary), for the preview only
    client_id: int | None = None
    starts_at: datetime | None = None  # aware UTC; a series' first time
    place: str = ""
    bring: str = ""
    appointment_type: str = "other"
    rule: str | None = None
    exdates: tuple[datetime, ...] = ()  # naive local starts left out of the rule
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    duplicate: bool = False

    @property
    def importable(self) -> bool:
        return not self.errors and not self.duplicate


@dataclass
class AppointmentPreview:
    kind: str  # csv | ics
    encoding: str
    rows: list[AppointmentRow]

    @property
    def importable(self) -> list[AppointmentRow]:
        return [row for row in self.rows if row.importable]


def _match(row: AppointmentRow, phones: list[str], references: list[str],
           team: TeamClients) -> None:
    """The one client the row names, or an error saying why none."""
    found: set[int] = set()
    for ref in references:
        if ref in team.by_reference:
            found.add(team.by_reference[ref])
    for raw in phones:
        try:
            e164 = parse_phone(raw).e164
        except PhoneError:
            continue
        if e164 in team.by_phone:
            client_id = team.by_phone[e164]
            if client_id is None:
                row.warnings.append("Numero on usealla asiakkaalla: käytä asiakasviitettä.")
            else:
                found.add(client_id)
    if len(found) == 1:
        row.client_id = found.pop()
    elif found:
        row.errors["client"] = "Rivi sopii usealle asiakkaalle: anna yksi viite tai numero."
    else:
        row.errors["client"] = ("Asiakasta ei tunnistettu: tiimin asiakkaista ei löydy "
                                "tätä puhelinnumeroa tai asiakasviitettä.")


def _check(row: AppointmentRow, now: datetime, seen: set[tuple[int, datetime]],
           team: TeamClients, tz: ZoneInfo) -> None:
    """The checks every row shares: fields, a time to come, a duplicate."""
    for name in ("place", "bring"):
        value = normalise(getattr(row, name))
        setattr(row, name, value)
        if value and (problem := text_problem(value, TEXT_FIELDS[name])):
            row.errors[name] = problem
    if row.starts_at is None or row.client_id is None:
        return
    start: datetime | None = row.starts_at
    if row.rule is None and row.starts_at <= now:
        row.errors["starts_at"] = "Aika on jo mennyt."
    elif row.rule is not None:
        # a series is the same as one already made when its next time is
        start = _next_time(row, row.rule, now, tz)
        if start is None:
            row.errors["repeat"] = "Toistuva aika on jo päättynyt."
    key = (row.client_id, start or row.starts_at)
    if key in team.existing or key in seen:
        row.duplicate = True
        row.warnings.append("Asiakkaalla on jo aika tähän samaan aikaan: ohitetaan.")
    seen.add(key)


def _next_time(row: AppointmentRow, rule: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    assert row.starts_at is not None
    text = rec.series_text(row.starts_at.astimezone(tz).replace(tzinfo=None), rule, row.exdates)
    today = now.astimezone(tz).date()
    coming = [o.starts_at for o in rec.occurrences(text, tz, today, today + timedelta(days=3660),
                                                   None) if o.starts_at > now]
    return coming[0] if coming else None


# ---- CSV ----------------------------------------------------------------------------

def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = header_name(raw)
        for key, words in COLUMNS.items():
            if name in words and key not in found:
                found[key] = index
    return found


def _cell(record: list[str], columns: Mapping[str, int], key: str) -> str:
    index = columns.get(key)
    return record[index].strip() if index is not None and index < len(record) else ""


def read_csv(text: str, encoding: str, team: TeamClients, now: datetime,
             tz: ZoneInfo) -> AppointmentPreview:
    """Every row of a spreadsheet checked: the dry run the worker sees first."""
    _delimiter, records = csv_records(text)
    if not records:
        raise ImportFileError("Tiedosto on tyhjä.")
    columns = _columns(records[0][1])
    if not {"date", "time"} <= set(columns) or not {"phone", "reference"} & set(columns):
        raise ImportFileError("Sarakkeita ei tunnistettu. Ensimmäisellä rivillä pitää olla "
                              "vähintään päivä, kello ja puhelin tai viite, esimerkiksi "
                              "päivä;kello;puhelin;paikka.")
    if len(records) - 1 > MAX_ROWS:
        raise ImportFileError(f"Tuo enintään {MAX_ROWS} riviä kerralla.")
    seen: set[tuple[int, datetime]] = set()
    rows = []
    for line, record in records[1:]:
        row = _csv_row(line, record, columns, team, tz)
        _check(row, now, seen, team, tz)
        rows.append(row)
    return AppointmentPreview(kind="csv", encoding=encoding, rows=rows)


def _csv_row(line: int, record: list[str], columns: Mapping[str, int], team: TeamClients,
             tz: ZoneInfo) -> AppointmentRow:
    def get(key: str) -> str:
        return _cell(record, columns, key)

    row = AppointmentRow(line=line, label=" ".join(filter(None, (get("date"), get("time")))),
                         place=get("place"), bring=get("bring"))
    _match(row, [get("phone")] if get("phone") else [],
           [get("reference")] if get("reference") else [], team)
    kind = TYPE_WORDS.get(get("type").lower())
    if kind is None:
        row.errors["type"] = f"Tuntematon ajan tyyppi ”{get('type')}”."
    row.appointment_type = kind or "other"
    try:
        day = parse_local_date(get("date"))
        clock = datetime.strptime(get("time").replace(".", ":"), "%H:%M").time()
        row.starts_at = rec.to_utc(datetime.combine(day, clock), tz)
    except ValueError:
        row.errors["date"] = (f"Aika ”{get('date')} {get('time')}” ei kelpaa: kirjoita "
                              "esimerkiksi 3.6.2027 ja 10.00.")
    if get("repeat"):
        try:
            row.rule = rec.normalise_rrule(get("repeat"), tz)
        except rec.RecurrenceError as exc:
            row.errors["repeat"] = str(exc)
    return row


# ---- iCalendar ----------------------------------------------------------------------

def read_ics(data: bytes, team: TeamClients, now: datetime, tz: ZoneInfo) -> AppointmentPreview:
    """Every event of a calendar file checked (Outlook's and Google's exports)."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise ImportFileError("Kalenteritiedostoa ei voitu lukea (.ics).") from exc
    events = list(calendar.walk("VEVENT"))
    if not events:
        raise ImportFileError("Kalenterissa ei ole yhtään tapahtumaa.")
    if len(events) > MAX_ROWS:
        raise ImportFileError(f"Tuo enintään {MAX_ROWS} tapahtumaa kerralla.")
    seen: set[tuple[int, datetime]] = set()
    rows = []
    for number, event in enumerate(events, start=1):
        row = _ics_row(number, event, team, tz)
        _check(row, now, seen, team, tz)
        rows.append(row)
    return AppointmentPreview(kind="ics", encoding="UTF-8", rows=rows)


def _local(value: date | datetime, tz: ZoneInfo) -> datetime:
    """A calendar's start as naive local wall-clock time (an all-day one at 09.00)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, ALL_DAY_AT)
    if value.tzinfo is None:  # "floating" time: the team's own
        return value
    return value.astimezone(tz).replace(tzinfo=None)


def _ics_row(number: int, event: Any, team: TeamClients, tz: ZoneInfo) -> AppointmentRow:
    text = " ".join(str(event.get(key, "")) for key in ("SUMMARY", "DESCRIPTION", "LOCATION"))
    row = AppointmentRow(line=number, label=str(event.get("SUMMARY", "")),
                         place=str(event.get("LOCATION", "")), appointment_type="other")
    words = set(re.findall(r"[\w\-/]+", text))
    _match(row, _PHONE_LIKE.findall(text), [r for r in team.by_reference if r in words], team)
    try:
        start = event.decoded("DTSTART")
    except (KeyError, ValueError):
        row.errors["date"] = "Tapahtumalta puuttuu alkuaika."
        return row
    first = _local(start, tz)
    row.starts_at = rec.to_utc(first, tz)
    if not isinstance(start, datetime):
        row.warnings.append("Koko päivän tapahtuma: muistutetaan kuin aika olisi klo 9.00.")
    if event.get("RRULE") is not None:
        try:
            row.rule = rec.normalise_rrule(event["RRULE"].to_ical().decode(), tz)
        except rec.RecurrenceError as exc:
            row.errors["repeat"] = str(exc)
        row.exdates = tuple(_exdates(event, first, tz))
    return row


def _exdates(event: Any, first: datetime, tz: ZoneInfo) -> list[datetime]:
    found = event.get("EXDATE")
    lists = found if isinstance(found, list) else [found] if found is not None else []
    return [_local(item.dt, tz).replace(hour=first.hour, minute=first.minute)
            if not isinstance(item.dt, datetime) else _local(item.dt, tz)
            for exdate in lists for item in exdate.dts]


# ---- the database --------------------------------------------------------------------

def team_clients(session: Session, team_id: int) -> TeamClients:
    """The team's clients (only theirs: an import runs for one team) and their times."""
    rows = session.execute(select(Client.id, Client.phone, Client.reference, Client.name).where(
        Client.team_id == team_id, Client.anonymised_at.is_(None))).all()
    by_phone: dict[str, int | None] = {}
    for client_id, phone, _ref, _name in rows:
        by_phone[phone] = None if phone in by_phone else client_id
    existing = session.execute(select(Event.client_id, Event.starts_at).join(Client).where(
        Client.team_id == team_id, Event.starts_at.is_not(None),
        Event.state != EventState.CANCELLED)).tuples()
    return TeamClients(by_phone=by_phone,
                       by_reference={ref: cid for cid, _p, ref, _n in rows if ref},
                       names={cid: name for cid, _p, _r, name in rows},
                       existing=frozenset((cid, at) for cid, at in existing if at is not None))


def save(session: Session, rt: DomainContext, row: AppointmentRow, now: datetime,
         horizon_days: int, worker_id: int) -> Event:
    """One importable row as an appointment or a series (checked again on the way)."""
    assert row.client_id is not None and row.starts_at is not None
    data = ev.AppointmentInput(client_id=row.client_id, starts_at=row.starts_at,
                               place=row.place, bring=row.bring,
                               appointment_type=row.appointment_type)
    # A series that began earlier is taken from its first time (its count and its
    # left-out days hold); only its coming occurrences are made.
    event = ev.build_appointment(session, data, min(now, row.starts_at - timedelta(
        minutes=1)) if row.rule else now)
    if row.rule is None:
        ev.register_event(session, rt, event, now, worker_id)
        return event
    return series.create_series(session, rt, event, row.rule, now, horizon_days, worker_id,
                                row.exdates)
