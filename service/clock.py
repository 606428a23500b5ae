"""The one place the current time comes from, so tests and `tick --now` can move it."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    """Aware UTC now; frozen when a test or a demo pinned the clock."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Pin (or with None, release) the clock. Naive datetimes are refused."""
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("clock.freeze needs an aware datetime")
    _frozen = at.astimezone(UTC) if at is not None else None
