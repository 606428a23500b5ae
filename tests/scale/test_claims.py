"""Claims on a real database: batches, no row taken twice, leases, take-over after a crash."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from service.gateways.base import GatewayError, SendResult
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling import batch, dispatch
from service.scheduling.claims import Claim, claim_due, renew, take_over_expired
from service.scheduling.dispatch import tick
from service.scheduling.reconcile import reconcile_expired
from service.scheduling.reminder_send import Outcome, process_reminder
from service.store.db import transaction
from service.store.models import InboxItem, Message, Reminder
from tests.scale.seed import phone, seed_due

T0 = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)  # Wednesday 12:00 in Helsinki


def states(rt: Runtime) -> dict[str, int]:
    with transaction(rt.sessions) as session:
        rows = session.execute(select(Reminder.state, func.count()).group_by(Reminder.state))
        return {state: count for state, count in rows}


def test_claims_only_due_rows_in_batches_earliest_first(rt: Runtime) -> None:
    later = seed_due(rt.engine, 3, T0 + timedelta(minutes=5))
    due = seed_due(rt.engine, 5, T0 - timedelta(minutes=1), first=10)
    seed_due(rt.engine, 2, T0 - timedelta(minutes=2), state="sent", first=20)

    first = claim_due(rt, T0, "w1", 3)
    second = claim_due(rt, T0, "w2", 3)
    third = claim_due(rt, T0, "w3", 3)

    assert [c.id for c in first] == due[:3]
    assert [c.id for c in second] == due[3:]
    assert third == []
    with transaction(rt.sessions) as session:
        row = session.get(Reminder, due[0])
        assert (row.state, row.claimed_by, row.claimed_at) == ("sending", "w1", T0)
        assert row.lease_until == T0 + timedelta(seconds=rt.config.lease_seconds)
        assert all(session.get(Reminder, rid).state == "planned" for rid in later)


def test_concurrent_claimers_never_share_a_row(rt: Runtime) -> None:
    due = seed_due(rt.engine, 300, T0 - timedelta(minutes=1))
    taken: dict[str, list[int]] = {}
    start = threading.Barrier(6)

    def claimer(name: str) -> None:
        start.wait()
        mine: list[int] = []
        while batch := claim_due(rt, T0, name, 7):
            mine += [c.id for c in batch]
        taken[name] = mine

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [rid for ids in taken.values() for rid in ids]
    assert sorted(every) == sorted(due)  # each row claimed, none twice
    with transaction(rt.sessions) as session:
        for name, ids in taken.items():
            owners = set(session.scalars(select(Reminder.claimed_by).where(Reminder.id.in_(ids))))
            assert owners <= {name}


def test_renew_only_for_the_holder_of_a_live_claim(rt: Runtime) -> None:
    [rid] = seed_due(rt.engine, 1, T0)
    claim_due(rt, T0, "w1", 10)
    with transaction(rt.sessions) as session:
        assert not renew(session, rt, rid, "w2", T0)
        assert renew(session, rt, rid, "w1", T0 + timedelta(seconds=30))
    expired = T0 + timedelta(seconds=30 + rt.config.lease_seconds + 1)
    assert take_over_expired(rt, expired, "w2", 10) == [rid]
    with transaction(rt.sessions) as session:
        assert not renew(session, rt, rid, "w1", expired)  # w1 lost it
        assert session.get(Reminder, rid).claimed_by == "w2"


def test_a_live_lease_is_not_taken_over(rt: Runtime) -> None:
    seed_due(rt.engine, 2, T0)
    claim_due(rt, T0, "w1", 10)
    just_before = T0 + timedelta(seconds=rt.config.lease_seconds - 1)
    assert take_over_expired(rt, just_before, "w2", 10) == []
    assert reconcile_expired(rt, just_before, "w2").released == 0


def test_a_crash_before_the_message_row_sends_it_once_after_the_lease(
        rt: Runtime, gateway: DevelopmentGateway) -> None:
    [rid] = seed_due(rt.engine, 1, T0)
    claim_due(rt, T0, "dead-worker", 10)  # ... and the process dies here
    assert tick(rt, now=T0 + timedelta(seconds=10)).claimed == 0  # the lease still holds
    after = T0 + timedelta(seconds=rt.config.lease_seconds + 1)

    result = tick(rt, now=after, worker_name="w2")

    assert (result.released, result.claimed, result.delivered) == (1, 1, 1)
    assert [to for _, to, _ in gateway.sent] == [phone(0)]
    with transaction(rt.sessions) as session:
        assert session.get(Reminder, rid).state == "delivered"
        assert session.scalar(select(func.count()).select_from(Message)) == 1


def _crash_after_the_message_row(rt: Runtime) -> int:
    """Claim, write the message row as dispatch does, and 'die' before the gateway call."""
    [rid] = seed_due(rt.engine, 1, T0)
    claim_due(rt, T0, "dead-worker", 10)

    class Dies(DevelopmentGateway):
        def send_sms(self, to: str, body: str, *, status_callback: str | None,
                     sender: str | None = None) -> SendResult:
            raise SystemExit("killed")  # the process ends between commit and call

    alive, rt.gateway = rt.gateway, Dies()
    with contextlib.suppress(SystemExit):
        process_reminder(rt, rid, T0, "dead-worker")
    rt.gateway = alive
    with transaction(rt.sessions) as session:
        message = session.scalars(select(Message).where(Message.reminder_id == rid)).one()
        assert message.status == "sending"
    return rid


def test_an_unknown_outcome_is_marked_uncertain_not_sent_again(
        rt: Runtime, gateway: DevelopmentGateway) -> None:
    rid = _crash_after_the_message_row(rt)
    after = T0 + timedelta(seconds=rt.config.lease_seconds + 1)

    result = tick(rt, now=after, worker_name="w2")

    assert (result.uncertain, result.claimed, result.released) == (1, 0, 0)
    assert gateway.sent == []  # the development gateway cannot tell: nothing is repeated
    with transaction(rt.sessions) as session:
        reminder = session.get(Reminder, rid)
        assert (reminder.state, reminder.reason, reminder.claimed_by) == (
            "uncertain", "outcome_unknown", None)
        assert session.scalars(select(Message.status)).one() == "unknown"
        item = session.scalars(select(InboxItem)).one()
        assert item.kind == "uncertain" and item.reminder_id == rid
    assert tick(rt, now=after + timedelta(hours=1)).claimed == 0


class Remembers(DevelopmentGateway):
    """A gateway that can be asked what it accepted (as Twilio can)."""

    def __init__(self, accepted: list[SendResult]) -> None:
        super().__init__()
        self.accepted = accepted
        self.asked: list[tuple[str, str | None]] = []

    def find_sent(self, *, channel: str, to: str, body: str | None,
                  since: datetime, sender: str | None = None) -> list[SendResult]:
        self.asked.append((to, body))
        return list(self.accepted)


def test_a_send_the_gateway_had_accepted_is_adopted(rt: Runtime) -> None:
    rid = _crash_after_the_message_row(rt)
    rt.gateway = Remembers([SendResult(sid="SM" + "a" * 32, status="queued")])
    after = T0 + timedelta(seconds=rt.config.lease_seconds + 1)

    result = reconcile_expired(rt, after, "w2")

    assert (result.adopted, result.uncertain, result.released) == (1, 0, 0)
    assert rt.gateway.asked[0][0] == phone(0) and "Huone 0" in (rt.gateway.asked[0][1] or "")
    assert rt.gateway.sent == []
    with transaction(rt.sessions) as session:
        reminder = session.get(Reminder, rid)
        message = session.scalars(select(Message)).one()
        assert reminder.state == "sent" and reminder.claimed_by is None
        assert (message.gateway_sid, message.status) == ("SM" + "a" * 32, "queued")
        assert reminder.sent_at == message.created_at
        assert session.scalars(select(InboxItem)).first() is None


def test_a_sid_that_belongs_to_another_message_is_not_adopted(rt: Runtime) -> None:
    rid = _crash_after_the_message_row(rt)
    other = "SM" + "b" * 32
    with transaction(rt.sessions) as session:
        first = session.scalars(select(Message)).one()
        session.add(Message(direction="out", channel="sms", client_id=first.client_id,
                            to_number=first.to_number, body=first.body, gateway="development",
                            gateway_sid=other, status="delivered"))
    rt.gateway = Remembers([SendResult(sid=other, status="delivered")])

    result = reconcile_expired(rt, T0 + timedelta(seconds=rt.config.lease_seconds + 1), "w2")

    assert (result.adopted, result.uncertain) == (0, 1)
    with transaction(rt.sessions) as session:
        assert session.get(Reminder, rid).state == "uncertain"


def test_a_sid_a_status_callback_brought_is_adopted_without_asking(rt: Runtime) -> None:
    rid = _crash_after_the_message_row(rt)
    with transaction(rt.sessions) as session:
        session.execute(update(Message).values(gateway_sid="SM" + "c" * 32, status="sent"))
    rt.gateway = Remembers([])

    result = reconcile_expired(rt, T0 + timedelta(seconds=rt.config.lease_seconds + 1), "w2")

    assert result.adopted == 1 and rt.gateway.asked == []
    with transaction(rt.sessions) as session:
        assert session.get(Reminder, rid).state == "sent"


def test_a_lookup_that_keeps_failing_leaves_it_uncertain(rt: Runtime) -> None:
    rid = _crash_after_the_message_row(rt)

    class Down(Remembers):
        def find_sent(self, **kwargs: object) -> list[SendResult]:  # type: ignore[override]
            self.asked.append(("", None))
            raise GatewayError("Twilio ei vastaa")

    rt.gateway = Down([])
    result = reconcile_expired(rt, T0 + timedelta(seconds=rt.config.lease_seconds + 1), "w2")
    assert result.uncertain == 1 and len(rt.gateway.asked) == 3
    with transaction(rt.sessions) as session:
        assert session.get(Reminder, rid).state == "uncertain"


def test_a_worker_whose_lease_ran_out_does_not_send(rt: Runtime,
                                                    gateway: DevelopmentGateway) -> None:
    [rid] = seed_due(rt.engine, 1, T0)
    claim_due(rt, T0, "slow-worker", 10)
    after = T0 + timedelta(seconds=rt.config.lease_seconds + 1)
    assert reconcile_expired(rt, after, "w2").released == 1
    claim_due(rt, after, "w2", 10)

    assert process_reminder(rt, rid, after, "slow-worker") == Outcome.RELEASED
    assert gateway.sent == []
    assert process_reminder(rt, rid, after, "w2") == Outcome.DELIVERED
    assert len(gateway.sent) == 1


def test_a_stale_reminder_past_its_event_is_never_sent(rt: Runtime,
                                                       gateway: DevelopmentGateway) -> None:
    # Due long ago (the service was down); its latest moment has passed.
    seed_due(rt.engine, 3, T0 - timedelta(days=2), latest_at=T0 - timedelta(hours=1),
             starts_at=T0 + timedelta(hours=1))
    result = tick(rt, now=T0)
    assert (result.claimed, result.skipped) == (3, 3)
    assert gateway.sent == []
    with transaction(rt.sessions) as session:
        assert set(session.scalars(select(Reminder.reason))) == {"too_late"}


def test_a_pass_drains_every_due_batch(rt: Runtime, gateway: DevelopmentGateway) -> None:
    seed_due(rt.engine, 25, T0 - timedelta(minutes=1))
    result = tick(rt, now=T0, limit=10)
    assert (result.claimed, result.delivered) == (25, 25)
    assert states(rt) == {"delivered": 25}


def test_stop_finishes_the_batch_in_hand_and_claims_no_more(rt: Runtime) -> None:
    seed_due(rt.engine, 30, T0 - timedelta(minutes=1))
    stop = threading.Event()

    class StopsOnFirstSend(DevelopmentGateway):
        def send_sms(self, to: str, body: str, *, status_callback: str | None,
                     sender: str | None = None) -> SendResult:
            stop.set()  # SIGTERM arrives while the first batch is being sent
            return super().send_sms(to, body, status_callback=status_callback, sender=sender)

    rt.gateway = StopsOnFirstSend()
    result = tick(rt, now=T0, limit=10, stop=stop)

    # The batch in hand is finished (the next one may already have been prepared while
    # the first was being sent: it is finished too); nothing more is claimed.
    assert result.claimed in (10, 20) and result.delivered == result.claimed
    assert states(rt) == {"delivered": result.claimed, "planned": 30 - result.claimed}


def test_a_failed_recording_still_claims_the_next_batch(
        rt: Runtime, gateway: DevelopmentGateway, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The next batch is claimed in the transaction that records the last one; when
    that transaction fails, the answers are recorded one at a time and the claim is
    made on its own, so the pass neither loses answers nor stops draining."""
    seed_due(rt.engine, 25, T0 - timedelta(minutes=1))
    real = batch._record_in
    failures = []

    def fails_once(*args: object) -> object:
        if not failures:
            failures.append(1)
            raise RuntimeError("recording failed")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "_record_in", fails_once)
    with caplog.at_level(logging.ERROR):
        result = tick(rt, now=T0, limit=10)
    assert failures and any("recording a batch failed" in r.getMessage()
                            for r in caplog.records)
    assert (result.claimed, result.delivered, result.errors) == (25, 25, [])
    assert states(rt) == {"delivered": 25}
    assert len(gateway.sent) == 25


def test_claims_waiting_for_the_rate_limit_are_not_taken_over(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch whose calls take longer than a lease (the rate limit shared with other
    workers, a slow gateway) keeps its leases renewed: another worker looking for dead
    workers' claims the whole time finds none, and nothing is marked uncertain."""
    started = time.monotonic()

    def moving() -> datetime:
        return T0 + timedelta(seconds=time.monotonic() - started)

    monkeypatch.setattr(dispatch, "utcnow", moving)
    rt = replace(rt, config=replace(rt.config, lease_seconds=1))
    one_at_a_time = threading.Lock()

    class Paced(DevelopmentGateway):
        def send_sms(self, to: str, body: str, *, status_callback: str | None,
                     sender: str | None = None) -> SendResult:
            with one_at_a_time:  # 0.25 s a message, whatever the number of senders
                time.sleep(0.25)
            return super().send_sms(to, body, status_callback=status_callback, sender=sender)

    rt.gateway = Paced()
    seed_due(rt.engine, 10, T0 - timedelta(minutes=1))  # 2.5 s of sending, lease 1 s
    done = threading.Event()
    taken: list[tuple[int, int, int]] = []

    def other_worker() -> None:
        while not done.is_set():
            settled = reconcile_expired(rt, moving(), "w2")
            taken.append((settled.released, settled.adopted, settled.uncertain))
            time.sleep(0.1)

    watcher = threading.Thread(target=other_worker)
    watcher.start()
    try:
        result = tick(rt, worker_name="w1")
    finally:
        done.set()
        watcher.join()
    assert len(taken) >= 10  # it looked all along
    assert set(taken) == {(0, 0, 0)}
    assert (result.claimed, result.delivered, result.uncertain) == (10, 10, 0)
    assert states(rt) == {"delivered": 10}
    with transaction(rt.sessions) as session:
        assert session.scalar(select(func.count()).select_from(InboxItem)) == 0


@pytest.mark.parametrize(("batch_size", "rate", "expected"), [
    (500, 10.0, 20),  # Twilio's default rate: half a second is 5, the least is 20
    (500, 500.0, 250),  # half a second of texts
    (500, 2000.0, 500),  # a fast messaging service: batch_size caps it
    (50, 2000.0, 50),
    (10, 10.0, 10),  # a batch_size below the least batch is kept
])
def test_a_pass_claims_half_a_second_of_sending_at_a_time(
        rt: Runtime, batch_size: int, rate: float, expected: int) -> None:
    rt = replace(rt, config=replace(rt.config, batch_size=batch_size,
                                    twilio=replace(rt.config.twilio,
                                                   messages_per_second=rate)))
    assert dispatch.batch_limit(rt) == expected
    seed_due(rt.engine, dispatch.FIRST_BATCH + expected + 5, T0 - timedelta(minutes=1))
    sizes: list[int] = []
    real = dispatch.start_batch

    def spy(rt_: Runtime, claims: list[Claim], *args: object) -> object:
        sizes.append(len(claims))
        return real(rt_, claims, *args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispatch, "start_batch", spy)
        result = tick(rt, now=T0)
    # The first batch is small (its calls start while the next is read), then full.
    assert sizes[0] == min(expected, dispatch.FIRST_BATCH)
    assert max(sizes) == expected
    assert result.claimed == dispatch.FIRST_BATCH + expected + 5  # the pass drains all


def test_one_bad_row_does_not_hold_up_its_batch(rt: Runtime,
                                                gateway: DevelopmentGateway) -> None:
    ids = seed_due(rt.engine, 6, T0 - timedelta(minutes=1))
    with transaction(rt.sessions) as session:
        session.get(Reminder, ids[2]).template = "no_such_template"  # cannot be rendered
    result = tick(rt, now=T0)
    assert (result.claimed, result.delivered, len(result.errors)) == (6, 5, 1)
    assert str(ids[2]) in result.errors[0]
    assert len(gateway.sent) == 5
    with transaction(rt.sessions) as session:
        bad = session.get(Reminder, ids[2])
        assert bad.state == "planned" and bad.send_at > T0  # tried again later, not lost
