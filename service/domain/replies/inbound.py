"""A client's answer: record it, understand it, act on it, and put it before the worker.

Free text is never dropped: whatever the intent, the reply is stored and shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.events import event_states
from service.domain.inbox import holds
from service.domain.messages.outbound import new_outbound_message
from service.domain.people import trusted_persons as trusted
from service.domain.phones import PhoneError, mask_phone, parse_phone
from service.domain.planning.answers import apply_answer, drop_answered
from service.domain.privacy.audit import record as record_audit
from service.domain.replies.asked import read_answer
from service.domain.replies.from_trusted_person import record_trusted_reply
from service.domain.replies.reading import Intent, Question, Reading, read_reply
from service.domain.replies.reply_rows import insert_row, touch_client
from service.domain.replies.sender_lookup import look_up_sender
from service.domain.teams.cover import Route, Whereabouts, local_day, place, route
from service.domain.teams.setup import first_team_id
from service.domain.texts.rendering import CALL_STOP_KEY, render_text
from service.store.models import (
    Client,
    Event,
    InboxItem,
    Message,
    Reminder,
    Team,
    TrustedPerson,
)
from service.store.states import Direction, EventKind, EventState, InboxKind, MessageStatus

log = logging.getLogger(__name__)

KIND_BY_INTENT = {Intent.CALLBACK: InboxKind.CALLBACK, Intent.STOP: InboxKind.STOP,
                  Intent.START: InboxKind.START}
SUMMARY = {
    Intent.CONFIRM: "Asiakas vahvisti.",
    Intent.DECLINE: "Asiakas ei pääse / vastasi ei.",
    Intent.CALLBACK: "Asiakas pyytää soittamaan.",
    Intent.STOP: "Asiakas kieltäytyi viesteistä (LOPETA).",
    Intent.START: "Asiakas haluaa taas viestejä (ALOITA).",
    Intent.UNKNOWN: "Epäselvä vastaus: lue viesti.",
}


# Keys of a reminder call that act beyond what read_key reads (web/twilio/voice_hooks.py):
# 2 "I can't come, or call me" declines AND asks for a call; 3 (pressed twice) stops calls.
KEY_DECLINE_CALLBACK = "2"
KEY_STOP_CALLS = CALL_STOP_KEY  # offered in every call to the client (texts/rendering.py)
# A confirm after a decline: the reminders the decline skipped were planned again.
RESTORED = ("Asiakas vahvisti: pääseekin tulemaan. Jäljellä olevat muistutukset "
            "palautettiin.")
KEY_SUMMARY = {
    KEY_DECLINE_CALLBACK: "Asiakas ei pääse tai pyytää soittamaan (näppäin 2 puhelussa). "
                          "Soita hänelle.",
    KEY_STOP_CALLS: "Asiakas lopetti muistutussoitot puhelussa (näppäin 3). "
                    "Sovi hänen kanssaan, miten häntä muistutetaan.",
}


@dataclass(frozen=True)
class ReplyOutcome:
    message_id: int
    inbox_item_id: int | None
    intent: str
    client_id: int | None
    event_id: int | None
    duplicate: bool = False


def _summary(intent: Intent, channel: str, digits: str | None, restored: int = 0) -> str:
    """The inbox item's words: a call's keys that act beyond the intent say so, and so
    does a confirm that brought back the reminders a decline had skipped."""
    if channel == "voice" and digits in KEY_SUMMARY:
        return KEY_SUMMARY[digits]
    return RESTORED if restored else SUMMARY[intent]


@lru_cache(maxsize=4096)  # pure; parsing a number is a tenth of a reply's CPU
def normalise_sender(raw: str) -> str:
    try:
        return parse_phone(raw).e164
    except PhoneError:
        return raw.strip()[:20]


@dataclass(frozen=True)
class Texted:
    """The number an inbound text or call was sent to (Twilio's To), the messaging
    service it came through (MessagingServiceSid, if any) and the installation's own
    number (which every team without a sender of its own sends from)."""

    to: str = ""
    via: str = ""
    installation: str = ""

    def team_rule(self) -> ColumnElement[bool]:
        """A team reached through this number: its sender, its phone, or (a team with no
        sender of its own) the installation's number."""
        numbers = [n for n in (self.to, self.via) if n]
        if not numbers:
            return false()
        rule = or_(Team.sender.in_(numbers), Team.phone.in_(numbers))
        if self.installation and self.installation in numbers:
            rule = or_(rule, Team.sender.is_(None))
        return rule


def find_client(session: Session, phone: str, texted: Texted | None = None) -> Client | None:
    """The client behind a number. A number that is a client in two teams is the client
    of the team whose number was texted (`texted`; one statement either way); on a phone
    shared within a team, the one we last wrote to."""
    rows = session.execute(select(Client, (texted or Texted()).team_rule().label("texted"))
                           .join(Team, Team.id == Client.team_id)
                           .where(Client.phone == phone, Client.anonymised_at.is_(None))).all()
    return pick_client(session, phone, [(c, bool(hit)) for c, hit in rows])


def pick_client(session: Session, phone: str, rows: list[tuple[Client, bool]]) -> Client | None:
    """Of the clients behind a number (each with whether their team's number was texted),
    the one a reply is from: the texted team's, and on a shared phone the one we last
    wrote to, else the one last active."""
    candidates: list[Client] = [c for c, hit in rows if hit] or [c for c, _ in rows]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    ids = [c.id for c in candidates]
    latest = session.scalars(select(Message).where(
        Message.direction == Direction.OUT, Message.client_id.in_(ids),
        Message.to_number == phone)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)).first()
    if latest is not None:
        return next(c for c in candidates if c.id == latest.client_id)
    return max(candidates, key=lambda c: c.last_activity_at)


@dataclass(frozen=True)
class Answered:
    """Who answered and what: the client, the event and reminder the answer is about,
    and (asked_known) what the last text to the number asked, if read with them."""

    client: Client | None
    event: Event | None = None
    reminder: Reminder | None = None
    asked: Question | None = None
    asked_known: bool = False
    desk: Whereabouts | None = None  # the client's worker today, if read with them


def answered(session: Session, phone: str, texted: Texted, reminder: Reminder | None,
             now: datetime) -> Answered:
    """A call's reminder answers for itself; a text's sender and what it answers are read
    in one statement (sender_lookup; a stored text's path)."""
    if reminder is not None:
        return Answered(reminder.client, reminder.event, reminder)
    found = look_up_sender(session, phone, local_day(now), to=texted.to, via=texted.via,
                           installation=texted.installation)
    picked = pick_client(session, phone, [(c.client, c.texted) for c in found.candidates])
    chosen = next((c for c in found.candidates if c.client is picked), None)
    if chosen is None:
        return Answered(None)
    return Answered(chosen.client, chosen.event, chosen.reminder, found.question, True,
                    chosen.desk)


def team_texted(session: Session, texted: Texted) -> int | None:
    """The team whose number a stranger texted or called (None: the first team's inbox)."""
    return session.scalar(select(Team.id).where(texted.team_rule(), Team.active)
                          .order_by(Team.sender.is_(None), Team.id).limit(1))


def stranger_route(session: Session, texted: Texted) -> Route:
    """A text from a number no client has: the team inbox of the number texted."""
    return Route(None, team_texted(session, texted) or first_team_id(session))


def apply_intent(session: Session, rt: DomainContext, client: Client, event: Event | None,
                 reminder: Reminder | None, intent: Intent, now: datetime) -> int:
    """What an answer changes: the appointment's state, the client's opt-out; how many
    reminders a confirm after a decline planned again."""
    if intent is Intent.STOP and not client.opted_out:
        client.opted_out, client.opted_out_at = True, now
        queue_text(session, rt, client, "opted_out", now)
        log.info("client %s opted out", client.id)
    elif intent is Intent.START and client.opted_out:
        client.opted_out, client.opted_out_at = False, None
        queue_text(session, rt, client, "opted_in", now)
    if event is None or event.state == EventState.CANCELLED:
        return 0
    answer = _answered_state(event, reminder, intent)
    # An answer is the client's word: one the event cannot take (to an appointment
    # already held) changes nothing, and the worker still reads it.
    if answer is None or not event_states.can_move(event, answer):
        return 0
    was = event.state
    event_states.move(event, answer, now)
    if answer is EventState.DECIDED:
        event.decided_at = now
    return apply_answer(session, rt, event, was, now).restored


def _answered_state(event: Event, reminder: Reminder | None, intent: Intent
                    ) -> EventState | None:
    """The state an answer puts the event in: confirmed or declined for an appointment,
    decided for a "yes" to the question whether an application's decision came."""
    if event.kind == EventKind.APPOINTMENT and intent in (Intent.CONFIRM, Intent.DECLINE):
        return EventState.CONFIRMED if intent is Intent.CONFIRM else EventState.DECLINED
    if event.kind == EventKind.APPLICATION and reminder is not None \
            and reminder.template == "decision_followup" and intent is Intent.CONFIRM:
        return EventState.DECIDED
    return None


def queue_text(session: Session, rt: DomainContext, client: Client, template: str, now: datetime,
               event: Event | None = None) -> Message | None:
    """Queue a short system text (opt-out confirmation); the dispatch pass sends it."""
    rt = rt.for_team(client.team_id)  # the client's team's name and sender
    if client.number_type != "mobile" or not rt.templates.has("sms", template):
        return None
    body = render_text(rt.templates, "sms", template, client.language,
                       event or Event(kind=EventKind.APPOINTMENT), rt.sender)
    message = new_outbound_message(channel="sms", to=client.phone, body=body,
                                   from_number=rt.from_number, gateway=rt.gateway_name,
                                   status=MessageStatus.QUEUED, now=now, client_id=client.id)
    session.add(message)
    return message


def act_on_key(session: Session, rt: DomainContext, client: Client, event: Event | None,
               digits: str | None, now: datetime) -> None:
    """Key 2 in a call declines as well as asking for a call: the remaining automated
    calls and texts of that event stop; the worker gets the call-back item."""
    if digits != KEY_DECLINE_CALLBACK or event is None \
            or event.kind != EventKind.APPOINTMENT or event.state == EventState.CANCELLED:
        return
    if event_states.can_move(event, EventState.DECLINED):
        event_states.move(event, EventState.DECLINED, now)
        drop_answered(session, rt, event, now)


KEY_STOP_REASON = "Asiakas lopetti muistutussoitot itse puhelussa (näppäin 3 kahdesti)."


def stopped_by_key(session: Session, client: Client, now: datetime) -> None:
    """Key 3 pressed twice in a call: the client stopped the calls themselves. The reason
    is kept where a worker's recorded one is (the client page shows why), and audited as
    the service's change (no worker made it)."""
    client.opt_reason, client.updated_at = KEY_STOP_REASON, now
    record_audit(session, None, "update", "client", client.id,
                 "opted_out: asiakas lopetti soitot näppäimellä", at=now)


def reading_columns(reading: Reading) -> dict[str, str | None]:
    """The reading as the message row keeps it (written with the row's INSERT, so
    storing a reply costs no second statement)."""
    return {"reading_reason": reading.reason[:300],
            "reading_question": reading.question.value if reading.question else None,
            "reading_language": (reading.language or "")[:5] or None}


def note_reading(message: Message, item: InboxItem, reading: Reading, *,
                 holds_event: bool) -> None:
    """Keep why the reply was read so (the inbox shows it, a correction is compared with
    it); a client's reply that was not certain holds its event's automated contact
    until a worker handles the item (domain/inbox/holds.py)."""
    for column, value in reading_columns(reading).items():
        setattr(message, column, value)
    if holds_event and not reading.certain and item.event_id is not None:
        item.holds = True
        item.summary = holds.MESSAGES[holds.HELD]


def _reading(session: Session, phone: str, body: str, digits: str | None,
             speaker: Client | TrustedPerson | None, intent: Intent | None,
             about: Answered) -> Reading:
    """How the reply reads; an intent the call itself made certain (3 pressed twice to
    stop the calls) is taken as it is. What was asked is read with the sender when it
    could be (a client's text), else asked here."""
    if intent is not None:
        return Reading(intent, True, f"näppäin {digits or '-'} (vahvistettu)", Question.CALL)
    language = speaker.language if speaker else None
    if digits is None and about.asked_known and speaker is about.client:
        return read_reply(body, language, about.asked)
    return read_answer(session, phone=phone, body=body, digits=digits, language=language)


def _trusted_sender(session: Session, phone: str, reminder: Reminder | None,
                    client: Client | None, texted: Texted) -> TrustedPerson | None:
    if reminder is not None:
        return reminder.trusted_person if reminder.recipient == "trusted" else None
    return trusted.find_by_phone(session, phone, texted.team_rule()) if client is None else None


def _new_item(session: Session, message: Message, client: Client | None,
              reminder: Reminder | None, intent: Intent, summary: str, texted: Texted,
              now: datetime, desk: Whereabouts | None = None) -> InboxItem:
    """The reply's inbox item: with the client's worker or whoever covers for them; from
    a number no client has, in the team inbox of the number texted."""
    if client is None:
        log.info("reply from an unknown number %s to the team inbox",
                 mask_phone(message.from_number))
        return place(session, InboxItem(message_id=message.id, kind=InboxKind.UNKNOWN_SENDER,
                                        intent=intent.value, created_at=now,
                                        summary="Viesti tuntemattomasta numerosta."),
                     stranger_route(session, texted), now)
    return place(session, InboxItem(
        client_id=client.id, event_id=message.event_id, message_id=message.id,
        reminder_id=reminder.id if reminder else None,
        kind=KIND_BY_INTENT.get(intent, InboxKind.REPLY), intent=intent.value,
        summary=summary, created_at=now), route(session, client, now, desk), now,
        desk.team_hours if desk else None)


def record_reply(session: Session, rt: DomainContext, *, sender: str, to: str, body: str,
                 sid: str, now: datetime, channel: str = "sms", digits: str | None = None,
                 reminder: Reminder | None = None, intent: Intent | None = None,
                 sid_unique_at_commit: bool = False, via: str = "") -> ReplyOutcome:
    """Store and act on one inbound answer; the same gateway sid twice is stored once.

    The sender is found by their number and the number they wrote to (`to`, and the
    messaging service `via`): the client of the team whose number was texted, or for a
    stranger that team's inbox.
    A caller that handles the unique sid's violation itself (sms_hooks.record_once)
    passes sid_unique_at_commit: a first delivery (nearly every one) then costs no
    look-up, and a retry is rolled back at the INSERT instead of answered here."""
    existing = None if sid_unique_at_commit else session.scalars(
        select(Message).where(Message.gateway_sid == sid)).first()
    if existing is not None:
        return ReplyOutcome(existing.id, None, existing.intent or "unknown", existing.client_id,
                            existing.event_id, duplicate=True)
    phone = normalise_sender(sender)
    texted = Texted(to=to, via=via, installation=rt.for_team(None).from_number)
    about = answered(session, phone, texted, reminder, now)
    client, event = about.client, about.event
    person = _trusted_sender(session, phone, reminder, client, texted)  # (the call's reminder)
    reminder = about.reminder
    speaker = person or client  # read in their language, against what we last sent them
    reading = _reading(session, phone, body, digits, speaker, intent, about)
    intent = reading.intent
    if person is not None:  # a trusted person answered: their own STOP, the rest to the worker
        message, item = record_trusted_reply(session, rt, person, intent=intent, body=body,
                                             to=to, sid=sid, channel=channel,
                                             reminder=reminder, now=now)
        note_reading(message, item, reading, holds_event=False)
        return ReplyOutcome(message.id, item.id, intent.value, message.client_id,
                            message.event_id)
    message = Message(direction=Direction.IN, channel=channel,
                      client_id=client.id if client else None,
                      reminder_id=reminder.id if reminder else None,
                      event_id=event.id if event else None, to_number=to[:20],
                      from_number=phone, body=body, intent=intent.value,
                      gateway=rt.gateway_name, gateway_sid=sid, status=MessageStatus.RECEIVED,
                      created_at=now, updated_at=now, **reading_columns(reading))
    insert_row(session, message)  # plain INSERTs, not the ORM's flush (reply_rows.py)
    restored = 0
    if client is not None:
        touch_client(session, client, now)
        restored = apply_intent(session, rt, client, event, reminder, intent, now)
        act_on_key(session, rt, client, event, digits, now)  # (digits: only in calls)
    item = _new_item(session, message, client, reminder, intent,
                     _summary(intent, channel, digits, restored), texted, now, about.desk)
    note_reading(message, item, reading, holds_event=client is not None)
    insert_row(session, item)
    return ReplyOutcome(message.id, item.id, intent.value, client.id if client else None,
                        event.id if event else None)
