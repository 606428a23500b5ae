"""A blueprint's own sign-in check for the data-protection and report pages: they fail
closed on their own.

The UI's global rule (service.web.ui.security) already covers them; this keeps them
shut even if that rule changes or is not installed.
"""

from __future__ import annotations

from flask import current_app
from flask.typing import ResponseReturnValue
from flask_login import current_user


def signed_in_only() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    return None
