"""Reading dates and times as Finnish workers type them in a form ("3.6.2026", "10.00").

Pure: no I/O, no clock. Error messages are Finnish hints fit to show beside the field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

from service.domain.calendar.dates import parse_local_date

_TIME_RE = re.compile(r"(?:klo\s*|kl\.?\s*)?(\d{1,2})(?:[.:](\d{2}))?", re.ASCII | re.IGNORECASE)


def parse_time_of_day(text: str) -> time:
    """"10.00", "10:00", "9.30", "klo 14" -> a time; raise ValueError with a Finnish hint."""
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError("Kellonaikaa ei tunnistettu. Kirjoita kellonaika muodossa 10.00 "
                         "tai 10:00.")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValueError("Kellonaikaa ei ole: tunnit 0-23 ja minuutit 0-59, esimerkiksi "
                         "10.00 tai 10:00.")
    return time(hour, minute)


def parse_date_field(text: str) -> date:
    """A required date field; the message says what to write."""
    if not text.strip():
        raise ValueError("Anna päivämäärä, esimerkiksi 3.6.2026.")
    return parse_local_date(text)


def local_datetime(day: date, at: time, tz: tzinfo) -> datetime:
    """The instant (aware UTC) a local date and time mean; a time skipped by DST is refused."""
    local = datetime.combine(day, at, tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError("Tätä kellonaikaa ei ole: kellot siirretään silloin kesäaikaan. "
                         "Valitse toinen aika.")
    return instant


def input_date(value: date) -> str:
    """A date as the form field shows it: 3.6.2026."""
    return f"{value.day}.{value.month}.{value.year}"


def input_time(value: datetime, tz: tzinfo) -> str:
    """A time as the form field shows it: 10.00."""
    local = value.astimezone(tz)
    return f"{local.hour}.{local.minute:02d}"
