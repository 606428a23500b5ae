"""Reading a client list exported from a spreadsheet (CSV) into rows to import.

Pure: bytes or text in, rows with their errors out; no database, no clock. Spreadsheets
export UTF-8 (often with a byte-order mark) or Windows-1252, with commas or (in Finnish
Excel) semicolons, sometimes with a first line "sep=;". Each row is checked on its own,
so one bad number does not stop the others, and every error names what was wrong.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from service import languages
from service.domain.fields import TEXT_FIELDS, normalise, text_problem
from service.domain.people.clients import SHARED_NUMBER
from service.domain.phones import PhoneError, parse_phone

MAX_ROWS = 5000

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "name": ("nimi", "name", "namn", "asiakas", "asiakkaan nimi", "koko nimi", "full name"),
    "first_name": ("etunimi", "etunimet", "first name", "firstname", "förnamn"),
    "last_name": ("sukunimi", "last name", "lastname", "surname", "efternamn"),
    "phone": ("puhelin", "puhelinnumero", "puh", "puh.", "numero", "matkapuhelin", "gsm",
              "phone", "phone number", "mobile", "telefon", "telefonnummer"),
    "language": ("kieli", "asiointikieli", "language", "språk"),
    "channel": ("kanava", "yhteystapa", "tapa", "channel", "kanal"),
    "worker": ("työntekijä", "vastuutyöntekijä", "omatyöntekijä", "worker", "handläggare"),
}
LANGUAGE_WORDS: dict[str, str] = {
    "": "fi", "fi": "fi", "fin": "fi", "suomi": "fi", "suomeksi": "fi", "finnish": "fi",
    "finska": "fi", "sv": "sv", "swe": "sv", "ruotsi": "sv", "ruotsiksi": "sv",
    "svenska": "sv", "swedish": "sv", "en": "en", "eng": "en", "englanti": "en",
    "englanniksi": "en", "english": "en", "engelska": "en", "selko": "selko",
    "selkokieli": "selko", "selkosuomi": "selko", "selkokielellä": "selko",
    # every language file's code and names ("uk", "ukraina", "ukrainska", "ukrainian")
    **{word.lower(): lang.code for lang in languages.all_languages().values()
       for word in (lang.code, *lang.names.values())},
}
CHANNEL_WORDS: dict[str, str] = {
    "": "auto", "auto": "auto", "automaattinen": "auto", "sms": "sms", "tekstiviesti": "sms",
    "teksti": "sms", "viesti": "sms", "text": "sms", "voice": "voice", "puhelu": "voice",
    "soitto": "voice", "ääni": "voice", "call": "voice", "samtal": "voice",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says what to do (in Finnish)."""


@dataclass
class ImportRow:
    line: int
    name: str
    phone_raw: str
    phone: str | None = None
    number_type: str | None = None
    language: str = "fi"
    channel: str = "auto"
    worker_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    duplicate: bool = False

    @property
    def importable(self) -> bool:
        return not self.errors and not self.duplicate


@dataclass
class ImportPreview:
    encoding: str
    delimiter: str
    columns: dict[str, int]
    rows: list[ImportRow]

    @property
    def importable(self) -> list[ImportRow]:
        return [row for row in self.rows if row.importable]

    @property
    def with_errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]


def decode_csv(data: bytes) -> tuple[str, str]:
    """The file's text and its encoding's name: UTF-8 (with or without BOM) or Windows-1252."""
    if not data.strip():
        raise ImportFileError("Tiedosto on tyhjä.")
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError("Tiedoston merkistöä ei tunnistettu. Tallenna taulukko "
                              "muodossa CSV UTF-8 ja yritä uudelleen.") from exc


def _delimiter(first_line: str) -> str:
    """The most common of ; , and tab on the header line (comma when there is none)."""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """The delimiter and the non-empty records, each with its line number in the file."""
    text = text.lstrip("\ufeff")
    first_line = text.partition("\n")[0].strip()
    offset = 0
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        delimiter = first_line[4]  # Excel's own hint, on a line of its own
        text, offset = text.partition("\n")[2], 1
    else:
        delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = [(reader.line_num + offset, record) for record in reader
               if any(cell.strip() for cell in record)]
    return delimiter, records


def csv_records(text: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """The delimiter and the non-empty records with their line numbers (also read by the
    appointment import, domain/people/appointment_import.py)."""
    return _records(text)


def header_name(header: str) -> str:
    """A header cell as compared with the known column names."""
    return _normal(header)


def _normal(header: str) -> str:
    return " ".join(header.strip().strip('"').lower().replace("_", " ").split())


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = _normal(raw)
        for key, words in COLUMN_NAMES.items():
            if name in words and key not in found:
                found[key] = index
    return found


def _looks_like_phone(text: str) -> bool:
    try:
        parse_phone(text)
    except PhoneError:
        return False
    return True


def _cell(record: list[str], columns: Mapping[str, int], key: str) -> str:
    index = columns.get(key)
    if index is None or index >= len(record):
        return ""
    return record[index].strip()


def read_client_rows(text: str, *, encoding: str = "UTF-8",
                     workers: Mapping[str, int] | None = None,
                     existing: Iterable[tuple[str, str]] = (),
                     default_worker_id: int | None = None) -> ImportPreview:
    """Every data row checked: the preview a worker sees before anything is saved.

    workers maps a worker's e-mail (lower case) to their id; existing holds the
    (name in lower case, E.164 phone) pairs already in the database, so importing the
    same list twice creates nobody twice.
    """
    delimiter, records = _records(text)
    if not records:
        raise ImportFileError("Tiedosto on tyhjä.")
    columns = _columns(records[0][1])
    data = records[1:]
    if not columns:
        if len(records[0][1]) >= 2 and _looks_like_phone(records[0][1][1]):
            columns = {"name": 0, "phone": 1, "language": 2, "channel": 3}
            data = records  # no header row: name, phone[, language[, channel]]
        else:
            raise ImportFileError("Otsikkoriviä ei tunnistettu. Ensimmäisellä rivillä pitää "
                                  "olla sarakkeiden nimet, vähintään nimi ja puhelin.")
    if "phone" not in columns or not ({"name", "first_name", "last_name"} & set(columns)):
        raise ImportFileError("Sarakkeita nimi ja puhelin ei löytynyt. Ensimmäisellä rivillä "
                              "pitää olla sarakkeiden nimet, esimerkiksi nimi;puhelin;kieli.")
    if len(data) > MAX_ROWS:
        raise ImportFileError(f"Tiedostossa on {len(data)} riviä; tuo enintään {MAX_ROWS} "
                              "kerralla.")
    seen = {(name.lower(), phone) for name, phone in existing}
    phones = {phone for _name, phone in seen}
    rows: list[ImportRow] = []
    for number, record in data:
        row = _check_row(number, record, columns, workers or {}, default_worker_id)
        if row.phone and not row.errors:
            key = (row.name.lower(), row.phone)
            if key in seen:
                row.duplicate = True
                row.warnings.append("Asiakas on jo rekisterissä tai aiemmin tiedostossa: "
                                    "ohitetaan.")
            elif row.phone in phones:
                row.warnings.append(SHARED_NUMBER)  # the client form's rule too
            seen.add(key)
            phones.add(row.phone)
        rows.append(row)
    return ImportPreview(encoding=encoding, delimiter=delimiter, columns=columns, rows=rows)


def _check_row(line: int, record: list[str], columns: Mapping[str, int],
               workers: Mapping[str, int], default_worker_id: int | None) -> ImportRow:
    name = _cell(record, columns, "name") or " ".join(
        part for part in (_cell(record, columns, "first_name"),
                          _cell(record, columns, "last_name")) if part)
    phone_raw = _cell(record, columns, "phone")
    row = ImportRow(line=line, name=name, phone_raw=phone_raw, worker_id=default_worker_id)
    if not name:
        row.errors["name"] = "Nimi puuttuu."
    elif problem := text_problem(normalise(name), TEXT_FIELDS["name"]):
        row.errors["name"] = problem
    if not phone_raw:
        row.errors["phone"] = "Puhelinnumero puuttuu."
    else:
        try:
            phone = parse_phone(phone_raw)
            row.phone, row.number_type = phone.e164, phone.number_type
        except PhoneError as exc:
            row.errors["phone"] = f"Numero ”{phone_raw}” ei kelpaa: {exc.message}"
    language = LANGUAGE_WORDS.get(_cell(record, columns, "language").lower())
    if language is None:
        row.errors["language"] = (f"Kieli ”{_cell(record, columns, 'language')}” ei kelpaa: "
                                  "käytä fi, sv, en tai selko.")
    else:
        row.language = language
    channel = CHANNEL_WORDS.get(_cell(record, columns, "channel").lower())
    if channel is None:
        row.errors["channel"] = (f"Kanava ”{_cell(record, columns, 'channel')}” ei kelpaa: "
                                 "käytä sms, puhelu tai auto.")
    else:
        row.channel = channel
    if row.number_type is not None and row.number_type != "mobile":
        if row.channel == "sms":
            row.errors["channel"] = (f"Numero ”{phone_raw}” on lankapuhelin: tekstiviestit "
                                     "eivät mene perille. Valitse puhelu tai auto.")
        else:
            row.warnings.append("Lankapuhelin: muistutukset tulevat puheluina.")
    worker = _cell(record, columns, "worker").lower()
    if worker:
        if worker in workers:
            row.worker_id = workers[worker]
        else:
            row.errors["worker"] = f"Työntekijää ”{worker}” ei löydy (anna sähköpostiosoite)."
    return row
