"""What a webhook request may be, checked before any of it is parsed or stored.

Why: an unsigned 4.4 MB form kept a web worker busy for 8 s before its 403 (the whole
form was parsed, then the signature checked), and three at once stalled /healthz.
Twilio's own requests are a few kilobytes with a few dozen fields, so /twilio/* takes
at most MAX_BYTES and MAX_FIELDS, and a request without a signature is refused before
its body is read at all. Signed fields are bounded too: a sid must have Twilio's shape
(two letters and 32 hex digits; a 300-character one was a 500 on PostgreSQL), and free
text is made storable (service/domain/fields.py) and cut at Twilio's own limits.
"""

from __future__ import annotations

import re

from flask import abort, request

from service.domain.fields import inbound_text

MAX_BYTES = 64 * 1024  # a 1600-character Body of 4-byte characters, encoded, is ~20 kB
MAX_FIELDS = 100  # an inbound SMS has about 30, a call status about 25
SID_FIELDS = ("MessageSid", "SmsSid", "SmsMessageSid", "CallSid")
SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
NUMBER_MAX = 40  # From / To as Twilio sends them (E.164, or "client:..." for apps)


def refuse_early() -> None:
    """before_request of the webhook blueprints: no signature, too big, too many fields."""
    if not request.headers.get("X-Twilio-Signature"):
        abort(403)
    request.max_content_length = MAX_BYTES
    request.max_form_memory_size = MAX_BYTES
    request.max_form_parts = MAX_FIELDS
    if (request.content_length or 0) > MAX_BYTES:
        abort(413)
    if request.method != "POST":
        return
    if request.mimetype not in ("", "application/x-www-form-urlencoded"):
        abort(415)  # Twilio posts urlencoded forms; multipart would be parsed part by part
    body = request.get_data(cache=True)  # at most MAX_BYTES; the form is parsed from this
    if body.count(b"&") >= MAX_FIELDS:
        abort(413)


def sids_well_formed() -> bool:
    """Every sid the request carries has Twilio's shape (checked once it is signed)."""
    return all(SID.fullmatch(value) for name in SID_FIELDS
               for value in request.values.getlist(name) if value)


def text_field(name: str, limit: int) -> str:
    """A signed free-text field, without characters no database or page can hold, cut."""
    return inbound_text(request.values.get(name, ""), limit)


def error_code() -> int | None:
    """Twilio's ErrorCode: a number of a few ASCII digits, else nothing."""
    raw = request.values.get("ErrorCode", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None
