"""Finding phone numbers inside free text (log lines, audit details) to hide them.

Numbers are recognised as people write them: +358 40 123 4567, 0401234567,
040-123 4567, 00358401234567, 358401234567. Dates, times and ids are left alone
(2026-06-03, 10:00:00, reminder 12345).
"""

from __future__ import annotations

import re

from service.domain.phones import PhoneError, mask_phone, parse_phone

_SEP = r"[ \-.]?"
PHONE_IN_TEXT = re.compile(
    r"%2[Bb]\d{7,15}(?!\d)"  # +358401234567 in a URL-encoded query or form
    r"|(?<![\w+])\+\d(?:" + _SEP + r"\d){6,16}(?![\d])"  # +358 40 123 4567
    r"|(?<![\w.:/+\-])00\d{8,15}(?!\d)"  # 00358401234567
    r"|(?<![\w.:/+\-])358\d{7,12}(?!\d)"  # 358401234567 (E.164 without the plus)
    r"|(?<![\w.:/+\-])0\d{1,3}[ \-]?\d{3,4}[ \-]?\d{2,4}(?![\w:]|[.\-]\d)"  # 040 123 4567
)


def _masked(match: re.Match[str]) -> str:
    raw = match.group(0)
    if raw[:3].upper() == "%2B":
        return "%2B" + mask_phone("+" + raw[3:])[1:]
    if raw.startswith("358"):
        raw = "+" + raw
    try:
        return mask_phone(parse_phone(raw).e164)
    except PhoneError:
        return mask_phone(raw)


def mask_numbers(text: str) -> str:
    """Every phone number in the text shortened the way logs show it (+358***67)."""
    return PHONE_IN_TEXT.sub(_masked, text)


def strip_numbers(text: str) -> str:
    """Every phone number in the text replaced by *** (nothing of it is kept)."""
    return PHONE_IN_TEXT.sub("***", text)


def has_number(text: str) -> bool:
    return PHONE_IN_TEXT.search(text) is not None


NAME_MARK = "[nimi]"
_NAME_WORD = r"[A-ZÅÄÖÜ][a-zåäöüéA-ZÅÄÖ'-]+"
# A name after a sign-off or a slash or dash at the end ("t. Liisa", "terv Matti",
# "Hälsningar Anna", "/Pekka", "-Anna"): replies are signed with a name, often not
# the client's own, so the names known to the service are not enough.
SIGNED = re.compile(
    r"(?P<sign>(?i:\b(?:t|terv|terveisin|tervehdys|mvh|hälsningar|hälsning|regards|cheers|br)"
    r"\b\.?))"
    rf"(?P<gap>\s*,?\s*){_NAME_WORD}(?:\s+{_NAME_WORD})?"
    rf"|(?<![\w])(?P<dash>[/\-])\s?{_NAME_WORD}\s*$")


def redact_text(text: str, names: list[str]) -> str:
    """Free text with no phone number (***) and no name: every word of `names` (the
    people the service knows around the message) and a signature's name become
    [nimi]. For texts that leave the service, e.g. the corrections export."""
    masked = strip_numbers(text)
    words = sorted({w for name in names for w in re.split(r"[\s,]+", name) if len(w) >= 2},
                   key=len, reverse=True)
    for word in words:
        masked = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", NAME_MARK, masked,
                        flags=re.IGNORECASE)
    return SIGNED.sub(_signed_mark, masked)


def _signed_mark(match: re.Match[str]) -> str:
    if match.group("dash"):
        return match.group("dash") + NAME_MARK
    return match.group("sign") + (match.group("gap") or " ") + NAME_MARK
