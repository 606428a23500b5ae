"""The batch path's plain SQL writes exactly what the one-by-one ORM path writes.

The batch path (scheduling/batch.py) reads and writes a whole batch with a few
statements; every other case goes through the ORM code of a single send. Both must
leave the same rows behind, and the batch path must really be taken (a failing
batch falls back to one at a time silently, apart from a logged error).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import StatementError

from service.domain.messages.delivery import record_status
from service.gateways.base import GatewayError, SendResult
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling import batch
from service.scheduling.claims import claim_due
from service.scheduling.dispatch import tick
from service.scheduling.reminder_send import Outcome, process_reminder
from service.store.bulk_sql import id_in, insert_rows, sql_literal, update_rows
from service.store.db import transaction
from service.store.models import Client, Event, InboxItem, Message, Reminder, Team
from service.store.states import EventState, MessageStatus, ReminderState
from tests.scale.seed import phone, seed_due

T0 = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)  # Wednesday 12:00 in Helsinki
T1 = T0 + timedelta(hours=1)
# updated_at is left out: the ORM path stamps it with the real time.
COMPARED_MESSAGE = ("direction", "channel", "to_number", "from_number", "body", "gateway",
                    "status", "created_at", "error_code", "error_message")
COMPARED_REMINDER = ("state", "reason", "attempts", "claimed_by", "lease_until", "sent_at")


class QueuedGateway(DevelopmentGateway):
    """Answers like Twilio does: accepted and "queued" (delivery comes by callback)."""

    def _result(self, prefix: str, status: str = "queued") -> SendResult:
        return super()._result(prefix, "queued")


def _no_fallback(caplog: pytest.LogCaptureFixture) -> None:
    falls = [r.getMessage() for r in caplog.records if "one at a time" in r.getMessage()]
    assert falls == [], falls


def _rows(rt: Runtime, first: int, count: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(message, reminder) columns that must not depend on the path, by reminder."""
    numbers = [phone(first + i) for i in range(count)]
    with transaction(rt.sessions) as session:
        pairs = session.execute(
            select(Message, Reminder).join(Reminder, Message.reminder_id == Reminder.id)
            .where(Message.to_number.in_(numbers)).order_by(Message.to_number)).all()
        return [({k: getattr(m, k) for k in COMPARED_MESSAGE},
                 {k: getattr(r, k) for k in COMPARED_REMINDER}) for m, r in pairs]


def test_the_batch_path_writes_what_the_single_path_writes(
        rt: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    _both_paths_agree(rt, caplog)


def test_both_paths_agree_for_a_team_with_its_own_name_and_sender(
        rt: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    """The batch path reads the client's team (DUE_ROW) as the single path does."""
    with transaction(rt.sessions) as session:
        team = Team(name="Pihtipudas", phone="+358402223333", sender="+358457770000")
        session.add(team)
        session.flush()
        team_id = team.id
    messages = _both_paths_agree(rt, caplog, team_id)
    assert messages[0]["from_number"] == "+358457770000"
    assert messages[0]["body"].startswith("Pihtipudas:")


def _both_paths_agree(rt: Runtime, caplog: pytest.LogCaptureFixture,
                      team_id: int | None = None) -> list[dict[str, Any]]:
    """Five reminders sent by the batch path, five by the single path (their clients in
    `team_id`'s team when given): the same rows; the batch path's messages."""
    rt.gateway = QueuedGateway()
    batch_ids = seed_due(rt.engine, 5, T0 - timedelta(minutes=1))
    single = seed_due(rt.engine, 5, T0 - timedelta(minutes=1), first=100)
    with transaction(rt.sessions) as session:  # the second set waits for the single path
        session.execute(update(Reminder).where(Reminder.id.in_(single))
                        .values(send_at=T0 + timedelta(minutes=1)))
        if team_id is not None:
            clients = select(Reminder.client_id).where(Reminder.id.in_(batch_ids + single))
            session.execute(update(Client).where(Client.id.in_(clients))
                            .values(team_id=team_id))

    with caplog.at_level(logging.ERROR):
        result = tick(rt, now=T0, worker_name="w")
    _no_fallback(caplog)
    assert (result.claimed, result.sent) == (5, 5)

    later = T0 + timedelta(minutes=1)
    for claim in claim_due(rt, later, "w", 10):
        assert process_reminder(rt, claim.id, T0, "w") == Outcome.SENT

    by_batch, by_single = _rows(rt, 0, 5), _rows(rt, 100, 5)
    assert len(by_batch) == len(by_single) == 5
    for i, ((message, reminder), (message_1, reminder_1)) in enumerate(
            zip(by_batch, by_single, strict=True)):
        assert message_1["to_number"] == phone(100 + i)
        # Each reminder has its own number and place; apart from those, the same row.
        message_1 = {**message_1, "to_number": phone(i),
                     "body": message_1["body"].replace(f"Huone {100 + i}", f"Huone {i}")}
        assert message == message_1
        assert reminder == reminder_1
    assert by_batch[0][0] == {**by_batch[0][0], "status": "queued", "direction": "out",
                              "gateway": rt.gateway.name, "created_at": T0}
    assert "Huone 0" in by_batch[0][0]["body"]
    assert by_batch[0][1] == {**by_batch[0][1], "state": "sent", "attempts": 1,
                              "claimed_by": None, "lease_until": None, "sent_at": T0}
    with transaction(rt.sessions) as session:
        sids = session.scalars(select(Message.gateway_sid)).all()
        assert len(set(sids)) == 10 and None not in sids
    return [message for message, _ in by_batch]


def test_a_batch_with_rows_for_the_orm_path_sends_the_rest_in_bulk(
        rt: Runtime, gateway: DevelopmentGateway, caplog: pytest.LogCaptureFixture) -> None:
    ids = seed_due(rt.engine, 8, T0 - timedelta(minutes=1))
    with transaction(rt.sessions) as session:
        cancelled = session.get(Reminder, ids[3])
        session.get(Event, cancelled.event_id).state = "cancelled"
        task = session.get(Reminder, ids[5])
        task.channel, task.template, task.recipient = "task", "call_client", "worker"
    with caplog.at_level(logging.ERROR):
        result = tick(rt, now=T0)
    _no_fallback(caplog)
    assert (result.claimed, result.delivered, result.cancelled, result.tasks) == (8, 6, 1, 1)
    assert len(gateway.sent) == 6
    with transaction(rt.sessions) as session:
        assert session.get(Reminder, ids[3]).state == "cancelled"
        assert session.get(Reminder, ids[5]).state == "delivered"
        assert session.scalar(select(Message.id).where(Message.reminder_id == ids[3])) is None


def test_a_status_callback_quicker_than_the_recording_is_kept(rt: Runtime) -> None:
    seed_due(rt.engine, 3, T0 - timedelta(minutes=1))

    class CallbackFirst(QueuedGateway):
        def send_sms(self, to: str, body: str, *, status_callback: str | None,
                     sender: str | None = None) -> SendResult:
            answer = super().send_sms(to, body, status_callback=status_callback, sender=sender)
            with transaction(rt.sessions) as session:  # Twilio's callback, during our call
                session.execute(update(Message).where(Message.to_number == to)
                                .values(status="delivered"))
            return answer

    rt.gateway = CallbackFirst()
    result = tick(rt, now=T0)
    assert result.sent == 3
    with transaction(rt.sessions) as session:
        assert set(session.scalars(select(Message.status))) == {"delivered"}
        assert all(s.startswith("SM") for s in session.scalars(select(Message.gateway_sid)))


def test_a_call_that_timed_out_after_its_callback_keeps_the_callbacks_word(
        rt: Runtime) -> None:
    """Twilio took the text and its delivery callback came, but our request timed out:
    the message keeps "delivered" (a status only moves further), the reminder stays
    delivered, and nobody is asked to check what is already known."""
    seed_due(rt.engine, 2, T0 - timedelta(minutes=1))

    class CallbackThenTimeout(DevelopmentGateway):
        def send_sms(self, to: str, body: str, *, status_callback: str | None,
                     sender: str | None = None) -> SendResult:
            with transaction(rt.sessions) as session:  # Twilio's callback, during our call
                message = session.scalars(select(Message).where(Message.to_number == to)).one()
                record_status(session, rt, message, status="delivered", error_code=None,
                              answered_by=None, sid=f"SM{message.id:032d}", now=T0)
            raise GatewayError("Twilio ei vastannut ajoissa", uncertain=True)

    rt.gateway = CallbackThenTimeout()
    result = tick(rt, now=T0)
    assert (result.claimed, result.uncertain) == (2, 2)  # what our own call saw
    with transaction(rt.sessions) as session:
        assert set(session.scalars(select(Message.status))) == {MessageStatus.DELIVERED}
        assert set(session.scalars(select(Reminder.state))) == {ReminderState.DELIVERED}
        assert session.scalar(select(func.count()).select_from(InboxItem)) == 0


def test_a_claim_taken_over_before_the_batch_is_written_is_left_alone(
        rt: Runtime, gateway: DevelopmentGateway) -> None:
    seed_due(rt.engine, 4, T0 - timedelta(minutes=1))
    claims = claim_due(rt, T0, "w1", 10)
    with transaction(rt.sessions) as session:  # another worker took one over meanwhile
        session.execute(update(Reminder).where(Reminder.id == claims[1].id)
                        .values(claimed_by="w2"))
    outcomes, calls = batch.prepare_batch(rt, [c.id for c in claims], lambda: T0, "w1")
    assert outcomes == [(Outcome.RELEASED, "")]
    assert sorted(c.reminder_id for c in calls) == sorted(
        c.id for c in claims if c.id != claims[1].id)
    with transaction(rt.sessions) as session:
        taken = session.get(Reminder, claims[1].id)
        assert (taken.claimed_by, taken.attempts) == ("w2", 0)
        assert session.scalar(select(Message.id).where(
            Message.reminder_id == claims[1].id)) is None


def test_bulk_statements_on_both_databases(engine: Engine) -> None:
    messages = Message.__table__
    # Quotes, backslashes, line breaks and letters beyond ASCII survive the bulk path.
    bodies = [f'teksti {i}: "Åbo" \\ {{x}}\nrivi ä€' for i in range(5)]
    new = [{"channel": "sms", "to_number": f"+35840000000{i}", "body": bodies[i],
            "callback_token": f"token-{4 - i}"} for i in range(5)]
    with engine.begin() as conn:
        ids = insert_rows(conn, messages, new, key="callback_token", direction="out",
                          status="sending", gateway="twilio", from_number="+358",
                          created_at=T0, updated_at=T0)
        assert len(set(ids)) == 5
        got = conn.execute(select(messages.c.id, messages.c.body, messages.c.created_at,
                                  messages.c.status)
                           .where(id_in(conn, messages.c.id, ids))).all()
        assert {row.id: row.body for row in got} == {
            ids[i]: bodies[i] for i in range(5)}  # ids come back in the rows' order
        assert {(row.created_at, row.status) for row in got} == {(T0, "sending")}
        helsinki = timezone(timedelta(hours=3))
        update_rows(conn, messages, [{"id": ids[0], "status": "sent", "created_at": T1},
                                     {"id": ids[3], "status": "failed",
                                      "created_at": T1.astimezone(helsinki)}], updated_at=T1)
        changed = conn.execute(select(messages.c.id, messages.c.status, messages.c.created_at)
                               .where(messages.c.updated_at == T1)).all()
        assert {(row.id, row.status, row.created_at) for row in changed} == {
            (ids[0], "sent", T1), (ids[3], "failed", T1)}
        with pytest.raises((ValueError, StatementError), match="naive datetime"):
            update_rows(conn, messages, [{"id": ids[1], "created_at": T1.replace(tzinfo=None)}])
        assert conn.execute(select(messages.c.id).where(
            id_in(conn, messages.c.id, []))).all() == []
        assert insert_rows(conn, messages, [], key="callback_token") == []


def test_a_state_for_a_partial_index_is_written_into_the_sql_text(engine: Engine) -> None:
    """PostgreSQL matches a partial index's WHERE only against literals: the state is in
    the statement's text, not bound; and a value that would break the text is refused."""
    query = select(Reminder.id).where(Reminder.state == sql_literal(ReminderState.PLANNED))
    compiled = query.compile(engine)
    assert "reminders.state = 'planned'" in str(compiled)
    assert "planned" not in [str(value) for value in compiled.params.values()]
    ids = seed_due(engine, 2, T0)
    with engine.connect() as conn:
        assert sorted(conn.scalars(query)) == sorted(ids)

    class Quoted(StrEnum):
        ODD = "it's"

    with pytest.raises(ValueError, match="quote"):
        sql_literal(Quoted.ODD)


def _hold(rt: Runtime, reminder_ids: list[int]) -> None:
    """Events 1, 3 and 5 of these get an open holding item (an unclear reply); event 0 a
    handled one, event 2 an open item that holds nothing: neither of those holds."""
    with transaction(rt.sessions) as session:
        events = [session.get(Reminder, rid).event_id for rid in reminder_ids]
        for i, event_id in enumerate(events):
            if i != 4:  # event 4 has no item at all
                session.add(InboxItem(event_id=event_id, kind="reply", intent="unknown",
                                      holds=i != 2, state="handled" if i == 0 else "new",
                                      created_at=T0 - timedelta(hours=1)))


def test_the_batch_and_the_single_path_hold_the_same_reminders(
        rt: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    """An unclear reply holds its event: neither path sends its reminder, and both push
    it back the same way (planned, reason "held"), while the rest of the batch goes."""
    rt.gateway = QueuedGateway()
    by_batch = seed_due(rt.engine, 6, T0 - timedelta(minutes=1))
    later = T0 + timedelta(minutes=2)
    by_single = seed_due(rt.engine, 6, later - timedelta(minutes=1), first=100)
    _hold(rt, by_batch)
    _hold(rt, by_single)

    with caplog.at_level(logging.ERROR):
        result = tick(rt, now=T0, worker_name="w")
    _no_fallback(caplog)
    assert (result.claimed, result.sent, result.held) == (6, 3, 3)

    outcomes = [process_reminder(rt, claim.id, later, "w")
                for claim in claim_due(rt, later, "w", 10)]
    assert sorted(outcomes) == sorted([Outcome.SENT] * 3 + [Outcome.HELD] * 3)

    def rows(ids: list[int], at: datetime) -> list[tuple[Any, ...]]:
        """Each reminder's columns; send_at as an offset from when it was processed
        (both sets were due a minute before that)."""
        with transaction(rt.sessions) as session:
            return [(r.state, r.reason, r.send_at - at, r.attempts, r.claimed_by,
                     session.scalar(select(func.count()).select_from(Message)
                                    .where(Message.reminder_id == r.id)))
                    for r in (session.get(Reminder, rid) for rid in ids)]

    assert rows(by_batch, T0) == rows(by_single, later)
    held = rows(by_batch, T0)[1]
    assert held == ("planned", "held", timedelta(minutes=30), 0, None, 0)
    assert [row[0] for row in rows(by_batch, T0)] == ["sent", "planned", "sent", "planned",
                                                      "sent", "planned"]


def _listening_cases(rt: Runtime, ids: list[int]) -> int:
    """Make the seeded reminders ids[1..3] ones the plan that listens stops: a later one
    of the same event due too (superseded), a declined event, a number blocked for
    texts. Returns the later reminder's id."""
    with transaction(rt.sessions) as session:
        first = session.get(Reminder, ids[1])
        assert first is not None
        later = Reminder(event_id=first.event_id, client_id=first.client_id,
                         rule_id="scale_test_later", template=first.template,
                         channel=first.channel, recipient="client",
                         send_at=first.send_at + timedelta(seconds=30), state="planned",
                         created_at=first.created_at, updated_at=first.updated_at)
        session.add(later)
        declined = session.get(Reminder, ids[2])
        blocked = session.get(Reminder, ids[3])
        assert declined is not None and blocked is not None
        declined.event.state = EventState.DECLINED
        blocked.client.sms_blocked_at = T0 - timedelta(days=1)
        session.flush()
        return later.id


def _outcomes(rt: Runtime, ids: list[int]) -> list[tuple[str, str | None]]:
    with transaction(rt.sessions) as session:
        return [(r.state, r.reason) for r in (session.get(Reminder, i) for i in ids) if r]


def test_both_paths_skip_what_the_plan_that_listens_stops(
        rt: Runtime, gateway: DevelopmentGateway, caplog: pytest.LogCaptureFixture) -> None:
    by_batch = seed_due(rt.engine, 5, T0 - timedelta(minutes=1))
    by_single = seed_due(rt.engine, 5, T0 + timedelta(minutes=5), first=100)
    later = [_listening_cases(rt, by_batch), _listening_cases(rt, by_single)]
    with caplog.at_level(logging.ERROR):
        result = tick(rt, now=T0)
    _no_fallback(caplog)
    assert (result.claimed, result.delivered, result.skipped) == (6, 3, 3)
    run_at = T0 + timedelta(minutes=10)
    for claim in claim_due(rt, run_at, "w", 10):
        process_reminder(rt, claim.id, run_at, "w")
    expected = [(ReminderState.DELIVERED, None), (ReminderState.SKIPPED, "superseded"),
                (ReminderState.SKIPPED, "declined"), (ReminderState.SKIPPED, "sms_blocked"),
                (ReminderState.DELIVERED, None)]
    assert _outcomes(rt, by_batch) == expected
    assert _outcomes(rt, by_single) == expected
    assert _outcomes(rt, later) == [(ReminderState.DELIVERED, None)] * 2
    assert len(gateway.sent) == 6
