"""Webhooks Twilio calls: inbound SMS and status callbacks. Every one is signature-checked."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.clock import utcnow
from service.domain.fields import INBOUND_BODY_MAX
from service.domain.messages.delivery import record_status
from service.domain.people.number_checks import number_failed
from service.domain.replies.inbound import ReplyOutcome
from service.domain.replies.received import is_waiting, keep_text
from service.store.models import Message
from service.web.context import db, runtime
from service.web.twilio.bounds import NUMBER_MAX, error_code, refuse_early, text_field
from service.web.twilio.signatures import twilio_signed

bp = Blueprint("twilio", __name__, url_prefix="/twilio")
bp.before_request(refuse_early)
log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twiml(body: str = EMPTY_TWIML) -> Response:
    return Response(body, mimetype="text/xml")


@bp.post("/sms")
@twilio_signed
def inbound_sms() -> Response:
    """Store the text as delivered and answer at once; the worker, woken by this commit,
    reads it (scheduling/text_reading.py) and sends nothing to the number meanwhile."""
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = text_field("From", NUMBER_MAX)
    if not sid or not sender:
        return twiml()  # nothing to record; answering 200 stops Twilio retrying
    session = db()
    try:
        keep_text(session, sid=sid, sender=sender, to=text_field("To", NUMBER_MAX),
                  via=text_field("MessagingServiceSid", NUMBER_MAX),
                  body=text_field("Body", INBOUND_BODY_MAX), now=utcnow())
        session.commit()
    except IntegrityError:
        session.rollback()
        if not is_waiting(session, sid):
            raise  # some other constraint: a real error
        # Twilio delivered it twice and the first is waiting: it is read once
    return twiml()


def record_once(sid: str, record: Callable[[], ReplyOutcome]) -> ReplyOutcome | None:
    """Record and commit an inbound answer; None if a concurrent request with the same
    sid stored it first (Twilio retries, or sends twice at once): that one answers."""
    session = db()
    try:
        outcome = record()
        session.commit()
    except IntegrityError:
        session.rollback()
        if session.scalar(select(Message.id).where(Message.gateway_sid == sid)) is None:
            raise  # some other constraint: a real error
        return None
    return outcome


@bp.post("/status/<token:token>")
@twilio_signed
def status_callback(token: str) -> Response:
    """Message and call status; always 200 so Twilio does not retry forever."""
    session = db()
    message = session.scalars(select(Message).where(Message.callback_token == token)).first()
    if message is None:
        return twiml()
    form = request.form
    status = form.get("MessageStatus") or form.get("SmsStatus") or form.get("CallStatus") or ""
    record_status(session, runtime(), message, status=status.lower()[:20],
                  error_code=error_code(), answered_by=text_field("AnsweredBy", 30) or None,
                  sid=form.get("MessageSid") or form.get("CallSid"), now=utcnow(),
                  number_error=number_failed)
    session.commit()
    return twiml()
