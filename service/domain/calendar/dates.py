"""Dates and times as clients read them in a text and hear them in a voice call.

Everything is stored in UTC; people live in Europe/Helsinki with summer time.
The word tables and patterns are each language's data file (service/languages/), not
the system locale, so output is the same on every server and follows Finnish conventions
("ti 3.6. klo 10.00") that generic locale data gets subtly wrong.

Spoken forms are written for text-to-speech: numbers are plain integers with no
punctuation a speech engine could read as a decimal point or a date, e.g. Finnish
"kello 10 30" (read "kello kymmenen kolmekymmentä", as Finnish timetable
announcements say it) and "kello 10" on the full hour. The day of the month is an
ordinal in words ("toinen kesäkuuta"): a voice reads "2." as "kaksi". Colloquial "puoli 11" is
avoided on purpose: it is easily misheard as 11.30.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from service import languages

__all__ = [
    "HELSINKI",
    "LANGUAGES",
    "Language",
    "format_date",
    "format_datetime",
    "format_time",
    "format_weekly",
    "join_datetime",
    "parse_local_date",
    "spoken_date",
    "spoken_datetime",
    "spoken_time",
    "spoken_weekly",
    "to_local",
]

# A client language's code; its words and patterns are data (service/languages/<code>.toml).
Language = str
LANGUAGES: tuple[str, ...] = languages.codes()
HELSINKI = ZoneInfo("Europe/Helsinki")


def _language(lang: str) -> languages.Language:
    try:
        return languages.get(lang)
    except languages.LanguageError as exc:
        raise ValueError(str(exc)) from None


def to_local(dt: datetime, tz: tzinfo = HELSINKI) -> datetime:
    """Convert an aware instant to local wall time; a naive one is refused, never guessed."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime: give an aware (UTC) datetime")
    return dt.astimezone(tz)


def _date_values(d: date, lang: languages.Language) -> dict[str, str]:
    words = lang.words
    return {"weekday_short": words["weekdays_short"][d.weekday()],
            "weekday_spoken": words["weekdays_spoken"][d.weekday()],
            "day": str(d.day), "month": str(d.month), "month_padded": f"{d.month:02d}",
            "month_name": words["months"][d.month - 1],
            "month_spoken": words["months_spoken"][d.month - 1],
            "ordinal": words["ordinals_spoken"][d.day - 1]}


def _time_values(local: datetime, lang: languages.Language) -> dict[str, str]:
    hour = local.hour
    return {"hour": str(hour), "minute": f"{local.minute:02d}", "hour12": str(hour % 12 or 12),
            "am_pm": lang.am_pm[hour >= 12] if lang.am_pm else "",
            "hour_spoken": lang.hours_spoken[hour] if lang.hours_spoken else str(hour)}


def format_date(d: date, lang: Language) -> str:
    """Short written date: fi "ti 3.6.", sv "tis 3.6", en "Tue 3 June", selko "tiistaina 3.6."."""
    language = _language(lang)
    return language.patterns["date"].format(**_date_values(d, language))


def format_time(dt: datetime, lang: Language, tz: tzinfo = HELSINKI) -> str:
    """Local clock time, hour unpadded: "10.00" / "9.05" (fi, sv, selko), "10:00" (en)."""
    language = _language(lang)
    return language.patterns["time"].format(**_time_values(to_local(dt, tz), language))


def format_datetime(dt: datetime, lang: Language, tz: tzinfo = HELSINKI) -> str:
    """Written date and time for an SMS: "ti 3.6. klo 10.00", "tis 3.6 kl. 10.00", ..."""
    local = to_local(dt, tz)
    return join_datetime(format_date(local.date(), lang), format_time(local, lang, tz), lang)


def join_datetime(date_text: str, time_text: str, lang: Language, spoken: bool = False
                  ) -> str:
    """A date and a time already in words, as the language puts them together (for a
    caller that needs all three: the text's {when}, {date} and {time})."""
    if spoken:
        return _language(lang).patterns["datetime_spoken"].format(
            date_spoken=date_text, time_spoken=time_text)
    return _language(lang).patterns["datetime"].format(date=date_text, time=time_text)


def spoken_date(d: date, lang: Language) -> str:
    """Date for speech, the day an ordinal in words: "tiistaina toinen kesäkuuta",
    "tisdagen den andra juni", "Tuesday the second of June"."""
    language = _language(lang)
    return language.patterns["date_spoken"].format(**_date_values(d, language))


def _spoken_time(local: datetime, language: languages.Language) -> str:
    special = language.special_times.get(f"{local.hour}:{local.minute:02d}")
    if special is not None:
        return special
    key = "time_spoken_full_hour" if local.minute == 0 else "time_spoken"
    return language.patterns[key].format(**_time_values(local, language))


def spoken_time(dt: datetime, lang: Language, tz: tzinfo = HELSINKI) -> str:
    """The time alone for speech: "kello 10 30", "klockan 10", "at noon", "о десятій"."""
    return _spoken_time(to_local(dt, tz), _language(lang))


def spoken_datetime(dt: datetime, lang: Language, tz: tzinfo = HELSINKI) -> str:
    """Date and time for a voice call.

    fi/selko "tiistaina toinen kesäkuuta kello 10" / "... kello 10 30" / "... kello 10 05";
    sv "tisdagen den andra juni klockan 10"; en "Tuesday the second of June at 10:30 a.m."
    / "at noon" / "at midnight"; uk "у вівторок, другого червня, о десятій 30".
    """
    local = to_local(dt, tz)
    return join_datetime(spoken_date(local.date(), lang),
                         _spoken_time(local, _language(lang)), lang, spoken=True)


def _weekly_values(at: time, lang: languages.Language) -> dict[str, str]:
    return _time_values(datetime.combine(date(2000, 1, 1), at), lang)


def format_weekly(weekdays: Sequence[int], at: time, lang: Language) -> str:
    """A recurring time in writing, weekdays (0 = Monday) and a naive local time: fi
    "ti klo 10.00", sv "tis kl. 10.00", en "Tue at 10:00", selko "tiistaisin kello 10.00"
    (the weekday short where the language's date writes it short, else as it recurs);
    no weekday: "klo 10.00"."""
    language = _language(lang)
    key = "weekdays_recurring" if "{weekday_spoken}" in language.patterns["date"] \
        else "weekdays_short"
    days = ", ".join(language.words[key][day] for day in weekdays)
    clock = language.patterns["time"].format(**_weekly_values(at, language))
    return language.patterns["datetime"].format(date=days, time=clock).strip(" ,")


def spoken_weekly(weekdays: Sequence[int], at: time, lang: Language) -> str:
    """A recurring time for speech: "tiistaisin kello 10", "på tisdagar klockan 10 30"."""
    language = _language(lang)
    days = ", ".join(language.words["weekdays_recurring"][day] for day in weekdays)
    local = datetime.combine(date(2000, 1, 1), at)
    return language.patterns["datetime_spoken"].format(
        date_spoken=days, time_spoken=_spoken_time(local, language)).strip(" ,")


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
