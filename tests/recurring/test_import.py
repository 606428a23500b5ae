"""Reading appointments to import: calendars shaped as Outlook and Google Calendar write
them (VTIMEZONE blocks, RRULE with EXDATE, all-day events) and Excel CSV in
Windows-1252 and UTF-8 with a BOM; rows matched to the team's clients by number or
reference; duplicates found; each error on its own row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.domain.events import recurrence as rec
from service.domain.people import appointment_import as imp
from service.domain.people.client_import import ImportFileError, decode_csv

HEL = ZoneInfo("Europe/Helsinki")
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "calendars"
TEAM = imp.TeamClients(
    by_phone={"+358401234567": 1, "+358407654321": 2, "+358501112222": None},
    by_reference={"A-1001": 3, "B-2002": 4},
    names={1: "Matti", 2: "Liisa", 3: "Aino", 4: "Pekka"},
    existing=frozenset({(2, datetime(2027, 3, 20, 8, 0, tzinfo=UTC))}))


def _days(row: imp.AppointmentRow) -> list[date]:
    assert row.rule is not None and row.starts_at is not None
    text = rec.series_text(row.starts_at.astimezone(HEL).replace(tzinfo=None), row.rule,
                           row.exdates)
    return [o.day for o in rec.occurrences(text, HEL, date(2027, 1, 1), date(2027, 12, 31))]


def test_outlook_with_its_own_time_zone_block_and_an_exdate() -> None:
    preview = imp.read_ics((FIXTURES / "outlook.ics").read_bytes(), TEAM, NOW, HEL)
    group, kela = preview.rows
    assert group.client_id == 3 and group.importable  # the reference in the description
    assert group.starts_at == datetime(2027, 3, 2, 7, 0, tzinfo=UTC)  # 09.00 EET
    assert group.place == "Kirjasto, Keskuskatu 5"
    days = _days(group)
    assert date(2027, 4, 6) not in days and date(2027, 3, 30) in days  # EXDATE
    assert days[-1] == date(2027, 6, 8)  # UNTIL 06:00Z is 09:00 EEST that day
    assert kela.client_id == 2 and kela.starts_at == datetime(2027, 3, 15, 11, 0, tzinfo=UTC)


def test_google_all_day_rent_every_second_week_and_unknown_client() -> None:
    preview = imp.read_ics((FIXTURES / "google.ics").read_bytes(), TEAM, NOW, HEL)
    rent, visit, unknown = preview.rows
    assert rent.client_id == 4 and any("Koko päivän" in w for w in rent.warnings)
    assert rent.starts_at == datetime(2027, 3, 5, 7, 0, tzinfo=UTC)  # as if 09.00
    assert _days(rent) == [date(2027, m, 5) for m in range(3, 9)]  # COUNT=6
    assert visit.client_id == 1 and visit.importable
    assert _days(visit) == [date(2027, 3, 3), date(2027, 3, 31), date(2027, 4, 28)]
    assert "client" in unknown.errors and not unknown.importable
    assert [r.label for r in preview.importable] == ["Vuokra", "Kotikäynti"]


CSV = ("päivä;kello;puhelin;viite;paikka;tyyppi\r\n"
       "15.3.2027;10.00;040 123 4567;;Kirjasto;tapaaminen\r\n"
       "20.3.2027;10.00;040 765 4321;;Kela, Torikatu 2;kela\r\n"  # already there
       "16.3.2027;9.30;;A-1001;Kotikäynti Äänekoskella;kotikäynti\r\n"
       "16.3.2027;9.30;;A-1001;Kotikäynti Äänekoskella;kotikäynti\r\n"  # twice in the file
       "1.2.2027;9.00;040 123 4567;;;\r\n"  # past
       "31.2.2027;9.00;050 111 2222;;;\r\n"  # no such day; a shared number
       "17.3.2027;9.00;040 999 9999;;;puhelinsoitto\r\n")


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_excel_csv_in_both_encodings(encoding: str) -> None:
    text, found = decode_csv(CSV.encode(encoding))
    assert found == ("Windows-1252" if encoding == "cp1252" else "UTF-8")
    rows = imp.read_csv(text, found, TEAM, NOW, HEL).rows
    ok, dup, ref, again, past, bad, unknown = rows
    assert ok.importable and ok.client_id == 1 and ok.appointment_type == "worker"
    assert ok.starts_at == datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
    assert dup.duplicate and not dup.importable
    assert ref.client_id == 3 and ref.place == "Kotikäynti Äänekoskella" and ref.importable
    assert again.duplicate
    assert "starts_at" in past.errors
    assert "date" in bad.errors and "client" in bad.errors
    assert any("usealla" in w for w in bad.warnings)
    assert "client" in unknown.errors and "type" in unknown.errors
    assert [r.line for r in rows] == [2, 3, 4, 5, 6, 7, 8]


def test_csv_with_a_comma_and_a_repeat_column() -> None:
    text = ("date,time,reference,repeat\n"
            "2.3.2027,09:00,B-2002,FREQ=MONTHLY;BYDAY=1TU;COUNT=3\n"
            "2.3.2027,09:00,B-2002,FREQ=MINUTELY\n")
    rows = imp.read_csv(text, "UTF-8", TEAM, NOW, HEL).rows
    assert _days(rows[0]) == [date(2027, 3, 2), date(2027, 4, 6), date(2027, 5, 4)]
    assert "repeat" in rows[1].errors


def test_files_that_cannot_be_read_say_why() -> None:
    with pytest.raises(ImportFileError, match="Sarakkeita"):
        imp.read_csv("nimi;puhelin\nMatti;0401234567\n", "UTF-8", TEAM, NOW, HEL)
    with pytest.raises(ImportFileError):
        imp.read_ics(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", TEAM, NOW, HEL)
    with pytest.raises(ImportFileError):
        imp.read_ics(b"not a calendar", TEAM, NOW, HEL)
