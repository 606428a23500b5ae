"""Sending a worker's committed text at once, and telling the worker how it went."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from sqlalchemy import select

from service.clock import utcnow
from service.scheduling.adhoc_messages import send_message
from service.store.models import Message
from service.store.states import MessageStatus
from service.web.context import db, runtime

FAILED = frozenset({MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.UNKNOWN,
                    MessageStatus.CANCELED})


def send_now(message_id: int) -> str:
    """Send the queued message; returns "sent", "retrying" or "failed" (and flashes it)."""
    if send_message(runtime(), message_id, utcnow()):
        flash(_("Tekstiviesti on lähetetty."), "success")
        return "sent"
    db().expire_all()
    status = db().scalar(select(Message.status).where(Message.id == message_id))
    if status == MessageStatus.QUEUED:
        flash(_("Tekstiviesti ei lähtenyt heti; sitä yritetään pian uudelleen."), "warning")
        return "retrying"
    if status not in FAILED:  # the worker, woken by the commit, took it first
        flash(_("Tekstiviesti on lähetetty."), "success")
        return "sent"
    flash(_("Tekstiviestin lähetys epäonnistui. Soita asiakkaalle."), "error")
    return "failed"
