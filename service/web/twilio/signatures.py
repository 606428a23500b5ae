"""Twilio webhook signatures, checked against the public URL Twilio called."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Request, abort, request
from twilio.request_validator import RequestValidator

from service.web.context import runtime
from service.web.twilio.bounds import sids_well_formed

F = TypeVar("F", bound=Callable[..., Any])


def public_url_of(req: Request, public_base_url: str) -> str:
    """The URL as Twilio saw it: behind a proxy our own host and scheme are not it."""
    query = req.query_string.decode("latin-1")
    return public_base_url.rstrip("/") + req.path + (f"?{query}" if query else "")


def is_valid(req: Request, auth_token: str, public_base_url: str) -> bool:
    signature = req.headers.get("X-Twilio-Signature", "")
    if not signature or not auth_token:
        return False
    params = req.form.to_dict(flat=True) if req.method == "POST" else {}
    return bool(RequestValidator(auth_token).validate(
        public_url_of(req, public_base_url), params, signature))


def twilio_signed(view: F) -> F:
    """Refuse (403) any request not signed with our auth token for our public URL, and
    (400) a signed one whose sids are not of Twilio's shape (bounds.py)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        rt = runtime()
        if not is_valid(request, rt.config.webhook_auth_token, rt.config.public_base_url):
            abort(403)
        if not sids_well_formed():
            abort(400)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
