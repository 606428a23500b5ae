"""Importing appointments in the UI (dry run, then only the valid rows, matched to the
team's clients; the same file again makes nothing twice) and the .ics download of my
coming appointments (signed in only, an attachment, audited)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import func, select

from service import clock
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Event, Worker
from tests.web.conftest import Browser, make_client

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "calendars"


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    clock.freeze(NOW)
    yield


def _clients(rt: Runtime, worker: Worker) -> None:
    make_client(rt, worker.id, "Matti Mäkinen", "040 123 4567")
    aino = make_client(rt, worker.id, "Aino Aalto", "040 222 3333")
    with transaction(rt.sessions) as session:
        session.get_one(Client, aino.id).reference = "A-1001"


def _count(rt: Runtime) -> int:
    with transaction(rt.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def _upload(browser: Browser, name: str, data: bytes) -> str:
    browser.get("/import/appointments")
    response = browser.post("/import/appointments/preview",
                            {"file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _run(browser: Browser, page: str) -> None:
    fields = {name: html.unescape(value) for name, value in re.findall(
        r'name="(text|kind|encoding|team_id)" value="([^"]*)"', page)}
    assert browser.post("/import/appointments/run", fields).status_code == 302


def test_outlook_calendar_dry_run_then_import_once(signed_in: Browser, rt: Runtime,
                                                  worker: Worker) -> None:
    _clients(rt, worker)
    page = _upload(signed_in, "kalenteri.ics", (FIXTURES / "outlook.ics").read_bytes())
    assert "Aino Aalto" in page and "tuodaan" in page and "Asiakasta ei tunnistettu" in page
    assert _count(rt) == 0  # a dry run saves nothing
    _run(signed_in, page)
    with transaction(rt.sessions) as session:
        series = session.scalars(select(Event).where(Event.recurrence.is_not(None))).one()
        assert "EXDATE:20270406T090000" in (series.recurrence or "")
        assert session.scalar(select(func.count()).select_from(Event).where(
            Event.series_id == series.id)) == 8  # 2.3.-27.4. without 6.4.
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "import",
                                                        AuditEntry.object_type == "event")).one()
    again = _upload(signed_in, "kalenteri.ics", (FIXTURES / "outlook.ics").read_bytes())
    assert "asiakkaalla on jo aika" in again


def test_excel_csv_cp1252(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    _clients(rt, worker)
    csv = ("päivä;kello;puhelin;viite;paikka\r\n15.3.2027;10.00;040 123 4567;;Kirjasto\r\n"
           "16.3.2027;9.30;;A-1001;Äänekosken virasto\r\n16.3.2027;9.30;;Z-9;\r\n")
    page = _upload(signed_in, "ajat.csv", csv.encode("cp1252"))
    assert "Aino Aalto" in page and "Asiakasta ei tunnistettu" in page  # Z-9: nobody
    _run(signed_in, page)
    with transaction(rt.sessions) as session:
        places = set(session.scalars(select(Event.place)))
    assert places == {"Kirjasto", "Äänekosken virasto"}


def test_ics_download_of_my_coming_appointments(signed_in: Browser, rt: Runtime,
                                               worker: Worker) -> None:
    _clients(rt, worker)
    _run(signed_in, _upload(signed_in, "k.ics", (FIXTURES / "google.ics").read_bytes()))
    response = signed_in.get("/import/appointments/my-appointments.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    cal = icalendar.Calendar.from_ical(response.data)
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert summaries and all("Matti Mäkinen" in s for s in summaries)  # rent: Pekka's
    with transaction(rt.sessions) as session:
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "export", AuditEntry.object_type == "appointments")).one()


def test_download_needs_sign_in(browser: Browser) -> None:
    response = browser.get("/import/appointments/my-appointments.ics")
    assert response.status_code in (302, 401)
