"""The client languages, one data file each: service/languages/<code>.toml.

Why data: adding a language (its SMS and voice templates, its date and time words,
its reply words, its voice) must be adding files, not code. This module only reads
and checks the files; every list of languages in the service (forms, the API enum,
the template checker, the voice) comes from here. It imports nothing of the service,
so the store may use it too.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DATA_DIR", "Language", "LanguageError", "all_languages", "codes", "get"]

DATA_DIR = Path(__file__).parent
_PATTERNS = ("date", "date_spoken", "time", "time_spoken", "time_spoken_full_hour",
             "datetime", "datetime_spoken")
_LISTS = {"weekdays_short": 7, "weekdays_spoken": 7, "weekdays_recurring": 7, "months": 12,
          "months_spoken": 12, "ordinals_spoken": 31}


class LanguageError(ValueError):
    """A language file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Language:
    """One client language: how its dates are written and spoken, and who speaks it."""

    code: str
    names: dict[str, str]  # the language's name in each UI language (fi, sv, en)
    templates_from: str  # a language whose templates stand in ("selko" -> "fi"), or ""
    replies: str  # "tables": fi/sv/en grammar; "exact": digits and exact words only
    html_lang: str  # the lang attribute of its texts in the worker's pages
    voice_language: str  # BCP 47, for Twilio's <Say>
    voice: str  # the default voice; the config may name another for fi, sv, en
    words: dict[str, tuple[str, ...]]  # weekdays, months, ordinals (see _LISTS)
    patterns: dict[str, str]  # date, time and datetime, written and spoken
    special_times: dict[str, str]  # "12:00" -> "noon": spoken instead of the pattern
    am_pm: tuple[str, ...]  # ("a.m.", "p.m.") where the spoken time is on a 12-hour clock
    hours_spoken: tuple[str, ...]  # 24 words for the hour where digits would be misread
    # A worker's short forms in free text, said in full in a call ("krs" -> "kerros").
    abbreviations: dict[str, str]
    syllables_per_second: float  # the voice's pace, for the spoken length of a call
    digits_spoken: tuple[str, ...]  # 0-9 as the voice says them, to count their syllables
    sms_encoding: str  # "GSM-7" (a character outside it is a mistake) or "UCS-2" (its script)
    sms_segments: int  # a text must fit this many segments with long realistic values

    def name(self, ui_language: str) -> str:
        return self.names.get(ui_language) or self.names.get("fi") or self.code


def _text(data: dict[str, Any], key: str, path: Path, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise LanguageError(f"{path}: {key} must be a text")
    return value


def _list(data: dict[str, Any], key: str, size: int, path: Path) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise LanguageError(f"{path}: {key} must be a list of texts")
    if value and len(value) != size:
        raise LanguageError(f"{path}: {key} needs {size} entries, has {len(value)}")
    return tuple(value)


def _read(path: Path) -> Language:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LanguageError(f"{path}: {exc}") from exc
    dates, voice = data.get("dates", {}), data.get("voice", {})
    names = data.get("names", {})
    if not isinstance(names, dict) or "fi" not in names:
        raise LanguageError(f"{path}: names needs at least fi = \"...\"")
    replies = _text(data, "replies", path, "exact")
    if replies not in ("tables", "exact"):
        raise LanguageError(f"{path}: replies must be \"tables\" or \"exact\"")
    words = {key: _list(dates, key, size, path) for key, size in _LISTS.items()}
    missing = [key for key, found in words.items() if not found]
    if missing:
        raise LanguageError(f"{path}: [dates] is missing {', '.join(missing)}")
    return Language(
        code=path.stem, names={str(k): str(v) for k, v in names.items()},
        templates_from=_text(data, "templates_from", path, ""),
        replies=replies, html_lang=_text(data, "html_lang", path, path.stem),
        voice_language=_text(voice, "language", path), voice=_text(voice, "voice", path),
        words=words, patterns={key: _text(dates, key, path) for key in _PATTERNS},
        special_times={str(k): str(v) for k, v in dates.get("special_times", {}).items()},
        am_pm=_list(dates, "am_pm", 2, path), hours_spoken=_list(dates, "hours_spoken", 24, path),
        abbreviations=_abbreviations(voice, path), syllables_per_second=_pace(voice, path),
        digits_spoken=_list(voice, "digits_spoken", 10, path),
        sms_encoding=_choice(data, "sms_encoding", ("GSM-7", "UCS-2"), path),
        sms_segments=_segments(data, path))


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...], path: Path) -> str:
    value = data.get(key, allowed[0])
    if value not in allowed:
        raise LanguageError(f"{path}: {key} must be one of {', '.join(allowed)}")
    return str(value)


def _segments(data: dict[str, Any], path: Path) -> int:
    value = data.get("sms_segments", 1)
    if not isinstance(value, int) or not 1 <= value <= 6:
        raise LanguageError(f"{path}: sms_segments must be a whole number from 1 to 6")
    return value


def _abbreviations(voice: dict[str, Any], path: Path) -> dict[str, str]:
    table = voice.get("abbreviations", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise LanguageError(f"{path}: [voice] abbreviations must be short = \"in full\" pairs")
    return {str(k): v for k, v in table.items()}


def _pace(voice: dict[str, Any], path: Path) -> float:
    value = voice.get("syllables_per_second", 4.5)
    if not isinstance(value, int | float) or not 1 <= value <= 10:
        raise LanguageError(f"{path}: [voice] syllables_per_second must be between 1 and 10")
    return float(value)


@cache
def all_languages() -> dict[str, Language]:
    """Every language file, read and checked once, in the files' `order`."""
    found = {p.stem: _read(p) for p in sorted(DATA_DIR.glob("*.toml"))}
    for language in found.values():
        if language.templates_from and language.templates_from not in found:
            raise LanguageError(f"{DATA_DIR / language.code}.toml: templates_from "
                                f"{language.templates_from!r} is not a language")
    order = {code: _order(DATA_DIR / f"{code}.toml") for code in found}
    return dict(sorted(found.items(), key=lambda item: (order[item[0]], item[0])))


def _order(path: Path) -> int:
    value = tomllib.loads(path.read_text(encoding="utf-8")).get("order", 99)
    return value if isinstance(value, int) else 99


def codes() -> tuple[str, ...]:
    return tuple(all_languages())


def get(code: str) -> Language:
    """The language; an unknown code is refused, never guessed."""
    try:
        return all_languages()[code]
    except KeyError:
        raise LanguageError(f"unknown language {code!r}; expected one of "
                            f"{', '.join(codes())}") from None
