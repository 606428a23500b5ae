"""The checks on a text a worker writes (an inbox reply, a text from the client page, a
message to many): the same rules the template checker applies to the team's files.

Why: a link makes clients distrust the text (banks taught them so), and one emoji or
curly quote switches the whole text to UCS-2, more than doubling what it costs. The
worker is told both while typing (the web's live check asks `inspect_text`) and the
server refuses a link whatever the browser did (`refuse_links`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from service.domain.errors import ValidationError
from service.domain.texts.sms import SmsInfo, analyse_sms, clean_sms_text, find_links

__all__ = ["MESSAGES", "TextCheck", "char_name", "estimate_cost", "inspect_text",
           "refuse_links"]

# Finnish message ids with python-format values; the web translates and fills them.
MESSAGES = {
    "link": "Viestissä on linkki (%(link)s). Linkkejä ei lähetetä: asiakkaita opetetaan "
            "epäilemään tekstiviestien linkkejä. Poista osoite tai kerro se puhelimessa.",
    "ucs2": "Merkki %(chars)s ei kuulu tekstiviestien tavalliseen merkistöön: koko viesti "
            "lähtee UCS-2-muodossa, 70 merkkiä viestiin 160 sijaan. Poista merkki, niin "
            "viesti maksaa vähemmän.",
    "count": "%(length)s merkkiä, %(segments)s tekstiviesti(ä), %(encoding)s",
}


@dataclass(frozen=True)
class TextCheck:
    """A worker's text as it would be sent, and what the worker should know about it."""

    text: str
    info: SmsInfo
    links: tuple[str, ...]


def inspect_text(body: str) -> TextCheck:
    """Clean the text as sending would, then measure it and look for links."""
    text = clean_sms_text(body or "")
    return TextCheck(text, analyse_sms(text), tuple(find_links(text)))


def char_name(char: str) -> str:
    """A character as the worker can find it: itself and its code point ("😀" U+1F600),
    so an invisible one is named too."""
    return f"\"{char}\" (U+{ord(char):04X} {unicodedata.name(char, '').lower()})".replace(
        " )", ")")


def refuse_links(check: TextCheck, field: str = "body") -> None:
    """Refuse a text with a link: the reason goes back to the form."""
    if check.links:
        raise ValidationError({field: MESSAGES["link"] % {"link": check.links[0]}})


def estimate_cost(segments: int, recipients: int, segment_price: float) -> float:
    """What sending costs at the configured per-segment price: an estimate, since the
    operator's price and the client's network vary."""
    return round(segments * recipients * segment_price, 2)
