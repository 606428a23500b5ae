"""Dates and times as clients read them in a text and hear them in a voice call.

Everything is stored in UTC; people live in Europe/Helsinki with summer time.
The word tables are written here rather than taken from the system locale, so
output is the same on every server and follows Finnish conventions
("ti 3.6. klo 10.00") that generic locale data gets subtly wrong.

Spoken forms are written for text-to-speech: numbers are plain integers with no
punctuation a speech engine could read as a decimal point or a date, e.g. Finnish
"kello 10 30" (read "kello kymmenen kolmekymmentä", as Finnish timetable
announcements say it) and "kello 10" on the full hour. Colloquial "puoli 11" is
avoided on purpose: it is easily misheard as 11.30.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "HELSINKI",
    "LANGUAGES",
    "Language",
    "format_date",
    "format_datetime",
    "format_time",
    "parse_local_date",
    "spoken_date",
    "spoken_datetime",
    "to_local",
]

Language = Literal["fi", "sv", "en", "selko"]
LANGUAGES: tuple[Language, ...] = ("fi", "sv", "en", "selko")
HELSINKI = ZoneInfo("Europe/Helsinki")

# Index 0 is Monday, as in date.weekday().
_WEEKDAY_ABBR: dict[str, tuple[str, ...]] = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
# Finnish essive ("on Tuesday"): plain language spells the day out.
_WEEKDAY_FI_ESSIVE = (
    "maanantaina",
    "tiistaina",
    "keskiviikkona",
    "torstaina",
    "perjantaina",
    "lauantaina",
    "sunnuntaina",
)
_WEEKDAY_SV_DEFINITE = (
    "måndagen",
    "tisdagen",
    "onsdagen",
    "torsdagen",
    "fredagen",
    "lördagen",
    "söndagen",
)
_WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Index 0 is January. Finnish uses the partitive after an ordinal: "3. kesäkuuta".
_MONTH_FI_PARTITIVE = (
    "tammikuuta",
    "helmikuuta",
    "maaliskuuta",
    "huhtikuuta",
    "toukokuuta",
    "kesäkuuta",
    "heinäkuuta",
    "elokuuta",
    "syyskuuta",
    "lokakuuta",
    "marraskuuta",
    "joulukuuta",
)
_MONTH_SV = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
_MONTH_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")


def to_local(dt: datetime, tz: tzinfo = HELSINKI) -> datetime:
    """Convert an aware instant to local wall time; a naive one is refused, never guessed."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime: give an aware (UTC) datetime")
    return dt.astimezone(tz)


def format_date(d: date, lang: Language) -> str:
    """Short written date: fi "ti 3.6.", sv "tis 3.6", en "Tue 3 June", selko "tiistaina 3.6."."""
    _check_language(lang)
    weekday = d.weekday()
    if lang == "fi":
        return f"{_WEEKDAY_ABBR['fi'][weekday]} {d.day}.{d.month}."
    if lang == "sv":
        return f"{_WEEKDAY_ABBR['sv'][weekday]} {d.day}.{d.month}"
    if lang == "en":
        return f"{_WEEKDAY_ABBR['en'][weekday]} {d.day} {_MONTH_EN[d.month - 1]}"
    return f"{_WEEKDAY_FI_ESSIVE[weekday]} {d.day}.{d.month}."


def format_time(dt: datetime, lang: Language, tz: tzinfo = HELSINKI) -> str:
    """Local clock time, hour unpadded: "10.00" / "9.05" (fi, sv, selko), "10:00" (en)."""
    _check_language(lang)
    local = to_local(dt, tz)
    separator = ":" if lang == "en" else "."
    return f"{local.hour}{separator}{local.minute:02d}"


def format_datetime(dt: datetime, lang: Language, tz: tzinfo = HELSINKI) -> str:
    """Written date and time for an SMS: "ti 3.6. klo 10.00", "tis 3.6 kl. 10.00", ..."""
    _check_language(lang)
    local = to_local(dt, tz)
    day = format_date(local.date(), lang)
    time = format_time(local, lang, tz)
    word = {"fi": "klo", "sv": "kl.", "en": "at", "selko": "kello"}[lang]
    return f"{day} {word} {time}"


def _english_ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def spoken_date(d: date, lang: Language) -> str:
    """Date for speech: "tiistaina 3. kesäkuuta", "tisdagen den 3 juni",
    "Tuesday the 3rd of June"."""
    _check_language(lang)
    weekday = d.weekday()
    if lang in ("fi", "selko"):
        return f"{_WEEKDAY_FI_ESSIVE[weekday]} {d.day}. {_MONTH_FI_PARTITIVE[d.month - 1]}"
    if lang == "sv":
        return f"{_WEEKDAY_SV_DEFINITE[weekday]} den {d.day} {_MONTH_SV[d.month - 1]}"
    return f"{_WEEKDAY_EN[weekday]} the {_english_ordinal(d.day)} of {_MONTH_EN[d.month - 1]}"


def _spoken_time_en(hour: int, minute: int) -> str:
    if minute == 0 and hour == 0:
        return "midnight"
    if minute == 0 and hour == 12:
        return "noon"
    suffix = "a.m." if hour < 12 else "p.m."
    hour12 = hour % 12 or 12
    clock = f"{hour12}" if minute == 0 else f"{hour12}:{minute:02d}"
    return f"{clock} {suffix}"


def spoken_datetime(dt: datetime, lang: Language, tz: tzinfo = HELSINKI) -> str:
    """Date and time for a voice call.

    fi/selko "tiistaina 3. kesäkuuta kello 10" / "... kello 10 30" / "... kello 10 05";
    sv "tisdagen den 3 juni klockan 10" / "... klockan 10 30";
    en "Tuesday the 3rd of June at 10 a.m." / "at 10:30 a.m." / "at noon" / "at midnight".
    """
    _check_language(lang)
    local = to_local(dt, tz)
    day = spoken_date(local.date(), lang)
    if lang == "en":
        return f"{day} at {_spoken_time_en(local.hour, local.minute)}"
    word = "klockan" if lang == "sv" else "kello"
    clock = f"{local.hour}" if local.minute == 0 else f"{local.hour} {local.minute:02d}"
    return f"{day} {word} {clock}"


_FINNISH_DATE_RE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DATE_HINT = "Kirjoita päivämäärä muodossa päivä.kuukausi.vuosi, esimerkiksi 3.6.2026."


def parse_local_date(text: str) -> date:
    """Read a date a worker typed ("3.6.2026", "03.06.2026" or "2026-06-03").

    Raises ``ValueError`` whose message is a Finnish hint fit for a form.
    """
    cleaned = text.strip()
    if match := _FINNISH_DATE_RE.fullmatch(cleaned):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE_RE.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"Päivämäärää ei tunnistettu. {_DATE_HINT}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Päivämäärää {cleaned} ei ole kalenterissa. {_DATE_HINT}") from None
