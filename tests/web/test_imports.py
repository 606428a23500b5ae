"""Importing a client list in the UI: a dry-run preview naming each row's errors, then
only the valid rows saved, and importing the same list again creates nobody twice."""

from __future__ import annotations

import html
import io

from sqlalchemy import select

from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Worker
from tests.web.conftest import Browser

CSV = ("Nimi;Puhelin;Kieli;Kanava\r\n"
       "Matti Mäkinen;040 123 4567;suomi;\r\n"
       "Väärä Numero;040 12;fi;\r\n"
       "Åsa Öberg;+358 50 765 4321;svenska;puhelu\r\n").encode("cp1252")


def _names(rt: Runtime) -> list[str]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(Client.name).order_by(Client.name)))


def _upload(browser: Browser, data: bytes, name: str = "asiakkaat.csv") -> str:
    browser.get("/import")
    response = browser.post("/import/preview", {"file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")
    return response.get_data(as_text=True)


def test_preview_then_import_valid_rows(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    page = _upload(signed_in, CSV)
    assert "Windows-1252" in page and "erotin: ;" in page
    assert "Numero ”040 12” ei kelpaa" in page and "Åsa Öberg" in page
    assert "Tuo 2 kelvollista riviä" in page
    assert _names(rt) == []  # the preview saved nothing
    text = page.split('name="csv_text" value="')[1].split('"')[0]
    response = signed_in.post("/import/run", {"csv_text": html.unescape(text),
                                              "encoding": "Windows-1252"})
    assert response.status_code == 302
    assert _names(rt) == ["Matti Mäkinen", "Åsa Öberg"]
    with transaction(rt.sessions) as session:
        clients = {c.name: c for c in session.scalars(select(Client))}
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert clients["Åsa Öberg"].channel == "voice" and clients["Åsa Öberg"].language == "sv"
    assert clients["Matti Mäkinen"].worker_id == worker.id
    assert entry.detail == "created 2, skipped 1"
    again = _upload(signed_in, CSV)
    assert "ei ole yhtään tuotavaa riviä" in again and 'id="run-import"' not in again
    assert again.count("on jo rekisterissä") == 2


def test_unreadable_file_error_is_tied_to_the_field(signed_in: Browser) -> None:
    page = _upload(signed_in, b"osoite\nKeskuskatu 5\n")
    assert 'id="file-error"' in page and 'aria-describedby="file-error"' in page
    assert "nimi ja puhelin" in page
    assert "Valitse tiedosto." in _upload(signed_in, b"")
