"""SMS encoding, segment counting, text clean-up and link detection.

Why this exists: one character outside the GSM 03.38 alphabet (an emoji, a
curly quote, š) switches the whole message to UCS-2 and more than doubles the
number of segments the team pays for, and clients must never receive links.
The template checker uses these functions to tell the author before sending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "SmsInfo",
    "analyse_sms",
    "clean_sms_text",
    "find_links",
]

# GSM 03.38 default alphabet, in code order 0x00..0x7F. 0x1B is the escape to the
# extension table and is not a character of its own, so it is left out.
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"  # 0x00-0x0F
    "Δ_ΦΓΛΩΠΨΣΘΞ" "ÆæßÉ"  # 0x10-0x1F (0x1B escape omitted)
    " !\"#¤%&'()*+,-./"  # 0x20-0x2F
    "0123456789:;<=>?"  # 0x30-0x3F
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"  # 0x40-0x5F
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"  # 0x60-0x7F
)

# Extension table: sent as escape + code, so each costs two septets.
GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_MULTI = 153
UCS2_SINGLE = 70
UCS2_MULTI = 67


@dataclass(frozen=True)
class SmsInfo:
    """What a text costs: encoding, length in that encoding's units, and segments."""

    encoding: Literal["GSM-7", "UCS-2"]
    length: int
    segments: int
    non_gsm_chars: tuple[str, ...]


def _is_gsm7(char: str) -> bool:
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def _segments(costs: list[int], single: int, multi: int) -> int:
    """Count segments without splitting one character (escape pair, surrogate pair) across two."""
    total = sum(costs)
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments += 1
            used = 0
        used += cost
    return segments


def analyse_sms(text: str) -> SmsInfo:
    """Encoding, length and segment count as an operator bills them.

    Empty text counts as one segment (it would still be one message).
    ``non_gsm_chars`` lists, once each and in order, the code points that forced
    UCS-2, so the author can be told exactly what to change.
    """
    non_gsm: list[str] = []
    for char in text:
        if not _is_gsm7(char) and char not in non_gsm:
            non_gsm.append(char)
    if not non_gsm:
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return SmsInfo("GSM-7", sum(costs), _segments(costs, GSM7_SINGLE, GSM7_MULTI), ())
    costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return SmsInfo("UCS-2", sum(costs), _segments(costs, UCS2_SINGLE, UCS2_MULTI), tuple(non_gsm))


# Typographic look-alikes that word processors insert; each has a GSM-7 twin that
# reads the same. Letters and emoji are deliberately absent: those are the author's
# choice, and the checker reports them instead.
_REPLACEMENTS: dict[str, str] = {
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\t": " ",
    "\u2018": "'",  # ‘
    "\u2019": "'",  # ’
    "\u201a": "'",  # ‚
    "\u201b": "'",  # ‛
    "\u2032": "'",  # ′
    "\u201c": '"',  # “
    "\u201d": '"',  # ”
    "\u201e": '"',  # „
    "\u201f": '"',  # ‟
    "\u2033": '"',  # ″
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2026": "...",  # ellipsis
    "\u00ad": "",  # soft hyphen (invisible)
    "\u200b": "",  # zero-width space (invisible)
    "\ufeff": "",  # byte order mark (invisible)
    "\u2028": "\n",  # line separator
    "\u2029": "\n",  # paragraph separator
}
_TRANSLATION = str.maketrans(_REPLACEMENTS)
# Most texts hold none of them: one scan in C, and str.translate's per-letter
# lookups are skipped (clean_sms_text runs for every text sent).
_TO_REPLACE = re.compile("[" + re.escape("".join(_REPLACEMENTS)) + "]")


def clean_sms_text(text: str) -> str:
    """Swap typographic characters for GSM-7 twins so a pasted text stays cheap.

    Line endings become ``\\n``; spaces at line ends and trailing blank lines go.
    Letters outside GSM-7 (š, ž, Cyrillic) and emoji are left as the author wrote them.
    """
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    if _TO_REPLACE.search(unified):
        unified = unified.translate(_TRANSLATION)
    lines = [line.rstrip(" ") for line in unified.split("\n")]
    return "\n".join(lines).rstrip("\n")


# Top-level domains recognised in bare domain names ("kela.fi"). A fixed list keeps
# sentences missing a space ("Tervetuloa.Soita") from looking like links.
_TLDS = [
    "fi", "ax", "se", "no", "dk", "is", "ee", "lv", "lt", "de", "at", "ch", "nl", "be",
    "lu", "fr", "it", "es", "pt", "ie", "uk", "gb", "pl", "cz", "sk", "hu", "ro", "bg",
    "gr", "hr", "si", "rs", "ba", "me", "mk", "al", "ua", "ru", "by", "md", "su", "tr",
    "cy", "mt", "li", "mc", "eu", "us", "ca", "mx", "br", "ar", "cl", "co", "pe", "ve",
    "au", "nz", "jp", "cn", "hk", "tw", "kr", "in", "id", "my", "sg", "th", "vn", "ph",
    "pk", "ir", "il", "ae", "sa", "za", "ng", "ke", "eg", "ma", "tk", "ml", "ga", "cf",
    "gq", "ws", "to", "tv", "cc", "ly", "io", "ai", "gg", "je", "im", "com", "net", "org",
    "info", "biz", "edu", "gov", "mil", "int", "name", "pro", "mobi", "asia", "app", "dev",
    "xyz", "top", "online", "site", "shop", "store", "club", "link", "live", "life",
    "click", "world", "today", "news", "blog", "cloud", "page", "web", "website", "tech",
    "space", "fun", "icu", "vip", "win", "bid", "loan", "men", "work", "email", "support",
    "help", "bank",
]

_LINK_RE = re.compile(
    r"https?://[^\s<>\"']+"
    r"|(?<![^\W_])www\.[^\s<>\"']+"
    r"|(?<![\w@.\-/])(?:[^\W_](?:[\w\-]*[^\W_])?\.)+"
    r"(?:" + "|".join(sorted(_TLDS, key=len, reverse=True)) + r")(?![\w\-])"
    r"(?:[/:][^\s<>\"']*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"»”’"


def find_links(text: str) -> list[str]:
    """Find web addresses a reminder must not contain (clients are taught to distrust links).

    Finds ``http(s)://...``, ``www....`` and bare domains with a known top-level
    domain (``kela.fi``, ``omakanta.fi/x``); times (``10.00``), dates (``3.6.``)
    and numbers are not links. E-mail addresses are not reported. Each address is
    listed once, in order of appearance, without trailing sentence punctuation.
    """
    found: list[str] = []
    for match in _LINK_RE.finditer(text):
        link = match.group(0).rstrip(_TRAILING)
        if link and link not in found:
            found.append(link)
    return found
