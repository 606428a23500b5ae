"""API tokens of a worker: made, listed, revoked one by one, and all revoked when the
worker's password is reset or the worker is deactivated.

Only a token's SHA-256 is stored, so a list shows which tokens exist (id, made, last
used), never the tokens. Revoking deletes the row: a revoked token is simply unknown.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.domain.privacy import audit
from service.store.models import ApiToken


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, worker_id: int, now: datetime) -> str:
    """A new token for the worker; returned once, stored only as its hash."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(worker_id=worker_id, token_hash=hash_token(token), created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, worker_id, "create", "api_token", row.id, at=now)
    return token


def tokens_of(session: Session, worker_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.worker_id == worker_id)
                                .order_by(ApiToken.created_at, ApiToken.id)))


def revoke_token(session: Session, token_id: int, by: int | None, now: datetime,
                 worker_id: int | None = None) -> bool:
    """Revoke one token (only the given worker's, when worker_id is given)."""
    row = session.get(ApiToken, token_id)
    if row is None or (worker_id is not None and row.worker_id != worker_id):
        return False
    session.delete(row)
    audit.record(session, by, "delete", "api_token", token_id, f"worker {row.worker_id}", at=now)
    return True


def revoke_all(session: Session, worker_id: int, by: int | None, why: str,
               now: datetime) -> int:
    """Every token of the worker, at a password reset or a deactivation."""
    ids = [row.id for row in tokens_of(session, worker_id)]
    if ids:
        session.execute(delete(ApiToken).where(ApiToken.id.in_(ids)))
        audit.record(session, by, "delete", "api_token", None,
                     f"worker {worker_id}: {len(ids)} tokens, {why}", at=now)
    return len(ids)
