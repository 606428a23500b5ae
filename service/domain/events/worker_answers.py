"""The worker records the client's answer: they said it on the phone or at the desk.

Why: a client who tells the worker "en pääse" must stop getting that appointment's
reminders exactly as if they had texted it (domain/planning/answers.py), and one who
then says they come after all gets back the reminders still ahead. When someone other
than the client's own worker records it, the client's worker gets an item.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.errors import ValidationError
from service.domain.events import event_states
from service.domain.planning.answers import AnswerEffect, apply_answer
from service.domain.privacy.audit import record
from service.domain.teams.cover import place, route
from service.store.models import Event, InboxItem
from service.store.states import EventKind, EventState, InboxKind

__all__ = ["ANSWERS", "record_answer"]

# The answers a worker records are the event states they lead to.
ANSWERS = {state.value: state for state in (EventState.CONFIRMED, EventState.DECLINED)}
SUMMARY = {EventState.CONFIRMED: "Työntekijä kirjasi: asiakas vahvisti ajan.",
           EventState.DECLINED: "Työntekijä kirjasi: asiakas ei pääse."}
# A confirm after a decline: the reminders the decline skipped were planned again.
RESTORED = ("Työntekijä kirjasi: asiakas vahvisti ajan, vaikka oli ilmoittanut, ettei "
            "pääse. Jäljellä olevat muistutukset palautettiin.")


def record_answer(session: Session, rt: DomainContext, event: Event, answer: str,
                  worker_id: int, now: datetime) -> AnswerEffect:
    """Confirm or decline an appointment for the client; how many reminders it skipped
    (and, a confirm after a decline, planned again)."""
    new = ANSWERS.get(answer)
    if new is None or event.kind != EventKind.APPOINTMENT \
            or not event_states.can_move(event, new):
        raise ValidationError({"answer": "Vastausta ei voi kirjata tälle tapahtumalle."})
    was = event.state
    event_states.move(event, new, now)
    event.updated_at = now
    effect = apply_answer(session, rt, event, was, now)
    detail = f"answer: {answer}" + (f", restored: {effect.restored}" if effect.restored else "")
    record(session, worker_id, "update", "event", event.id, detail, at=now)
    where = route(session, event.client, now)
    if where.worker_id != worker_id and event.client.worker_id is not None:
        session.add(place(session, InboxItem(
            client_id=event.client_id, event_id=event.id, kind=InboxKind.REPLY,
            intent="confirm" if new is EventState.CONFIRMED else "decline",
            summary=RESTORED if effect.restored else SUMMARY[new], created_at=now),
            where, now))
    return effect
