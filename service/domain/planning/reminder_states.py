"""The reminder state machine (drawn in the Reminder model's docstring): every change
of a reminder's state goes through move(), checked against REMINDER_TRANSITIONS."""

from __future__ import annotations

from service.store.models import Reminder
from service.store.states import (
    REMINDER_TRANSITIONS,
    InvalidTransition,
    ListenReason,
    ReminderState,
    check_move,
)
from service.store.states import can_move as _can_move

__all__ = ["CONTACT_CHANGED", "REASONS", "REPLACED_REASONS", "InvalidTransition", "can_move",
           "move"]

# The states by their old names here, for callers still written against them
# (scheduling/, which the `sched` branch converts to ReminderState).
PLANNED = ReminderState.PLANNED
SENDING = ReminderState.SENDING
SENT = ReminderState.SENT
DELIVERED = ReminderState.DELIVERED
FAILED = ReminderState.FAILED
CANCELLED = ReminderState.CANCELLED
SKIPPED = ReminderState.SKIPPED
UNCERTAIN = ReminderState.UNCERTAIN

# Stable reason codes; the UI shows them in words.
REASONS = {
    "too_close_when_registered": "tapahtuma oli liian lähellä, kun se kirjattiin",
    "too_late": "liian myöhään: tapahtuma on jo alkanut tai alkamassa",
    "no_window_before_event": "ei sallittua lähetysaikaa ennen tapahtumaa",
    "opted_out": "asiakas on kieltäytynyt viesteistä",
    "event_cancelled": "tapahtuma peruttiin",
    "rescheduled": "tapahtuma siirrettiin",
    "contact_changed": "asiakkaan yhteystiedot muuttuivat: tilalle tehtiin uusi muistutus",
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
    "delivered_after_all": "alkuperäinen viesti meni sittenkin perille",
    "held": "odottaa: asiakkaan epäselvä vastaus odottaa työntekijän päätöstä",
    ListenReason.SUPERSEDED: "myöhempi muistutus lähti samalla kertaa tämän sijaan",
    ListenReason.OFFSET_PASSED: "muistutuksen aika oli jo ohi, kun tapahtuma kirjattiin",
    ListenReason.DECLINED: "asiakas ilmoitti, ettei pääse",
    ListenReason.CONFIRMED: "asiakas vahvisti ajan",
    ListenReason.SMS_BLOCKED: "numeroon ei voi lähettää tekstiviestejä: tarkista numero",
    ListenReason.VOICE_BLOCKED: "numeroon ei voi soittaa: tarkista numero",
    ListenReason.CALLS_STOPPED: "asiakas lopetti soitot puhelun näppäimellä",
}
# A changed number, language or channel replaces the pending reminders.
CONTACT_CHANGED = "contact_changed"
# Cancelled only to be planned again: a new row took its place, so the plan view hides
# it unless asked ("näytä korvatut").
REPLACED_REASONS = frozenset({"rescheduled", CONTACT_CHANGED})



def can_move(current: str, new: ReminderState) -> bool:
    """Whether a reminder in `current` may go to `new` (for "if it still can" steps)."""
    return _can_move(REMINDER_TRANSITIONS, current, new)


def move(reminder: Reminder, new: ReminderState, reason: str | None = None) -> None:
    """Change state only along the machine's edges; anything else is a bug."""
    reminder.state = check_move(REMINDER_TRANSITIONS, f"reminder {reminder.id}",
                                reminder.state, new)
    if reason is not None:
        reminder.reason = reason
