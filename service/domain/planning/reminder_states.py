"""The reminder state machine (see the Reminder model's docstring)."""

from __future__ import annotations

from service.store.models import Reminder

PLANNED = "planned"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
FAILED = "failed"
CANCELLED = "cancelled"
SKIPPED = "skipped"
UNCERTAIN = "uncertain"

STATES = (PLANNED, SENDING, SENT, DELIVERED, FAILED, CANCELLED, SKIPPED, UNCERTAIN)
FINAL = frozenset({DELIVERED, FAILED, CANCELLED, SKIPPED})

TRANSITIONS: dict[str, frozenset[str]] = {
    PLANNED: frozenset({SENDING, CANCELLED, SKIPPED}),
    SENDING: frozenset({SENT, DELIVERED, FAILED, PLANNED, UNCERTAIN, SKIPPED, CANCELLED}),
    SENT: frozenset({DELIVERED, FAILED, PLANNED}),
    UNCERTAIN: frozenset({SENT, DELIVERED, FAILED, PLANNED}),
    DELIVERED: frozenset(),
    FAILED: frozenset(),
    CANCELLED: frozenset(),
    SKIPPED: frozenset(),
}

# Stable reason codes; the UI shows them in words.
REASONS = {
    "too_close_when_registered": "tapahtuma oli liian lähellä, kun se kirjattiin",
    "too_late": "liian myöhään: tapahtuma on jo alkanut tai alkamassa",
    "no_window_before_event": "ei sallittua lähetysaikaa ennen tapahtumaa",
    "opted_out": "asiakas on kieltäytynyt viesteistä",
    "event_cancelled": "tapahtuma peruttiin",
    "rescheduled": "tapahtuma siirrettiin",
    "already_answered": "asiakas on jo vastannut",
    "documents_in": "paperit on jo toimitettu",
    "decided": "päätös on jo tullut",
    "no_transport": "kuljetusta ei tarvita",
    "invalid_number": "numero ei kelpaa",
    "not_a_mobile": "numero ei ota vastaan tekstiviestejä",
    "unsubscribed": "asiakas on estänyt viestit operaattorilla",
    "gateway_error": "välityspalvelu ei ottanut viestiä vastaan",
    "not_answered": "puheluun ei vastattu",
    "undelivered": "viesti ei mennyt perille",
    "outcome_unknown": "ei tiedetä, lähtikö viesti",
    "nothing_to_bring": "mukaan otettavaa ei ole kirjattu",
    "consent_withdrawn": "asiakas perui läheisen suostumuksen",
    "ended_by_worker": "työntekijä lopetti viestit läheiselle",
    "trusted_opted_out": "läheinen on kieltäytynyt viesteistä",
}


class InvalidTransition(ValueError):
    pass


def can_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def move(reminder: Reminder, new: str, reason: str | None = None) -> None:
    """Change state only along the machine's edges; anything else is a bug."""
    if not can_move(reminder.state, new):
        raise InvalidTransition(f"reminder {reminder.id}: {reminder.state} -> {new}")
    reminder.state = new
    if reason is not None:
        reminder.reason = reason
