"""One limit and one character rule for every field a person or a program types into.

Why: the same value must get the same answer on SQLite and PostgreSQL. PostgreSQL
refuses a NUL byte and a string over its column's size (a 500 if nobody checks
first); SQLite stores both whole. A control character makes TwiML that does not
parse and an SMS that shows garbage; a lone surrogate cannot even be encoded. So
each field is checked here, before any database or gateway sees it, and the forms,
the JSON API and its OpenAPI document all read their limits from TEXT_FIELDS.
docs/fields.md is the table in words.

Ids and dates have one rule each too: an id is 1 to 2^31 - 1 (PostgreSQL's integer;
SQLite would take 2^63), written in ASCII digits ("²" and "١" are not ids); a date
is within EARLIEST_DAY to LATEST_DAY, far enough from the ends of the calendar that no computation
on it overflows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from service.domain.errors import ValidationError
from service.domain.texts.sms import find_links

MAX_ID = 2**31 - 1
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


@dataclass(frozen=True)
class TextRule:
    """How long a field may be (in characters) and what it may hold."""

    max_length: int
    multiline: bool = False  # line breaks allowed (texts); else one line
    no_links: bool = False  # it reaches a client: no web addresses
    what: str = ""  # where it is used, for docs/fields.md


TEXT_FIELDS: dict[str, TextRule] = {
    "name": TextRule(200, what="a client's, trusted person's or worker's name"),
    "email": TextRule(254, what="a worker's sign-in address"),
    "password": TextRule(200, what="a password as typed"),
    "phone": TextRule(40, what="a phone number as typed; stored as E.164"),
    "window": TextRule(20, what="a client's own sending hours, 09:00-18:00"),
    "reference": TextRule(40, what="the team's own client reference (imports match on it)"),
    "place": TextRule(300, no_links=True, what="where an appointment is (said to the client)"),
    "bring": TextRule(300, no_links=True, what="what to bring (said to the client)"),
    "agency": TextRule(100, no_links=True, what="who handles an application (said to the "
                                                "client)"),
    "message": TextRule(1000, multiline=True, no_links=True,
                        what="a text a worker writes to a client (a reply, a cancellation "
                             "notice); also at most 3 SMS segments"),
    "reason": TextRule(300, what="why a worker recorded a client's opt-out or opt-in"),
    "search": TextRule(200, what="the client search box"),
    "filter": TextRule(20, what="a word filter of a list (the audit log's object type)"),
}
# An inbound text is the client's own words: it is cleaned and cut, never refused.
INBOUND_BODY_MAX = 1600  # Twilio's longest inbound message


def _refused(char: str, multiline: bool) -> bool:
    """Control characters (but a line break in texts), surrogates, XML non-characters."""
    if char == "\n":
        return not multiline
    code = ord(char)
    return (0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)
            or unicodedata.category(char) == "Cc")


def normalise(value: str) -> str:
    """Line endings as "\\n", a tab as a space, no spaces around: how a field is stored."""
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").strip()


def text_problem(value: str, rule: TextRule) -> str | None:
    """What is wrong with a normalised value, in Finnish; None when it may be stored."""
    if len(value) > rule.max_length:
        return f"Liian pitkä: enintään {rule.max_length} merkkiä (nyt {len(value)})."
    bad = next((char for char in value if _refused(char, rule.multiline)), None)
    if bad == "\n":
        return "Kirjoita yhdelle riville."
    if bad is not None:
        return ("Tekstissä on merkki, jota ei voi tallentaa eikä lähettää "
                f"(U+{ord(bad):04X}). Poista se tai kirjoita teksti uudelleen.")
    if rule.no_links:
        links = find_links(value)
        if links:
            return (f"Poista verkko-osoite ({links[0]}): asiakkaille ei lähetetä linkkejä, "
                    "koska heitä on neuvottu olemaan luottamatta niihin.")
    return None


def checked_text(field: str, value: object, rule: str | None = None) -> str:
    """The value as it is stored, or ValidationError({field: why}); non-text is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: "Anna teksti."})
    clean = normalise(value)
    problem = text_problem(clean, TEXT_FIELDS[rule or field])
    if problem:
        raise ValidationError({field: problem})
    return clean


def collect_text(errors: dict[str, str], field: str, value: object,
                 rule: str | None = None) -> str:
    """checked_text that adds its error to a form's errors instead of raising."""
    try:
        return checked_text(field, value, rule)
    except ValidationError as exc:
        errors.update({key: msg for key, msg in exc.errors.items() if key not in errors})
        return value if isinstance(value, str) else ""


def inbound_text(value: str, limit: int = INBOUND_BODY_MAX) -> str:
    """A client's own text made storable: refused characters dropped, cut at the limit."""
    kept = "".join(char for char in value.replace("\r\n", "\n").replace("\r", "\n")
                   if not _refused(char, multiline=True))
    return kept[:limit]


def parse_id(value: object, field: str) -> int:
    """An id from a query string (ASCII digits) or JSON (an integer), or ValidationError."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise ValidationError({field: "Anna tunnus numeroina, esim. 12."})
    if not 1 <= number <= MAX_ID:
        raise ValidationError({field: f"Tunnusta ei ole: anna luku väliltä 1-{MAX_ID}."})
    return number


def optional_id(value: object, field: str) -> int | None:
    """parse_id, with nothing (None or "") meaning no id."""
    return None if value is None or value == "" else parse_id(value, field)


def day_problem(day: date) -> str | None:
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return (f"Päivän pitää olla väliltä {EARLIEST_DAY.day}.{EARLIEST_DAY.month}."
            f"{EARLIEST_DAY.year}-{LATEST_DAY.day}.{LATEST_DAY.month}.{LATEST_DAY.year}.")


def check_day(field: str, day: date | None) -> date | None:
    """A date from EARLIEST_DAY to LATEST_DAY, or ValidationError naming the field."""
    if day is not None:
        problem = day_problem(day)
        if problem:
            raise ValidationError({field: problem})
    return day


def check_instant(field: str, moment: datetime) -> datetime:
    """A moment whose own calendar day is within range (checked before any conversion,
    which could overflow at the ends of the calendar)."""
    check_day(field, moment.date())
    return moment
