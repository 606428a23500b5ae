"""Escalation from the worker loop: unhandled items raised to the team in time.

Each dispatch pass asks, at most once a minute per process (a pass with an explicit
`now`, as in tests and `rinnalla tick --now`, always asks). The work is one small
query over open items and a check-and-set update (domain/teams/escalation.py), so any
number of worker processes may run it at once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from service.domain.teams.escalation import escalate_due
from service.runtime import Runtime
from service.store.db import transaction

log = logging.getLogger(__name__)

EVERY = timedelta(minutes=1)


@dataclass
class Throttle:
    """Lets a job run at most once per `every` in this process."""

    every: timedelta
    last: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def due(self, now: datetime) -> bool:
        with self.lock:
            if self.last is not None and self.last <= now < self.last + self.every:
                return False
            self.last = now
            return True


THROTTLE = Throttle(EVERY)


def escalate(rt: Runtime, now: datetime, *, always: bool = False) -> int:
    """Raise the items whose time has passed; how many. A failure is logged and left
    for the next pass: the dispatch pass must not stop for it."""
    if not always and not THROTTLE.due(now):
        return 0
    try:
        with transaction(rt.sessions) as session:
            raised = escalate_due(session, now, rt.config.tz)
    except Exception:  # the next pass tries again
        log.exception("escalation failed; trying again at the next pass")
        return 0
    if raised:
        log.info("escalated %s unhandled inbox items to their teams", raised)
    return raised
