"""Voice webhooks: the TwiML a reminder call speaks, the key the client presses, calls to us.

/twilio/voice/<token>         the reminder (round 1; ?round=2 is the one repeat after
                              silence), then goodbye
/twilio/voice/<token>/gather  1 confirms, 2 declines and asks for a call back (recorded
                              like a text reply), 3 asks whether to stop the calls (a
                              client's call only), 9 repeats, anything else: the menu again
/twilio/voice/<token>/stop    3 again: the client stopped the calls themselves (opted out,
                              audited, the worker told); anything else: goodbye
/twilio/voice/incoming        someone calls our number: put through to team.phone
Each answers from the database alone, well inside Twilio's 15-second limit.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.domain.messages.delivery import answered_by_person, heard
from service.domain.phones import PhoneError, mask_phone, parse_phone
from service.domain.replies.inbound import (
    KEY_STOP_CALLS,
    ReplyOutcome,
    Texted,
    find_client,
    normalise_sender,
    record_reply,
    stopped_by_key,
    team_texted,
)
from service.domain.replies.reading import Intent
from service.domain.texts.rendering import reader_for, render_text
from service.runtime import Runtime, TeamView
from service.store.models import Event, Message
from service.store.states import Direction, EventKind, EventState
from service.web.context import db, runtime
from service.web.twilio import twiml as voice_twiml
from service.web.twilio.bounds import NUMBER_MAX, refuse_early, text_field
from service.web.twilio.signatures import twilio_signed
from service.web.twilio.sms_hooks import record_once

bp = Blueprint("twilio_voice", __name__, url_prefix="/twilio/voice")
bp.before_request(refuse_early)
log = logging.getLogger(__name__)

REPLY_KEYS = {"1": "call_thanks_confirm", "2": "call_thanks_callback"}
REPEAT_KEY = "9"
STOP_KEY = KEY_STOP_CALLS  # offered in every reminder call's menu to the client


def _xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _call_message(session: Session, token: str) -> Message | None:
    return session.scalars(select(Message).where(
        Message.callback_token == token, Message.direction == Direction.OUT,
        Message.channel == "voice")).first()


def _team_of(rt: Runtime, message: Message) -> TeamView:
    """The called client's team: the call speaks its name, numbers and prompts."""
    return rt.for_team(message.client.team_id if message.client is not None else None)


def _language(message: Message) -> str:
    reminder = message.reminder
    if reminder is not None and reminder.trusted_person is not None:
        return reminder.trusted_person.language
    return message.client.language if message.client is not None else "fi"


def _prompt(rt: TeamView, name: str, language: str) -> str:
    """A voice prompt the team edits (message_templates/voice/call_*.<lang>.txt)."""
    return render_text(rt.templates, "voice", name, language,
                       Event(kind=EventKind.APPOINTMENT), rt.sender)


def _reminder_text(rt: TeamView, message: Message, language: str) -> str:
    """What was rendered when the call was placed (rendered again if retention erased
    it); a call to the client offers the key that stops calls in its menu."""
    text = message.body or ""
    reminder = message.reminder
    if not text and reminder is not None:
        client_name = reminder.client.name if reminder.client is not None else ""
        text = render_text(rt.templates, "voice", reminder.template, language, reminder.event,
                           rt.sender, reader=reader_for(reminder.trusted_person, client_name))
    return text


def _client_call(message: Message) -> bool:
    """A reminder call to the client themselves (a trusted person's calls are theirs)."""
    reminder = message.reminder
    return reminder is not None and reminder.recipient == "client"


def _reminder_twiml(rt: TeamView, message: Message, token: str, last_round: bool) -> str:
    language = _language(message)
    speaker = voice_twiml.speaker_for(language, rt.config.twilio)
    return voice_twiml.reminder_call(
        speaker, _reminder_text(rt, message, language),
        gather_url=rt.public_url(f"/twilio/voice/{token}/gather"),
        no_key_url=None if last_round else rt.public_url(f"/twilio/voice/{token}?round=2"),
        goodbye=_prompt(rt, "call_goodbye", language))


def _cancelled(message: Message) -> bool:
    reminder = message.reminder
    return reminder is not None and reminder.event.state == EventState.CANCELLED


@bp.route("/<token:token>", methods=["GET", "POST"])
@twilio_signed
def speak(token: str) -> Response:
    """The reminder call's script; a machine or a cancelled event gets no message."""
    session = db()
    message = _call_message(session, token)
    if message is None or _cancelled(message):
        return _xml(voice_twiml.spoken_then_hang_up(None, ""))
    rt = _team_of(runtime(), message)
    answered_by = text_field("AnsweredBy", 30)
    if answered_by and not answered_by_person(answered_by):
        # Phones are shared and voicemail is played to others: leave no message.
        message.answered_by = answered_by
        session.commit()
        return _xml(voice_twiml.spoken_then_hang_up(None, ""))
    return _xml(_reminder_twiml(rt, message, token, request.args.get("round") == "2"))


@bp.post("/<token:token>/gather")
@twilio_signed
def gather(token: str) -> Response:
    """The key pressed: recorded once per CallSid and key, then a short acknowledgement."""
    session = db()
    message = _call_message(session, token)
    if message is None:
        return _xml(voice_twiml.spoken_then_hang_up(None, ""))
    rt = _team_of(runtime(), message)
    language = _language(message)
    speaker = voice_twiml.speaker_for(language, rt.config.twilio)
    digits = request.form.get("Digits", "").strip()
    if digits == REPEAT_KEY:
        return _xml(_reminder_twiml(rt, message, token, last_round=False))
    if digits == STOP_KEY and _client_call(message):
        return _xml(voice_twiml.ask_again(speaker, _prompt(rt, "call_stop_confirm", language),
                                          gather_url=rt.public_url(f"/twilio/voice/{token}/stop"),
                                          goodbye=_prompt(rt, "call_goodbye", language)))
    if digits not in REPLY_KEYS:
        return _xml(voice_twiml.menu_again(
            speaker, _prompt(rt, "call_invalid_key", language),
            _reminder_text(rt, message, language),
            gather_url=rt.public_url(f"/twilio/voice/{token}/gather"),
            goodbye=_prompt(rt, "call_goodbye", language)))
    call_sid = request.form.get("CallSid", "")
    if call_sid:
        now = utcnow()

        def record() -> ReplyOutcome:
            outcome = record_reply(
                session, rt, sender=message.to_number, to=message.from_number,
                body=f"Näppäin {digits}", sid=f"{call_sid}:{digits}", now=now,
                channel="voice", digits=digits, reminder=message.reminder)
            if message.reminder is not None:
                heard(message.reminder, now)
            return outcome

        outcome = record_once(f"{call_sid}:{digits}", record)
        if outcome is not None and not outcome.duplicate:
            log.info("voice reply %s intent=%s", outcome.message_id, outcome.intent)
    return _xml(voice_twiml.spoken_then_hang_up(speaker, _prompt(rt, REPLY_KEYS[digits],
                                                                 language)))


@bp.post("/<token:token>/stop")
@twilio_signed
def stop(token: str) -> Response:
    """The client pressed 3 twice: they stop the calls. Recorded once per CallSid as a
    stop (opted out, the worker's item), audited, and the call says it is done."""
    session = db()
    message = _call_message(session, token)
    if message is None or not _client_call(message):
        return _xml(voice_twiml.spoken_then_hang_up(None, ""))
    rt = _team_of(runtime(), message)
    language = _language(message)
    speaker = voice_twiml.speaker_for(language, rt.config.twilio)
    call_sid = request.form.get("CallSid", "")
    if request.form.get("Digits", "").strip() != STOP_KEY or not call_sid:
        return _xml(voice_twiml.spoken_then_hang_up(speaker,
                                                    _prompt(rt, "call_goodbye", language)))
    now = utcnow()
    reminder = message.reminder
    assert reminder is not None

    def record() -> ReplyOutcome:
        outcome = record_reply(session, rt, sender=message.to_number, to=message.from_number,
                               body=f"Näppäin {STOP_KEY} kahdesti", sid=f"{call_sid}:stop",
                               now=now, channel="voice", digits=STOP_KEY, reminder=reminder,
                               intent=Intent.STOP)
        heard(reminder, now)
        if not outcome.duplicate:
            stopped_by_key(session, reminder.client, now)
        return outcome

    record_once(f"{call_sid}:stop", record)
    return _xml(voice_twiml.spoken_then_hang_up(speaker,
                                                _prompt(rt, "call_thanks_stopped", language)))


@bp.post("/incoming")
@twilio_signed
def incoming() -> Response:
    """A client calls back the number reminders come from: they reach the team whose
    number they called (their own team's, for a client of two teams)."""
    session = db()
    caller = normalise_sender(text_field("From", NUMBER_MAX))
    texted = Texted(to=text_field("To", NUMBER_MAX), installation=runtime().from_number)
    client = find_client(session, caller, texted) if caller else None
    language = client.language if client is not None else "fi"
    rt = runtime().for_team(client.team_id if client is not None
                            else team_texted(session, texted))
    try:
        team_phone = parse_phone(rt.sender.team_phone).e164 if rt.sender.team_phone else ""
    except PhoneError:
        team_phone = ""
    if not team_phone:
        log.warning("incoming call from %s: team.phone is not a number to put it through to",
                mask_phone(caller))
        return _xml(voice_twiml.spoken_then_hang_up(
            voice_twiml.speaker_for(language, rt.config.twilio),
            _prompt(rt, "call_goodbye", language)))
    return _xml(voice_twiml.connect_to_team(voice_twiml.speaker_for(language, rt.config.twilio),
                                            _prompt(rt, "call_incoming", language),
                                            team_phone))
