"""Signing in with a password, with a growing lock-out after repeated failures.

Guessing is slowed per account: after MAX_FAILURES wrong passwords in a row the account
is locked for LOCK_MINUTES, and every further failure doubles the lock (up to a day).
An unknown address costs the same password check as a known one, so timing does not
tell which addresses exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.people.passwords import hash_password, verify_password
from service.store.models import Worker

MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_LOCK = timedelta(hours=24)


@dataclass(frozen=True)
class LoginResult:
    status: str  # ok | wrong | locked
    worker: Worker | None = None
    locked_until: datetime | None = None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("no such worker, but the check costs the same")


def lock_duration(failures: int) -> timedelta | None:
    """How long an account stays locked after this many failures in a row (None: not locked)."""
    if failures < MAX_FAILURES:
        return None
    minutes = LOCK_MINUTES * 2 ** min(failures - MAX_FAILURES, 10)
    return min(timedelta(minutes=minutes), MAX_LOCK)


def is_locked(worker: Worker, now: datetime) -> bool:
    return worker.locked_until is not None and worker.locked_until > now


def find_worker(session: Session, email: str) -> Worker | None:
    address = email.strip().lower()
    if not address:
        return None
    return session.scalars(select(Worker).where(func.lower(Worker.email) == address)).first()


def authenticate(session: Session, email: str, password: str, now: datetime) -> LoginResult:
    """Check a sign-in attempt and record its outcome on the worker row (caller commits)."""
    worker = find_worker(session, email)
    if worker is None or not worker.active:
        verify_password(_dummy_hash(), password)
        return LoginResult("wrong")
    if is_locked(worker, now):
        verify_password(_dummy_hash(), password)
        return LoginResult("locked", worker, worker.locked_until)
    if not verify_password(worker.password_hash, password):
        worker.failed_logins = (worker.failed_logins or 0) + 1
        duration = lock_duration(worker.failed_logins)
        if duration is not None:
            worker.locked_until = now + duration
            return LoginResult("locked", worker, worker.locked_until)
        return LoginResult("wrong", worker)
    worker.failed_logins, worker.locked_until = 0, None
    return LoginResult("ok", worker)
