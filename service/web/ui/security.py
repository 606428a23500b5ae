"""Who may see what: sign-in sessions, the sign-in requirement, CSRF and response headers.

The requirement is global and by default: every route added later, by anyone, needs a
signed-in worker unless its path is one of the few public ones below. That way a new
blueprint cannot be left open by forgetting a decorator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from service.domain.errors import ValidationError
from service.domain.fields import parse_id
from service.store.models import Worker
from service.web.context import db

F = TypeVar("F", bound=Callable[..., Any])

# Paths that answer without a signed-in worker; each has its own protection.
PUBLIC_PREFIXES = (
    "/twilio/",  # Twilio webhooks: signature-checked
    "/api/v1/",  # JSON API: Bearer tokens
    "/static/",  # CSS and the tiny script, needed by the sign-in page
)
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/favicon.ico"})
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.set_language"})
# Callers of these cannot hold our CSRF token: they prove themselves otherwise.
CSRF_EXEMPT_PREFIXES = ("/twilio/", "/api/v1/")

login_manager = LoginManager()
csrf = CSRFProtect()


class WorkerUser(UserMixin):  # type: ignore[misc]
    """The signed-in worker as Flask-Login sees it, wrapping the database row."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    @property
    def id(self) -> int:
        return self.worker.id

    @property
    def name(self) -> str:
        return self.worker.name

    @property
    def is_admin(self) -> bool:
        return self.worker.is_admin

    @property
    def is_org_admin(self) -> bool:
        return self.worker.is_org_admin

    @property
    def ui_language(self) -> str:
        return self.worker.ui_language

    @property
    def is_active(self) -> bool:
        return bool(self.worker.active)

    def get_id(self) -> str:
        """Id plus a fingerprint of the password hash: a new password ends old sessions."""
        return f"{self.worker.id}.{session_fingerprint(self.worker)}"


def session_fingerprint(worker: Worker) -> str:
    return hashlib.sha256(worker.password_hash.encode()).hexdigest()[:16]


def _load_user(user_id: str) -> WorkerUser | None:
    """The session's worker, if still active and the password has not changed since."""
    raw_id, _, fingerprint = user_id.partition(".")
    try:
        worker_id = parse_id(raw_id, "worker")
    except ValidationError:
        return None
    worker = db().get(Worker, worker_id)
    if worker is None or not worker.active or fingerprint != session_fingerprint(worker):
        return None
    return WorkerUser(worker)


def is_public(path: str, endpoint: str | None) -> bool:
    return (path.startswith(PUBLIC_PREFIXES) or path in PUBLIC_PATHS
            or endpoint in PUBLIC_ENDPOINTS or endpoint == "static")


def require_sign_in() -> ResponseReturnValue | None:
    """before_request: anything not public needs a signed-in, active worker."""
    if request.endpoint is None or is_public(request.path, request.endpoint):
        return None
    if not current_user.is_authenticated:
        answer: ResponseReturnValue = login_manager.unauthorized()
        return answer
    return None


def check_csrf() -> None:
    """before_request: every state-changing request from a browser carries our token."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if request.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    csrf.protect()


def security_headers(response: Any) -> Any:
    """after_request: no framing, no foreign scripts, no caching of client data."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/static/") and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response


def admin_required(view: F) -> F:
    """Only admins manage workers; others get 403."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def org_admin_required(view: F) -> F:
    """What belongs to the whole installation (its own files) is the organisation's
    admin's; a team admin changes only their teams' things, so others get 403."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_org_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def current_worker() -> Worker:
    """The signed-in worker's row (in this request's session)."""
    user: WorkerUser = current_user._get_current_object()
    return user.worker


def safe_next(target: str | None) -> str | None:
    """Only a path on this site is a valid place to return to (after sign-in, a language).

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    "/\t/evil.example" would leave the site as "//evil.example": any control character,
    space or backslash makes the target unusable, and what is left must have no scheme
    and no host. (A line break would also be refused by the response header itself.)
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    if any(ord(char) < 0x21 or 0x7F <= ord(char) <= 0x9F or char == "\\"
           or char.isspace() for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def init_security(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # check_csrf decides, by path
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # bound to the session instead
    login_manager.user_loader(_load_user)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page says what is needed
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    app.before_request(require_sign_in)
    app.before_request(check_csrf)
    app.after_request(security_headers)
