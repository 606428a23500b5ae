"""The live check behind every text a worker writes, and the same check on the server.

The browser asks /texts/check while the worker types (rinnalla.js, progressive
enhancement); every form that sends a text calls `checked_text` on submit, so the
server's answer is the one that counts: a link is refused with the reason, and a
character that forces UCS-2 is named with what it costs.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.domain.errors import ValidationError
from service.domain.messages.outbound import MAX_SEGMENTS, check_text
from service.domain.texts.worker_texts import MESSAGES, TextCheck, char_name, inspect_text

bp = Blueprint("texts", __name__, url_prefix="/texts")


def _say(key: str, **values: object) -> str:
    """One of the domain's MESSAGES in the worker's language, filled in."""
    return str(_(MESSAGES[key], **values))


def count_line(check: TextCheck) -> str:
    info = check.info
    return _say("count", length=info.length, segments=info.segments, encoding=info.encoding)


def ucs2_warning(check: TextCheck) -> str | None:
    """The characters that force UCS-2, named, or None when the text is plain GSM-7."""
    if not check.info.non_gsm_chars:
        return None
    return _say("ucs2", chars=", ".join(char_name(c) for c in check.info.non_gsm_chars))


def link_error(check: TextCheck) -> str | None:
    return _say("link", link=check.links[0]) if check.links else None


def feedback(body: str) -> dict[str, object]:
    """What the form shows under a text while it is typed."""
    check = inspect_text(body)
    too_long = check.info.segments > MAX_SEGMENTS
    return {"count": count_line(check), "segments": check.info.segments,
            "encoding": check.info.encoding, "chars": list(check.info.non_gsm_chars),
            "links": list(check.links), "warning": ucs2_warning(check),
            "error": link_error(check) or (_("Viesti on liian pitkä: enintään %(n)s "
                                             "tekstiviestiä.", n=MAX_SEGMENTS)
                                           if too_long else None)}


def checked_text(body: str, field: str = "body") -> tuple[str, str | None]:
    """The text as it will be sent and its UCS-2 warning; ValidationError (in the
    worker's language) for a link, an empty or an over-long text."""
    check = inspect_text(body)
    error = link_error(check)
    if error:
        raise ValidationError({field: error})
    return check_text(body, field), ucs2_warning(check)


@bp.post("/check")
def check() -> ResponseReturnValue:
    """POST keeps the text out of URLs and logs."""
    return jsonify(feedback(request.form.get("body", "")))
