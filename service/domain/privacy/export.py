"""One client's data, as JSON or CSV, for a request of access (GDPR art. 15).

Everything stored about the client is included, column by column, so a column added
later is exported without anyone remembering to; and the audit entries about the
client, because the client may ask who handled their data (Act 703/2023).
Secrets that are not the client's data (webhook tokens) are left out.

The CSV is for the client and the worker to read in a Finnish spreadsheet: semicolons
(Finnish Excel's list separator), UTF-8 with a byte-order mark, times in local time
("3.6.2026 10.00") and the fields named in Finnish. JSON keeps the machine's form.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from service.domain.privacy import audit
from service.domain.privacy.anonymise import messages_of
from service.store.models import Client, Event, InboxItem, Reminder, TrustedPerson, Worker

LEFT_OUT = {"callback_token"}
# Section names as the CSV shows them to the client (in Finnish).
SECTION_LABELS = {
    "client": "asiakas",
    "trusted_persons": "läheiset",
    "events": "tapahtumat",
    "reminders": "muistutukset",
    "messages": "viestit",
    "inbox_items": "työntekijän_tehtävät",
    "audit_log": "lokitiedot",
}
CSV_HEADER = ("osio", "tunnus", "kenttä", "arvo")
# Field names as the CSV shows them; a column added later shows its own name.
FIELD_LABELS = {
    "id": "tunnus", "name": "nimi", "phone": "puhelinnumero", "language": "kieli",
    "channel": "kanava", "worker_id": "työntekijän tunnus", "window": "viestiaika",
    "opted_out": "kieltäytynyt viesteistä", "opted_out_at": "kieltäytyi viesteistä",
    "opt_reason": "kieltäytymisen syy", "number_type": "numeron tyyppi",
    "created_at": "luotu", "updated_at": "muutettu", "anonymised_at": "anonymisoitu",
    "last_activity_at": "viimeksi käytetty", "client_id": "asiakkaan tunnus",
    "relation": "suhde asiakkaaseen", "consent_at": "suostumus annettu",
    "consent_method": "suostumuksen tapa", "consent_recorded_by": "suostumuksen kirjasi",
    "active": "voimassa", "deactivated_at": "päättyi", "deactivated_by": "päätti",
    "deactivation_reason": "päättymisen syy", "kind": "laji", "state": "tila",
    "appointment_type": "ajan tyyppi", "starts_at": "alkaa", "place": "paikka",
    "bring": "mukaan otettavaa", "needs_transport": "kyyti tilattava", "agency": "taho",
    "submitted_on": "haettu", "documents_due": "liitteiden määräpäivä",
    "decision_expected": "päätös odotetaan", "documents_in_at": "liitteet toimitettu",
    "decided_at": "päätös tuli", "attendance": "läsnäolo", "attendance_at": "läsnäolo kirjattu",
    "previous_starts_at": "aiempi aika", "event_id": "tapahtuman tunnus",
    "rule_id": "sääntö", "template": "viestipohja", "send_at": "lähtee",
    "sent_at": "lähetetty", "attempts": "yrityksiä", "reason": "syy", "condition": "ehto",
    "recipient": "vastaanottaja", "direction": "suunta", "body": "teksti",
    "body_erased_at": "teksti poistettu", "from_number": "lähettäjä",
    "to_number": "vastaanottajan numero", "status": "tila", "intent": "tulkinta",
    "error_code": "virhekoodi", "error_message": "virhe", "summary": "kuvaus",
    "handled_at": "käsitelty", "handled_by": "käsitteli", "at": "aika",
    "action": "toiminto", "object_type": "kohde", "object_id": "kohteen tunnus",
    "detail": "lisätieto", "worker_name": "työntekijä",
}


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def row_dict(obj: object, plain: bool = True) -> dict[str, Any]:
    """Every mapped column of a row, JSON-ready (or, with plain=False, as Python values)."""
    state = inspect(obj)
    assert state is not None
    mapper = state.mapper
    return {attr.key: _plain(getattr(obj, attr.key)) if plain else getattr(obj, attr.key)
            for attr in mapper.column_attrs if attr.key not in LEFT_OUT}


def client_export(session: Session, client_id: int, plain: bool = True
                  ) -> dict[str, Any] | None:
    """All of one client's data by section; None when there is no such client.

    plain=True gives JSON-ready values; plain=False keeps datetimes for local display.
    """
    client = session.get(Client, client_id)
    if client is None:
        return None

    def rows(model: Any, *where: Any) -> list[dict[str, Any]]:
        return [row_dict(r, plain) for r in session.scalars(
            select(model).where(*where).order_by(model.id))]

    messages = [row_dict(m, plain)
                for m in sorted(messages_of(session, client), key=lambda m: m.id)]
    names = dict(session.execute(select(Worker.id, Worker.name)).tuples().all())
    entries = []
    for entry in audit.about_client(session, client_id):
        data = row_dict(entry, plain)
        data["worker_name"] = names.get(entry.worker_id) if entry.worker_id else None
        entries.append(data)
    return {
        "client": row_dict(client, plain),
        "trusted_persons": rows(TrustedPerson, TrustedPerson.client_id == client_id),
        "events": rows(Event, Event.client_id == client_id),
        "reminders": rows(Reminder, Reminder.client_id == client_id),
        "messages": messages,
        "inbox_items": rows(InboxItem, InboxItem.client_id == client_id),
        "audit_log": entries,
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def safe_cell(value: Any) -> str:
    """A spreadsheet must not run a reply as a formula (=, +, -, @ at the start)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def local_value(value: Any, tz: tzinfo) -> Any:
    """A time as a Finnish reader writes it, in local time: "3.6.2026 10.00"; a day
    "3.6.2026"; yes/no in words."""
    if isinstance(value, datetime):
        local = value.astimezone(tz)
        return f"{local.day}.{local.month}.{local.year} {local.hour}.{local.minute:02d}"
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}"
    if isinstance(value, bool):
        return "kyllä" if value else "ei"
    return value


def to_csv(data: dict[str, Any], tz: tzinfo, bom: bool = True) -> str:
    """One row per field: osio, tunnus (the row's id), kenttä, arvo; from
    client_export(..., plain=False), times shown in `tz`.

    Semicolons and a byte-order mark, as Finnish Excel needs to split the columns and
    read UTF-8 (ä, ö) right.
    """
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for section, content in data.items():
        label = SECTION_LABELS.get(section, section)
        for row in content if isinstance(content, list) else [content]:
            for key, value in row.items():
                writer.writerow((label, row.get("id", ""), FIELD_LABELS.get(key, key),
                                 safe_cell(local_value(value, tz))))
    return out.getvalue()
