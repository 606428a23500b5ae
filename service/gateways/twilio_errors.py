"""Twilio's error codes in words a worker understands, and what each means for retrying.

Three outcomes, decided here and nowhere else:
- permanent: sending the same request again cannot help (a bad number, a landline
  for a text, a recipient who sent STOP, our own credentials);
- transient: Twilio did not take the request (rate limit, queue full, its own 5xx),
  so it is safe to try again later with backoff;
- uncertain: decided by the transport, not by a code (see service/gateways/twilio.py).
"""

from __future__ import annotations

EXPLANATIONS: dict[int, str] = {
    13223: "numero ei kelpaa puheluun",
    13224: "numero ei kelpaa puheluun",
    20003: "tunnistautuminen Twilioon epäonnistui (tarkista tunnukset)",
    20429: "liikaa pyyntöjä, yritetään myöhemmin",
    21211: "numero ei kelpaa",
    21215: "puhelut tähän maahan eivät ole sallittuja (Twilion maa-asetukset)",
    21217: "numero ei kelpaa",
    21408: "lähetys tähän maahan ei ole sallittu",
    21606: "lähettäjän numero ei voi lähettää tekstiviestejä (tarkista Twilio-numero)",
    21610: "vastaanottaja on estänyt viestit (STOP)",
    21611: "lähetysjono on täynnä, yritetään myöhemmin",
    21612: "numeroon ei voi lähettää tältä numerolta",
    21614: "numero ei ole matkapuhelin: tekstiviesti ei mene perille, käytä puhelua",
    30001: "lähetysjono on täynnä, yritetään myöhemmin",
    30002: "tili on suljettu",
    30003: "puhelin ei ole tavoitettavissa (pois päältä tai kuuluvuusalueen ulkopuolella)",
    30004: "vastaanottaja on estänyt viestit",
    30005: "numeroa ei ole olemassa",
    30006: "numero on lankapuhelin tai ei ota vastaan tekstiviestejä: käytä puhelua",
    30007: "operaattori suodatti viestin",
    30008: "tuntematon virhe operaattorilla",
    30036: "viesti vanheni jonossa ennen lähetystä",
}
PERMANENT = frozenset({13223, 13224, 20003, 21211, 21215, 21217, 21408, 21606, 21610, 21612,
                       21614, 30002, 30004, 30005, 30006})
TRANSIENT = frozenset({20429, 21611, 30001})

PERMANENT_OUTCOME = "permanent"
TRANSIENT_OUTCOME = "transient"


def explain_error(code: int | None) -> str:
    if code is None:
        return "tuntematon virhe"
    return EXPLANATIONS.get(code, f"virhekoodi {code}")


def classify(code: int | None, http_status: int | None) -> str:
    """Permanent or transient, for an error Twilio answered with.

    Known codes decide first. Otherwise 429 and 5xx mean Twilio did not process the
    request; any other 4xx means it refused this request, and the same request again
    would be refused the same way.
    """
    if code in TRANSIENT:
        return TRANSIENT_OUTCOME
    if code in PERMANENT:
        return PERMANENT_OUTCOME
    if http_status is not None and (http_status == 429 or http_status >= 500):
        return TRANSIENT_OUTCOME
    return PERMANENT_OUTCOME


def describe(code: int | None, http_status: int | None) -> str:
    """Finnish words for the worker; Twilio's own message may contain the phone number."""
    if code is not None:
        return explain_error(code)
    if http_status is not None and http_status >= 500:
        return f"Twilio ei vastannut oikein (HTTP {http_status}), yritetään myöhemmin"
    if http_status == 429:
        return explain_error(20429)
    return f"Twilio hylkäsi pyynnön (HTTP {http_status})" if http_status else "tuntematon virhe"
