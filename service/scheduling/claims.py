"""Claiming due reminders so that exactly one worker process acts on each.

A claim is one UPDATE that moves a batch of rows from "planned" to "sending" and
stamps them with the worker's name and a lease. On PostgreSQL the rows are picked
with SELECT ... FOR UPDATE SKIP LOCKED, so workers never wait for each other and
never take the same row; SQLite runs one writer at a time, so the same statement
is a plain check-and-set there. Both read only the partial index ix_reminders_due,
so an idle claim costs the same with a thousand or a million reminders stored.

While a worker holds a claim it renews the lease row by row (renew()); a worker
whose lease ran out has lost the claim and must not act on the row any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, Table, Update, select, update
from sqlalchemy.orm import Session

from service.runtime import Runtime
from service.store.bulk_sql import id_in, sql_literal
from service.store.db import When, commit_without_waiting, transaction
from service.store.models import Reminder
from service.store.states import ReminderState


@dataclass(frozen=True)
class Claim:
    """One claimed reminder. (Which rows a claim takes is decided by send_at, earliest
    first; within a batch they are handled by id, and the batch path reads them in
    send_at order anyway.)"""

    id: int


REMINDERS: Table = Reminder.__table__  # type: ignore[assignment]  # plain SQL, no ORM objects


def state_is(state: ReminderState) -> ColumnElement[bool]:
    """The state written into the SQL text, not bound: PostgreSQL matches a partial
    index's WHERE only against literals, also once psycopg prepares the statement."""
    return REMINDERS.c.state == sql_literal(state)


def lease_end(rt: Runtime, now: datetime) -> datetime:
    """Until when a claim made (or renewed) now is this worker's."""
    return now + timedelta(seconds=rt.config.lease_seconds)


def claim_statement(rt: Runtime, now: datetime, name: str, limit: int) -> Update:
    """The one UPDATE that claims a batch (also used by the EXPLAIN checks).

    The rows are picked in a MATERIALIZED common table expression: as a plain
    IN (subquery) PostgreSQL may run the subquery again for each row it updates,
    and with SKIP LOCKED every run finds other rows, so far more than `limit`
    would be claimed.
    """
    due = (select(REMINDERS.c.id)
           .where(state_is(ReminderState.PLANNED), REMINDERS.c.send_at <= now)
           .order_by(REMINDERS.c.send_at)
           .limit(limit)
           .with_for_update(skip_locked=True)  # rendered on PostgreSQL only
           .cte("due").prefix_with("MATERIALIZED"))
    return (update(REMINDERS)
            .where(REMINDERS.c.id == due.c.id, REMINDERS.c.state == ReminderState.PLANNED)
            .values(state=ReminderState.SENDING, claimed_by=name, claimed_at=now,
                    lease_until=lease_end(rt, now), updated_at=now)
            .returning(REMINDERS.c.id))


def claim_due(rt: Runtime, now: datetime, name: str, limit: int) -> list[Claim]:
    """Claim up to `limit` due planned reminders, earliest first, in one statement."""
    with transaction(rt.sessions) as session:
        commit_without_waiting(session)  # a lost claim only returns its rows to "planned"
        return claim_in(session, rt, now, name, limit)


def claim_in(session: Session, rt: Runtime, now: datetime, name: str,
             limit: int) -> list[Claim]:
    """claim_due inside a transaction the caller commits (a pass claims its next
    batch in the one that records the last batch's answers)."""
    ids = session.scalars(claim_statement(rt, now, name, limit)).all()
    return [Claim(id=i) for i in sorted(ids)]


def take_over_statement(rt: Runtime, now: datetime, name: str, limit: int) -> Update:
    """The UPDATE that takes over expired claims; claimed_at is kept, since it still
    tells which messages belong to the interrupted attempt."""
    expired = (select(REMINDERS.c.id)
               .where(state_is(ReminderState.SENDING), REMINDERS.c.lease_until < now)
               .order_by(REMINDERS.c.lease_until)
               .limit(limit)
               .with_for_update(skip_locked=True)
               .cte("expired").prefix_with("MATERIALIZED"))
    return (update(REMINDERS)
            .where(REMINDERS.c.id == expired.c.id,
                   REMINDERS.c.state == ReminderState.SENDING,
                   REMINDERS.c.lease_until < now)
            .values(claimed_by=name, lease_until=lease_end(rt, now), updated_at=now)
            .returning(REMINDERS.c.id))


def expired_query(now: When) -> Select[tuple[int]]:
    """Is any claim's lease over? (The idle pass asks; the partial index answers.)"""
    return select(REMINDERS.c.id).where(state_is(ReminderState.SENDING),
                                        REMINDERS.c.lease_until < now).limit(1)


def take_over_expired(rt: Runtime, now: datetime, name: str, limit: int) -> list[int]:
    """Claim reminders whose worker stopped renewing its lease (it died or hung)."""
    with transaction(rt.sessions) as session:
        return sorted(session.scalars(take_over_statement(rt, now, name, limit)).all())


def renew_all(rt: Runtime, ids: list[int], name: str, now: datetime) -> int:
    """Extend this worker's lease on every row in `ids` it still holds, in one statement;
    how many it still held. (A pass calls it while its calls wait for the shared rate
    limit or a slow gateway, so a live worker's claims never look like a dead one's.)"""
    if not ids:
        return 0
    with transaction(rt.sessions) as session:
        return _renew_in(session, rt, ids, name, now)


def renew(session: Session, rt: Runtime, reminder_id: int, name: str, now: datetime) -> bool:
    """Extend this worker's lease on one row; False when the claim is no longer ours.

    Run it first in the transaction that acts on the row: on PostgreSQL the update
    locks the row, so a take-over running at the same moment waits and then sees
    the fresh lease instead of an expired one.
    """
    return _renew_in(session, rt, [reminder_id], name, now) == 1


def _renew_in(session: Session, rt: Runtime, ids: list[int], name: str, now: datetime) -> int:
    conn = session.connection()
    return conn.execute(
        update(REMINDERS)
        .where(id_in(conn, REMINDERS.c.id, ids), state_is(ReminderState.SENDING),
               REMINDERS.c.claimed_by == name)
        .values(lease_until=lease_end(rt, now))).rowcount
