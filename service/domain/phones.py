"""Phone numbers as clients and workers type them, reduced to one E.164 form.

This is the only module that calls ``phonenumbers.parse``: every other module
gets a ``Phone`` (or its E.164 string) and never re-interprets raw input, so
there is one place that decides what a valid number is and whether it can
receive an SMS (a Finnish landline cannot; it only gets voice calls).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult

__all__ = [
    "NumberType",
    "Phone",
    "PhoneError",
    "format_phone_national",
    "mask_phone",
    "parse_phone",
]

NumberType = Literal["mobile", "fixed_line", "other"]

_EXAMPLE = "esimerkiksi 040 123 4567 tai +358 40 123 4567"
_HINT = f"Tarkista numero: {_EXAMPLE}."

MESSAGES: dict[str, str] = {
    "empty": f"Puhelinnumero puuttuu. Kirjoita numero, {_EXAMPLE}.",
    "not_a_number": (
        "Puhelinnumerossa voi olla vain numeroita, välilyöntejä ja viivoja sekä alussa "
        f"+-merkki. {_HINT}"
    ),
    "too_short": f"Numero on liian lyhyt. {_HINT}",
    "too_long": f"Numero on liian pitkä. {_HINT}",
    "invalid": f"Numero ei ole käytössä oleva puhelinnumero. {_HINT}",
    "invalid_country": (
        "Maatunnusta ei tunnistettu. Kirjoita ulkomainen numero +-merkin ja maatunnuksen "
        "kanssa, esimerkiksi +46 70 123 4567."
    ),
}

# Separators people use when writing a number by hand; anything else (letters,
# "ext.", "tel:") is refused rather than guessed at.
_SEPARATORS = frozenset(" -()./\u00a0\u202f\u2009\t\u2010\u2011\u2012\u2013")

_TYPE_MAP: dict[int, NumberType] = {
    PhoneNumberType.MOBILE: "mobile",
    # Both possible (e.g. North America): treated as mobile so SMS is tried.
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
}


@dataclass(frozen=True)
class Phone:
    """A validated number: E.164 string plus what kind of line it is."""

    e164: str
    number_type: NumberType

    @property
    def can_receive_sms(self) -> bool:
        """Only mobiles get texts; landlines and service numbers get voice only."""
        return self.number_type == "mobile"


class PhoneError(ValueError):
    """Why a number was refused: a stable ``code`` for code, a Finnish ``message`` for forms."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _error(code: str) -> PhoneError:
    public_code = "invalid" if code == "invalid_country" else code
    return PhoneError(public_code, MESSAGES[code])


def _normalise(raw: str) -> str:
    """Reduce input to ASCII digits, spaces and a leading ``+``.

    Letters and anything else are refused here, because phonenumbers would
    otherwise silently reinterpret them (vanity letters, "ext. 12", "tel:").
    """
    text = raw.strip()
    if not text:
        raise _error("empty")
    out: list[str] = []
    for index, char in enumerate(text):
        if char.isdecimal():
            out.append(str(int(char)))
        elif char in _SEPARATORS or char.isspace():
            out.append(" ")
        elif char in "+\uff0b" and index == 0:
            out.append("+")
        else:
            raise _error("not_a_number")
    normalised = "".join(out)
    if not any(char.isdigit() for char in normalised):
        raise _error("not_a_number")
    return normalised


def _length_problem(number: phonenumbers.PhoneNumber) -> str:
    """Best hint for an invalid number: too short / too long if length explains it."""
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (ValidationResult.IS_POSSIBLE, ValidationResult.INVALID_LENGTH):
        # The general rule allows many lengths; most typed numbers are mobiles.
        reason = phonenumbers.is_possible_number_for_type_with_reason(
            number, PhoneNumberType.MOBILE)
    if reason == ValidationResult.TOO_SHORT:
        return "too_short"
    if reason == ValidationResult.TOO_LONG:
        return "too_long"
    return "invalid"


def parse_phone(raw: str, region: str = "FI") -> Phone:
    """Turn a hand-typed number into a ``Phone``; raise ``PhoneError`` with a Finnish hint.

    National numbers are read in ``region``; numbers written with ``+`` or ``00``
    may be from any country.
    """
    text = _normalise(raw)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise _error("invalid_country") from None
        if exc.error_type == NumberParseException.TOO_LONG:
            raise _error("too_long") from None
        # NOT_A_NUMBER here means too few digits: _normalise already saw digits.
        raise _error("too_short") from None
    code = number.country_code
    if code is None or phonenumbers.region_code_for_country_code(code) == "ZZ":
        raise _error("invalid_country")
    if not phonenumbers.is_valid_number(number):
        raise _error(_length_problem(number))
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    kind = _TYPE_MAP.get(phonenumbers.number_type(number), "other")
    return Phone(e164=e164, number_type=kind)


_E164_RE = re.compile(r"\+\d{1,15}", re.ASCII)
_DIGITS_RE = re.compile(r"\d+", re.ASCII)


def _country_code_length(digits: str) -> int:
    """Length of the country code at the start of ``digits`` (codes are prefix-free),
    0 if unknown."""
    for size in (1, 2, 3):
        region = phonenumbers.region_code_for_country_code(int(digits[:size]))
        if len(digits) > size and region != "ZZ":
            return size
    return 0


KEPT_DIGITS = 2  # a log needs to tell numbers apart, not to say whose they are
MIN_HIDDEN = 5


def _mask_digits(digits: str) -> str:
    """Only the last two digits, and only when at least five others are hidden."""
    if len(digits) - KEPT_DIGITS < MIN_HIDDEN:
        return "***"
    return "***" + digits[-KEPT_DIGITS:]


def mask_phone(e164: str) -> str:
    """Shorten a number for logs so a person cannot be identified from it.

    Only the country code and the last two digits are kept: ``+358401234567`` ->
    ``+358***67``. Enough to tell two numbers in one log apart, too little to call
    anyone or to find them in a directory. Short numbers keep no digit at all, and
    anything that is not a number becomes ``***``. Never raises.
    """
    if not isinstance(e164, str):
        return "***"
    compact = "".join(char for char in e164.strip() if char not in _SEPARATORS)
    if compact.startswith("00") and compact[2:].isdigit():
        compact = "+" + compact[2:]
    if _E164_RE.fullmatch(compact):
        digits = compact[1:]
        cc_len = _country_code_length(digits)
        return "+" + digits[:cc_len] + _mask_digits(digits[cc_len:])
    if _DIGITS_RE.fullmatch(compact):
        return _mask_digits(compact)
    return "***"


def _group_subscriber(digits: str) -> str:
    """Group the part after the area/operator code the Finnish way: 123 4567, 1234 5678."""
    if len(digits) <= 5:
        return digits
    if len(digits) == 6:
        return f"{digits[:3]} {digits[3:]}"
    if len(digits) == 7:
        return f"{digits[:3]} {digits[3:]}"
    if len(digits) == 8:
        return f"{digits[:4]} {digits[4:]}"
    return f"{digits[:3]} {_group_subscriber(digits[3:])}"


def format_phone_national(e164: str) -> str:
    """Show a stored number the way its reader writes it.

    Finnish numbers as ``040 123 4567`` / ``09 1234 5678``, others in the
    international form ``+46 70 123 45 67``. Input that does not parse is
    returned unchanged so a page never breaks on one bad row.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if number.country_code != 358:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    prefix, _, rest = national.partition(" ")
    if not rest:
        return national
    return f"{prefix} {_group_subscriber(rest.replace(' ', ''))}"
