"""One client's data, as JSON or CSV, for a request of access (GDPR art. 15).

Everything stored about the client is included, column by column, so a column added
later is exported without anyone remembering to; and the audit entries about the
client, because the client may ask who handled their data (Act 703/2023).
Secrets that are not the client's data (webhook tokens) are left out.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
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


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def row_dict(obj: object) -> dict[str, Any]:
    """Every mapped column of a row, JSON-ready."""
    state = inspect(obj)
    assert state is not None
    mapper = state.mapper
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in mapper.column_attrs
            if attr.key not in LEFT_OUT}


def client_export(session: Session, client_id: int) -> dict[str, Any] | None:
    """All of one client's data by section; None when there is no such client."""
    client = session.get(Client, client_id)
    if client is None:
        return None

    def rows(model: Any, *where: Any) -> list[dict[str, Any]]:
        return [row_dict(r) for r in session.scalars(
            select(model).where(*where).order_by(model.id))]

    messages = [row_dict(m) for m in sorted(messages_of(session, client), key=lambda m: m.id)]
    names = dict(session.execute(select(Worker.id, Worker.name)).tuples().all())
    entries = []
    for entry in audit.about_client(session, client_id):
        data = row_dict(entry)
        data["worker_name"] = names.get(entry.worker_id) if entry.worker_id else None
        entries.append(data)
    return {
        "client": row_dict(client),
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


def to_csv(data: dict[str, Any], bom: bool = True) -> str:
    """One row per field: osio, tunnus (the row's id), kenttä, arvo.

    With a byte-order mark, as spreadsheet programs need to read UTF-8 (ä, ö) right.
    """
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for section, content in data.items():
        label = SECTION_LABELS.get(section, section)
        for row in content if isinstance(content, list) else [content]:
            for key, value in row.items():
                writer.writerow((label, row.get("id", ""), key, safe_cell(value)))
    return out.getvalue()
