"""Twilio's error codes in words a worker understands, and what each means for retrying."""

from __future__ import annotations

EXPLANATIONS: dict[int, str] = {
    21211: "numero ei kelpaa",
    21408: "lähetys tähän maahan ei ole sallittu",
    21610: "vastaanottaja on estänyt viestit (STOP)",
    21611: "lähetysjono on täynnä, yritetään myöhemmin",
    21612: "numeroon ei voi lähettää tältä numerolta",
    21614: "numero ei ole matkapuhelin: tekstiviesti ei mene perille, käytä puhelua",
    20003: "tunnistautuminen Twilioon epäonnistui (tarkista tunnukset)",
    20429: "liikaa pyyntöjä, yritetään myöhemmin",
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
PERMANENT = frozenset({21211, 21408, 21610, 21612, 21614, 30002, 30004, 30005, 30006, 20003})
TRANSIENT = frozenset({20429, 21611, 30001})


def explain_error(code: int | None) -> str:
    if code is None:
        return "tuntematon virhe"
    return EXPLANATIONS.get(code, f"virhekoodi {code}")
