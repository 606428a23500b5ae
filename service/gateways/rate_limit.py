"""Sends per second, per kind: Twilio queues or refuses what comes faster.

Twilio's default for voice is one call per second per account; texts are faster.
This limiter spaces the requests of one process. Its interface is one method,
`acquire(kind)`, so a limiter shared between worker processes can replace it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable


class Limiter(Protocol):
    def acquire(self, kind: str) -> None:
        """Return when one more request of this kind may go out (blocking until then)."""


@runtime_checkable
class PacedGateway(Protocol):
    """A gateway that paces its own requests; its limiter can be replaced by one shared
    between processes (service/gateways/shared_pace.py)."""

    limiter: Limiter


class RateLimiter:
    """Keeps requests of each kind at least 1/rate seconds apart (no bursts)."""

    def __init__(self, rates: Mapping[str, float], *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        for kind, rate in rates.items():
            if not rate > 0:
                raise ValueError(f"rate for {kind!r} must be above zero, got {rate!r}")
        self._interval = {kind: 1.0 / rate for kind, rate in rates.items()}
        self._next = {kind: -math.inf for kind in rates}
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()

    def acquire(self, kind: str) -> None:
        interval = self._interval.get(kind)
        if interval is None:
            raise ValueError(f"no rate configured for {kind!r}")
        with self._lock:  # reserve the slot under the lock, wait outside it
            now = self._clock()
            slot = max(now, self._next[kind])
            self._next[kind] = slot + interval
        if slot > now:
            self._sleep(slot - now)
