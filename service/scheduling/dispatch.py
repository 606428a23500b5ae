"""The dispatch pass: take over dead workers' claims, claim due reminders, drain them.

A pass runs top-down through the modules below it:
- claims.py: a claim moves due reminders from "planned" to "sending" with a lease,
  so no two workers take a row;
- reconcile.py: claims whose lease ran out (their worker died) are taken over and
  settled, never sent again blindly;
- batch.py: each claimed batch is prepared, sent through a small thread pool and
  recorded, one reminder's steps (reminder_send.py) grouped over the batch;
- text_reading.py: texts the SMS webhook stored are read first, and again before
  each batch, so a client's LOPETA is in force before anything more is sent to them;
- adhoc_messages.py: texts queued outside any reminder are sent;
- escalations.py: inbox items left unhandled too long are raised to their team.
The pass takes batch after batch until nothing is due; the next batch is prepared
while this one's calls run. The gateway's rate limits are shared by all processes
(service/gateways/shared_pace.py).
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.domain.replies.received import waiting_query
from service.runtime import Runtime
from service.scheduling.adhoc_messages import queued_messages_query, send_queued_messages
from service.scheduling.batch import (
    Counted,
    InFlight,
    finish_batch,
    send_threads,
    start_batch,
    wait_for,
)
from service.scheduling.claims import Claim, claim_due, claim_in, expired_query
from service.scheduling.escalations import escalate
from service.scheduling.reconcile import (
    reconcile_expired,
    settle_stuck_messages,
    stuck_before,
    stuck_messages_query,
)
from service.scheduling.reminder_send import Clock, Outcome
from service.scheduling.text_reading import read_waiting, texts_waiting
from service.scheduling.waiting import next_due_in
from service.store.db import commit_without_waiting, moment, transaction
from service.store.models import Heartbeat


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickResult:
    claimed: int = 0
    sent: int = 0
    delivered: int = 0
    tasks: int = 0
    skipped: int = 0
    cancelled: int = 0
    deferred: int = 0
    held: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    released: int = 0
    adopted: int = 0
    messages_sent: int = 0
    messages_adopted: int = 0  # ad-hoc messages a dead process left "sending"
    messages_uncertain: int = 0
    escalated: int = 0  # inbox items raised to their team (scheduling/escalations.py)
    texts_read: int = 0  # stored inbound texts read (scheduling/text_reading.py)
    texts_failed: int = 0
    errors: list[str] = field(default_factory=list)
    # A pass that found nothing to do also read, in the same look, when the next thing
    # is due (scheduling/waiting.py), so an idle worker asks in one transaction.
    found_nothing: bool = False
    next_due: datetime | None = None

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def summary(self) -> str:
        parts = [f"{k}={v}" for k, v in self.__dict__.items() if type(v) is int and v]
        return ", ".join(parts) or "nothing due"


MAX_BATCHES = 10_000
BATCH_SECONDS = 0.5  # a batch holds about this much sending at the configured text rate
MIN_BATCH = 20  # below this a batch's fixed cost (two transactions) buys nothing
FIRST_BATCH = 50  # a pass starts small, so its first calls go out while the next batch is read
BEAT_SECONDS = 5.0  # heartbeats during a long drain (readiness allows minutes)


def batch_limit(rt: Runtime) -> int:
    """How many due reminders a pass claims at a time: about half a second of sending
    at the text rate ([twilio] messages_per_second), at least MIN_BATCH, at most
    [worker] batch_size.

    Why: a pass holds two batches (one being sent, the next prepared), so a reminder
    falling due during a pass waits behind about a second of sends, and a batch's
    checks (cancelled? opted out? too late?) still hold when its last message leaves;
    yet at a high rate a big batch spreads its fixed cost over many sends
    (docs/performance.md).
    """
    by_rate = max(MIN_BATCH, math.ceil(rt.config.twilio.messages_per_second * BATCH_SECONDS))
    return max(1, min(rt.config.batch_size, by_rate))


def tick(rt: Runtime, now: datetime | None = None, worker_name: str | None = None,
         limit: int | None = None, stop: threading.Event | None = None) -> TickResult:
    """One pass, safe to run from any number of processes at once.

    Takes over the claims of workers that died, then claims and sends due reminders
    a batch at a time until none are due. When `stop` is set the batch in hand is
    finished and no more is claimed. With `now` the whole pass acts as if at that
    moment (tests, `rinnalla tick --now`); otherwise every step reads the clock
    afresh, so a reminder is checked against the time it really goes out.
    """
    clock: Clock = (lambda: now) if now is not None else utcnow
    rt.refresh_team_files()  # an admin's saved templates and schedules, without a restart
    name = worker_name or default_worker_name()
    batch = limit or batch_limit(rt)
    first = min(batch, FIRST_BATCH)
    result = TickResult()
    expired, claims, queued, stuck, waiting = _look(rt, clock(), name, first, result)
    if waiting:  # the client's words first: the look claimed nothing for this reason
        read_texts(rt, result)
        claims = claim_due(rt, clock(), name, first)
    if stuck:
        settled = settle_stuck_messages(rt, clock())
        result.messages_adopted, result.messages_uncertain = settled.adopted, settled.uncertain
    if expired:
        settled = reconcile_expired(rt, clock(), name)
        result.released, result.adopted = settled.released, settled.adopted
        result.uncertain = settled.uncertain
        if not claims:
            claims = claim_due(rt, clock(), name, first)  # the released ones are due
    if claims:
        _drain(rt, claims, first, clock, name, batch, stop, result)
    if queued or result.texts_read:  # a reading may queue a confirmation (LOPETA, ALOITA)
        result.messages_sent = send_queued_messages(rt, clock())
    result.escalated = escalate(rt, clock(), always=now is not None)
    if result.claimed or expired or queued or stuck or waiting:
        beat(rt, name, clock(), result.summary())
    return result


def _look(rt: Runtime, now: datetime, name: str, batch: int, result: TickResult
          ) -> tuple[bool, list[Claim], bool, bool, bool]:
    """The idle pass in one transaction: any expired claims? any stored text waiting
    to be read (then nothing is claimed here)? claim a first batch, any queued
    messages? any ad-hoc message stuck "sending"? and the heartbeat; when none, when
    the next thing is due (into `result`). (Most passes find nothing.)"""
    with transaction(rt.sessions) as session:
        # Nothing here needs to wait for the disk: a lost heartbeat is harmless, and a
        # lost claim only returns its rows to "planned".
        commit_without_waiting(session)
        expired, waiting, queued, stuck = (bool(found) for found in session.execute(
            ANYTHING_TO_DO, {"now": now, "cutoff": stuck_before(rt, now)}).one())
        claims = [] if waiting else claim_in(session, rt, now, name, batch)
        _beat(session, name, now, "claimed" if claims else "nothing due")
        if not (expired or claims or queued or stuck or waiting):
            result.found_nothing, result.next_due = True, next_due_in(session, now)
    return expired, claims, queued, stuck, waiting


# The look's four questions in one statement, each sub-select on its partial index;
# built once, its times bound per pass (building it each time cost more CPU than asking).
ANYTHING_TO_DO = select(
    expired_query(moment("now")).exists(), waiting_query().exists(),
    queued_messages_query(1, moment("now")).exists(),
    stuck_messages_query(moment("cutoff"), 1).exists())


def read_texts(rt: Runtime, result: TickResult) -> None:
    """Read every stored text waiting (scheduling/text_reading.py)."""
    counts = read_waiting(rt)
    result.texts_read += counts.read
    result.texts_failed += counts.failed


def _drain(rt: Runtime, claims: list[Claim], asked: int, clock: Clock, name: str, batch: int,
           stop: threading.Event | None, result: TickResult) -> None:
    """Send batch after batch (`claims` the first, of at most `asked`; then `batch` at a
    time); the next batch is prepared while this one's calls run, and claimed in the
    transaction that records the one before."""
    def stopping() -> bool:
        return stop is not None and stop.is_set()

    def claim_next(session: Session) -> list[Claim]:
        if stopping():
            return []  # finish the batches in hand, take no more
        return claim_in(session, rt, clock(), name, batch)

    with ThreadPoolExecutor(max_workers=send_threads(rt), thread_name_prefix="send") as pool:
        flight: InFlight | None = None
        last_beat = time.monotonic()
        for turn in range(MAX_BATCHES):
            if turn and texts_waiting(rt):  # stored while the last batch was sent
                read_texts(rt, result)
            result.claimed += len(claims)
            started = start_batch(rt, claims, clock, name, pool)
            more = len(claims) >= asked and not stopping()
            asked = batch
            if more and time.monotonic() - last_beat >= BEAT_SECONDS:  # still alive
                beat(rt, name, clock(), result.summary())
                last_beat = time.monotonic()
            if flight is not None:
                wait_for(rt, flight, name, clock, started)
                outcomes, claims = finish_batch(rt, flight, clock, claim_next if more else None)
                _count(result, outcomes)
            elif more:
                claims = claim_due(rt, clock(), name, batch)
            flight = started
            if not more or not claims:
                break
        if flight is not None:
            wait_for(rt, flight, name, clock)
            _count(result, finish_batch(rt, flight, clock)[0])


def _count(result: TickResult, outcomes: list[Counted]) -> None:
    for outcome, error in outcomes:
        result.add(outcome)
        if error:
            result.errors.append(error)


def beat(rt: Runtime, name: str, now: datetime, detail: str = "") -> None:
    """Record that this worker is alive (read by /readyz)."""
    with transaction(rt.sessions) as session:
        _beat(session, name, now, detail)


def _beat(session: Session, name: str, now: datetime, detail: str) -> None:
    """One UPDATE (an idle pass's cost counts); the first beat of a worker inserts."""
    beaten = session.execute(
        update(Heartbeat).where(Heartbeat.name == name)
        .values(last_seen=now, detail=detail[:200])
        .execution_options(synchronize_session=False))
    if not beaten.rowcount:  # type: ignore[attr-defined]
        session.add(Heartbeat(name=name, last_seen=now, detail=detail[:200]))
