"""The audit log: who viewed, created, changed, exported or erased what, and when.

Entries are only ever added (never updated or deleted by the application), and carry
no personal data themselves: ids and action words only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from service.clock import utcnow
from service.models import AuditEntry

ACTIONS = ("view", "create", "update", "delete", "export", "erase", "login", "logout",
           "login_failed", "send", "handle", "reassign", "import", "cancel")


def record(session: Session, worker_id: int | None, action: str, object_type: str,
           object_id: int | None = None, detail: str = "", at: datetime | None = None) -> None:
    """Add one entry in the caller's transaction, so it commits with the action it records."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AuditEntry(at=at or utcnow(), worker_id=worker_id, action=action,
                           object_type=object_type, object_id=object_id, detail=detail[:300]))
