"""The gateway's rate limits, shared by every process through the database.

Twilio counts messages and calls per second for the whole account, so the
in-process limiter of service/gateways/rate_limit.py would be exceeded as soon as
a second worker runs. SharedRateLimiter keeps its interface (`acquire(kind)`) and
keeps the spacing in the send_pace table instead: one row per kind holds the next
free send slot. A process reserves a few slots at a time with a check-and-set on
the row's version (no lock is held while anyone waits), then hands them out to
its sending threads, each of which sleeps until its own slot. Slots are spaced
1/rate apart across all processes, so the account never goes faster than the rate.

Pacing is physical time (datetime.now), not service.clock: a test or a demo that
pins the service's clock still sends at the real rate.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.gateways.rate_limit import PacedGateway
from service.store.db import transaction
from service.store.models import SendPace

CAS_TRIES = 200
MAX_CHUNK = 1000


def wall_now() -> datetime:
    return datetime.now(UTC)


class SharedPace:
    """Send slots of one kind at `per_second`, shared through its send_pace row."""

    def __init__(self, sessions: sessionmaker[Session], kind: str, per_second: float,
                 chunk_seconds: float = 0.5) -> None:
        if not per_second > 0:
            raise ValueError(f"rate for {kind!r} must be above zero, got {per_second!r}")
        self.sessions = sessions
        self.kind = kind
        self.interval = timedelta(seconds=1.0 / per_second)
        # Reserve half a second's worth at once: one database round trip per chunk.
        # (The cap only bounds the list of slots held at very high configured rates.)
        self.chunk = max(1, min(MAX_CHUNK, int(per_second * chunk_seconds)))
        # A reserved slot may be used this late (a sender slower than the rate);
        # older ones are dropped, so a burst never exceeds half a second's worth.
        self.grace = timedelta(seconds=chunk_seconds)
        self._slots: deque[datetime] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Block until this caller may send."""
        delay = (self.next_slot() - wall_now()).total_seconds()
        if delay > 0:
            time.sleep(delay)

    def next_slot(self) -> datetime:
        """The moment this caller may send; reserves more slots when the local ones ran out."""
        with self._lock:
            stale = wall_now() - self.grace
            while self._slots and self._slots[0] < stale:
                self._slots.popleft()  # reserved long ago and unused: never burst on them
            if not self._slots:
                self._slots.extend(self._reserve(self.chunk))
            return self._slots.popleft()

    def _reserve(self, count: int) -> list[datetime]:
        for _ in range(CAS_TRIES):
            now = wall_now()
            with transaction(self.sessions) as session:  # read and check-and-set at once
                row = session.execute(select(SendPace.next_at, SendPace.version)
                                      .where(SendPace.kind == self.kind)).first()
                if row is not None:
                    start = max(now, row.next_at)
                    changed = session.connection().execute(
                        update(SendPace)
                        .where(SendPace.kind == self.kind, SendPace.version == row.version)
                        .values(next_at=start + self.interval * count,
                                version=row.version + 1)).rowcount
                    if changed == 1:
                        return self._spread(start, count)
                    continue  # another process took slots meanwhile: read again
            if self._create_row(now + self.interval * count):
                return self._spread(now, count)
        raise RuntimeError(f"could not reserve a {self.kind} send slot")

    def _create_row(self, end: datetime) -> bool:
        """First use of this kind; False when another process created the row first."""
        try:
            with transaction(self.sessions) as session:
                session.add(SendPace(kind=self.kind, next_at=end, version=1))
        except IntegrityError:
            return False
        return True

    def _spread(self, start: datetime, count: int) -> list[datetime]:
        return [start + self.interval * i for i in range(count)]


class SharedRateLimiter:
    """service.gateways.rate_limit.Limiter, kept across processes (one SharedPace per kind)."""

    def __init__(self, sessions: sessionmaker[Session], rates: Mapping[str, float]) -> None:
        self._paces = {kind: SharedPace(sessions, kind, rate) for kind, rate in rates.items()}

    def acquire(self, kind: str) -> None:
        pace = self._paces.get(kind)
        if pace is None:
            raise ValueError(f"no rate configured for {kind!r}")
        pace.acquire()


def share_rate_limits(gateway: object, sessions: sessionmaker[Session],
                      rates: Mapping[str, float]) -> None:
    """Give a gateway that paces itself (it has a `limiter`) the limiter shared by all,
    at `rates` (sends per second, by kind: "sms", "voice")."""
    if isinstance(gateway, PacedGateway):
        gateway.limiter = SharedRateLimiter(sessions, rates)
