"""Twilio's error codes: the one table of what each means, in words a worker understands.

For every code we know: its Finnish words, whether sending the same request again
can help, whether it means the recipient opted out, and the reason a reminder that
failed with it is given. Three outcomes, decided here and nowhere else:
- permanent: sending the same request again cannot help (a bad number, a landline
  for a text, a recipient who sent STOP, our own credentials);
- transient: Twilio did not take the request (rate limit, queue full, its own 5xx),
  so it is safe to try again later with backoff;
- uncertain: the request may have reached Twilio but no answer came. No code says
  that: the transport decides it (service/gateways/twilio.py).
Codes that only come in status callbacks (the carrier could not deliver) have no
outcome of their own: a create answered with one is judged by its HTTP status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ErrorOutcome(StrEnum):
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    UNCERTAIN = "uncertain"


# The reason (service/domain/planning/reminder_states.REASONS) a reminder gets when
# a permanent error without a reason of its own stops it.
GATEWAY_ERROR = "gateway_error"


@dataclass(frozen=True)
class TwilioCode:
    words: str  # for the worker; Twilio's own message may contain the phone number
    outcome: ErrorOutcome | None = None  # None: decided by the HTTP status
    reason: str | None = None  # permanent codes: the reminder's reason
    opted_out: bool = False  # the recipient blocked our messages (STOP at Twilio)
    # A permanent fault of the number on this channel (domain/people/number_checks.py):
    # "no_number" it does not exist or cannot be reached; "no_sms" it takes no texts.
    number: str | None = None


_P, _T = ErrorOutcome.PERMANENT, ErrorOutcome.TRANSIENT
# The number problems. 30003 (handset unreachable: off, no coverage) is not one: it
# passes when the phone is on again. 21408 and 21612 are about our own account.
NO_NUMBER, NO_SMS = "no_number", "no_sms"
CODES: Mapping[int, TwilioCode] = {
    13223: TwilioCode("numero ei kelpaa puheluun", _P, GATEWAY_ERROR, number=NO_NUMBER),
    13224: TwilioCode("numero ei kelpaa puheluun", _P, GATEWAY_ERROR, number=NO_NUMBER),
    20003: TwilioCode("tunnistautuminen Twilioon epäonnistui (tarkista tunnukset)", _P,
                      GATEWAY_ERROR),
    20429: TwilioCode("liikaa pyyntöjä, yritetään myöhemmin", _T),
    21211: TwilioCode("numero ei kelpaa", _P, "invalid_number", number=NO_NUMBER),
    21214: TwilioCode("numeroon ei saada yhteyttä", _P, "invalid_number", number=NO_NUMBER),
    21215: TwilioCode("puhelut tähän maahan eivät ole sallittuja (Twilion maa-asetukset)", _P,
                      GATEWAY_ERROR),
    21217: TwilioCode("numero ei kelpaa", _P, GATEWAY_ERROR),
    21408: TwilioCode("lähetys tähän maahan ei ole sallittu", _P, GATEWAY_ERROR),
    21606: TwilioCode("lähettäjän numero ei voi lähettää tekstiviestejä (tarkista "
                      "Twilio-numero)", _P, GATEWAY_ERROR),
    21610: TwilioCode("vastaanottaja on estänyt viestit (STOP)", _P, "unsubscribed",
                      opted_out=True),
    21611: TwilioCode("lähetysjono on täynnä, yritetään myöhemmin", _T),
    21612: TwilioCode("numeroon ei voi lähettää tältä numerolta", _P, GATEWAY_ERROR),
    21614: TwilioCode("numero ei ole matkapuhelin: tekstiviesti ei mene perille, käytä "
                      "puhelua", _P, "not_a_mobile", number=NO_SMS),
    30001: TwilioCode("lähetysjono on täynnä, yritetään myöhemmin", _T),
    30002: TwilioCode("tili on suljettu", _P, GATEWAY_ERROR),
    30003: TwilioCode("puhelin ei ole tavoitettavissa (pois päältä tai kuuluvuusalueen "
                      "ulkopuolella)"),
    30004: TwilioCode("vastaanottaja on estänyt viestit", _P, GATEWAY_ERROR),
    30005: TwilioCode("numeroa ei ole olemassa", _P, "invalid_number", number=NO_NUMBER),
    30006: TwilioCode("numero on lankapuhelin tai ei ota vastaan tekstiviestejä: käytä "
                      "puhelua", _P, "not_a_mobile", number=NO_SMS),
    30007: TwilioCode("operaattori suodatti viestin"),
    30008: TwilioCode("tuntematon virhe operaattorilla"),
    30036: TwilioCode("viesti vanheni jonossa ennen lähetystä"),
}


def explain_error(code: int | None) -> str:
    if code is None:
        return "tuntematon virhe"
    known = CODES.get(code)
    return known.words if known is not None else f"virhekoodi {code}"


def is_permanent(code: int | None) -> bool:
    """A code that no retry can get past (its own outcome, not the HTTP status's)."""
    known = CODES.get(code) if code is not None else None
    return known is not None and known.outcome is ErrorOutcome.PERMANENT


def opts_out(code: int | None) -> bool:
    """The recipient has blocked our messages: they must be treated as opted out."""
    known = CODES.get(code) if code is not None else None
    return known is not None and known.opted_out


def number_problem(code: int | None) -> str | None:
    """What a permanent error says about the number itself (NO_NUMBER, NO_SMS), if anything."""
    known = CODES.get(code) if code is not None else None
    return known.number if known is not None else None


def reminder_reason(code: int | None) -> str:
    """Why a reminder stopped by a permanent error failed (a REASONS key)."""
    known = CODES.get(code) if code is not None else None
    return (known.reason if known is not None else None) or GATEWAY_ERROR


def classify(code: int | None, http_status: int | None) -> ErrorOutcome:
    """Permanent or transient, for an error Twilio answered with.

    Known codes decide first. Otherwise 429 and 5xx mean Twilio did not process the
    request; any other 4xx means it refused this request, and the same request again
    would be refused the same way.
    """
    known = CODES.get(code) if code is not None else None
    if known is not None and known.outcome is not None:
        return known.outcome
    if http_status is not None and (http_status == 429 or http_status >= 500):
        return ErrorOutcome.TRANSIENT
    return ErrorOutcome.PERMANENT


def describe(code: int | None, http_status: int | None) -> str:
    """Finnish words for the worker; Twilio's own message may contain the phone number."""
    if code is not None:
        return explain_error(code)
    if http_status is not None and http_status >= 500:
        return f"Twilio ei vastannut oikein (HTTP {http_status}), yritetään myöhemmin"
    if http_status == 429:
        return explain_error(20429)
    return f"Twilio hylkäsi pyynnön (HTTP {http_status})" if http_status else "tuntematon virhe"
