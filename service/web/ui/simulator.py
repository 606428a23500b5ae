"""The phone simulator (development gateway only): what a client's basic phone received,
and answering it by text or by keys, through the same signed webhooks Twilio calls.

Each answer is signed server-side with the configured webhook token for the public URL
and handed to the real /twilio/sms and /twilio/voice/<token>[/gather] endpoints inside
this process, so the signature check, reply understanding and inbox are all the real ones.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import or_, select
from twilio.request_validator import RequestValidator

from service.domain.teams import access
from service.scheduling.text_reading import read_waiting
from service.store.models import Client, Message
from service.store.states import Direction, MessageStatus
from service.web.context import db, runtime
from service.web.ui.security import current_worker

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
ACCOUNT_SID = "AC" + "0" * 32


@dataclass(frozen=True)
class CallScreen:
    """What the simulated phone shows during a call: the words heard, and the keypad."""

    message_id: int
    lines: list[str]
    keypad: bool
    step: str = "gather"  # which webhook the next key goes to (voice_hooks: gather, stop)


STEPS = ("gather", "stop")


def gather_step(twiml: bytes) -> str:
    """Where the TwiML sends the next key: the menu, or the question whether to stop calls."""
    gather = ET.fromstring(twiml).find(".//Gather")
    action = gather.get("action", "") if gather is not None else ""
    return action.rsplit("/", 1)[-1] if action.rsplit("/", 1)[-1] in STEPS else "gather"


@bp.before_request
def _development_only() -> None:
    if runtime().config.gateway_kind != "development":
        abort(404)


def post_signed(path: str, params: dict[str, str]) -> tuple[int, bytes]:
    """POST to our own webhook exactly as Twilio would: form data plus X-Twilio-Signature."""
    rt = runtime()
    signature = RequestValidator(rt.config.webhook_auth_token).compute_signature(
        rt.public_url(path), params)
    db().commit()  # the webhook writes in its own session; hold no transaction meanwhile
    response = current_app.test_client(use_cookies=False).post(
        path, data=params, headers={"X-Twilio-Signature": signature})
    return response.status_code, response.get_data()


def spoken_lines(twiml: bytes) -> tuple[list[str], bool]:
    """The sentences a TwiML document says, and whether it waits for a key."""
    root = ET.fromstring(twiml)
    lines: list[str] = []
    for say in root.iter("Say"):
        sentences = [" ".join("".join(s.itertext()).split()) for s in say.iter("s")]
        lines.extend(s for s in sentences if s)
        spoken = (say.text or "").strip()
        if not sentences and spoken:
            lines.append(spoken)
    return lines, root.find(".//Gather") is not None


def _our_number() -> str:
    return runtime().config.twilio.from_number or "+358000000000"


def shown_sender() -> str:
    """The number the phone shows as the sender: the team's own (which the client can
    call back), not the development gateway's placeholder."""
    config = runtime().config
    return config.twilio.from_number or config.team_phone or _our_number()


def _client(client_id: int) -> Client:
    client = access.client_for(db(), current_worker(), client_id)
    if client is None or client.anonymised_at is not None:
        abort(404)
    return client


def _screen(client: Client, call: CallScreen | None = None) -> ResponseReturnValue:
    messages = list(db().scalars(select(Message).where(or_(
        (Message.direction == Direction.OUT) & (Message.to_number == client.phone),
        (Message.direction == Direction.IN) & (Message.from_number == client.phone)))
        .order_by(Message.created_at, Message.id)))
    return render_template("simulator/phone.html", client=client, messages=messages,
                           call=call, keys=KEYS, our_number=shown_sender(),
                           team_name=runtime().config.team_name)


@bp.get("")
def index() -> ResponseReturnValue:
    clients = list(db().scalars(select(Client).where(
        Client.anonymised_at.is_(None), access.clients_rule(current_worker()))
        .order_by(Client.name)))
    return render_template("simulator/index.html", clients=clients)


@bp.get("/<id:client_id>")
def phone(client_id: int) -> ResponseReturnValue:
    return _screen(_client(client_id))


@bp.post("/<id:client_id>/sms")
def send_sms(client_id: int) -> ResponseReturnValue:
    client = _client(client_id)
    body = request.form.get("body", "")
    if not body.strip():
        flash(_("Kirjoita viesti ennen lähettämistä."), "error")
        return redirect(url_for("simulator.phone", client_id=client.id))
    status, _data = post_signed("/twilio/sms", {
        "MessageSid": "SM" + secrets.token_hex(16), "AccountSid": ACCOUNT_SID,
        "From": client.phone, "To": _our_number(), "Body": body, "NumMedia": "0"})
    if status == 200:
        # The worker reads stored texts (scheduling/text_reading.py); the demo's runs in
        # this process, but the page shows the answer at once if it is read here.
        read_waiting(runtime())
        flash(_("Viesti lähetetty palvelulle."), "success")
    else:
        flash(_("Palvelu ei ottanut viestiä vastaan (HTTP %(s)s).", s=status), "error")
    return redirect(url_for("simulator.phone", client_id=client.id))


def _call(client: Client, message_id: int) -> Message:
    message = access.message_for(db(), current_worker(), message_id)
    if (message is None or message.channel != "voice" or message.direction != Direction.OUT
            or message.to_number != client.phone or not message.callback_token):
        abort(404)
    return message


def _call_params(message: Message) -> dict[str, str]:
    return {"CallSid": message.gateway_sid or "CA" + "0" * 32, "AccountSid": ACCOUNT_SID,
            "From": message.from_number or _our_number(), "To": message.to_number,
            "CallStatus": MessageStatus.IN_PROGRESS, "Direction": "outbound-api"}


@bp.post("/<id:client_id>/answer/<id:message_id>")
def answer(client_id: int, message_id: int) -> ResponseReturnValue:
    """Pick up a reminder call: fetch its script from the voice webhook, as Twilio does."""
    client = _client(client_id)
    message = _call(client, message_id)
    status, data = post_signed(f"/twilio/voice/{message.callback_token}",
                               _call_params(message))
    if status != 200:
        abort(502)
    lines, keypad = spoken_lines(data)
    return _screen(client, CallScreen(message.id, lines, keypad, gather_step(data)))


@bp.post("/<id:client_id>/key/<id:message_id>")
def key(client_id: int, message_id: int) -> ResponseReturnValue:
    client = _client(client_id)
    message = _call(client, message_id)
    digit = request.form.get("digit", "")
    if digit not in KEYS:
        abort(400)
    step = request.form.get("step", "gather")
    status, data = post_signed(
        f"/twilio/voice/{message.callback_token}/{step if step in STEPS else 'gather'}",
        {**_call_params(message), "Digits": digit})
    if status != 200:
        abort(502)
    lines, keypad = spoken_lines(data)
    return _screen(client, CallScreen(message.id, lines, keypad, gather_step(data)))
