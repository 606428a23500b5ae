"""A trusted person's answer: their own STOP or START acts on them only, and every
answer goes to the client's worker; it never answers for the client."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.messages.outbound import new_outbound_message
from service.domain.phones import mask_phone
from service.domain.replies.reading import Intent
from service.domain.teams.cover import place, route
from service.domain.texts.rendering import render_text
from service.store.models import Event, InboxItem, Message, Reminder, TrustedPerson
from service.store.states import Direction, EventKind, InboxKind, MessageStatus

log = logging.getLogger(__name__)

REPLY_SUMMARY = {
    Intent.STOP: "Asiakkaan läheinen kieltäytyi viesteistä (LOPETA). Asiakkaan viestit jatkuvat.",
    Intent.START: "Asiakkaan läheinen haluaa taas viestejä (ALOITA).",
    Intent.CALLBACK: "Asiakkaan läheinen pyytää soittamaan.",
}
KIND_BY_INTENT = {Intent.STOP: InboxKind.STOP, Intent.START: InboxKind.START,
                  Intent.CALLBACK: InboxKind.CALLBACK}


def _queue(session: Session, rt: DomainContext, person: TrustedPerson, template: str,
           now: datetime) -> None:
    rt = rt.for_team(person.client.team_id)  # the client's team's name and sender
    if person.number_type != "mobile" or not rt.templates.has("sms", template):
        return
    body = render_text(rt.templates, "sms", template, person.language,
                       Event(kind=EventKind.APPOINTMENT), rt.sender)
    session.add(new_outbound_message(channel="sms", to=person.phone, body=body,
                                     from_number=rt.from_number, gateway=rt.gateway_name,
                                     status=MessageStatus.QUEUED, now=now,
                                     client_id=person.client_id))


def record_trusted_reply(session: Session, rt: DomainContext, person: TrustedPerson, *,
                         intent: Intent, body: str, to: str, sid: str, channel: str,
                         reminder: Reminder | None, now: datetime
                         ) -> tuple[Message, InboxItem]:
    """A trusted person answered: STOP/START act on them only; everything goes to the worker."""
    client = person.client
    if intent is Intent.STOP and not person.opted_out:
        person.opted_out, person.opted_out_at = True, now
        _queue(session, rt, person, "opted_out", now)
        log.info("trusted person %s of client %s opted out (%s)", person.id, client.id,
                 mask_phone(person.phone))
    elif intent is Intent.START and person.opted_out:
        person.opted_out, person.opted_out_at = False, None
        _queue(session, rt, person, "opted_in", now)
    message = Message(direction=Direction.IN, channel=channel, client_id=client.id,
                      reminder_id=reminder.id if reminder else None,
                      event_id=reminder.event_id if reminder else None, to_number=to[:20],
                      from_number=person.phone, body=body, intent=intent.value,
                      gateway=rt.gateway_name, gateway_sid=sid, status=MessageStatus.RECEIVED,
                      created_at=now, updated_at=now)
    session.add(message)
    session.flush()
    item = place(session, InboxItem(
        client_id=client.id, event_id=message.event_id, message_id=message.id,
        reminder_id=message.reminder_id, kind=KIND_BY_INTENT.get(intent, InboxKind.REPLY),
        intent=intent.value,
        summary=REPLY_SUMMARY.get(intent, "Vastaus asiakkaan läheiseltä: lue viesti."),
        created_at=now), route(session, client, now), now)
    session.add(item)
    session.flush()
    return message, item
