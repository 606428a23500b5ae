"""Webhooks Twilio calls: inbound SMS and status callbacks. Every one is signature-checked."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy import select

from service.clock import utcnow
from service.domain.messages.delivery import record_status
from service.domain.replies.inbound import record_reply
from service.store.models import Message
from service.web.context import db, runtime
from service.web.twilio.signatures import twilio_signed

bp = Blueprint("twilio", __name__, url_prefix="/twilio")
log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twiml(body: str = EMPTY_TWIML) -> Response:
    return Response(body, mimetype="text/xml")


@bp.post("/sms")
@twilio_signed
def inbound_sms() -> Response:
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not sid or not form.get("From"):
        return twiml()  # nothing to record; answering 200 stops Twilio retrying
    session = db()
    outcome = record_reply(session, runtime(), sender=form["From"], to=form.get("To", ""),
                           body=form.get("Body", ""), sid=sid, now=utcnow())
    session.commit()
    if not outcome.duplicate:
        log.info("inbound sms %s intent=%s", outcome.message_id, outcome.intent)
    return twiml()


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
    code = form.get("ErrorCode")
    record_status(session, runtime(), message, status=status.lower(),
                  error_code=int(code) if code and code.isdigit() else None,
                  answered_by=form.get("AnsweredBy"), sid=form.get("MessageSid")
                  or form.get("CallSid"), now=utcnow())
    session.commit()
    return twiml()
