"""Ad-hoc messages (a worker's reply, an opt-out confirmation) left "sending" by a
process that died between marking them and recording the gateway's answer: looked
up at the gateway, never sent again blindly, and the person who wrote them is told."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service.gateways.base import SendResult
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling.adhoc_messages import send_message
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Client, InboxItem, Message, Worker
from tests.scale.seed import phone, seed_due

T0 = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)  # Wednesday 12:00 in Helsinki
SID = "SM" + "d" * 32


class Dies(DevelopmentGateway):
    def send_sms(self, to: str, body: str, *, status_callback: str | None,
                     sender: str | None = None) -> SendResult:
        raise SystemExit("killed")  # the process ends between the claim and the answer


class Remembers(DevelopmentGateway):
    """A gateway that can be asked what it accepted (as Twilio can)."""

    def __init__(self, accepted: list[SendResult]) -> None:
        super().__init__()
        self.accepted = accepted
        self.asked: list[tuple[str, str | None, datetime]] = []

    def find_sent(self, *, channel: str, to: str, body: str | None,
                  since: datetime, sender: str | None = None) -> list[SendResult]:
        self.asked.append((to, body, since))
        return list(self.accepted)


def _crash_while_sending(rt: Runtime, worker_id: int | None) -> int:
    """A queued reply whose sender dies mid-send; returns the message's id."""
    seed_due(rt.engine, 1, T0 + timedelta(days=1))
    with transaction(rt.sessions) as session:
        client = session.scalars(select(Client)).one()
        message = Message(direction="out", channel="sms", client_id=client.id,
                          worker_id=worker_id, to_number=phone(0), body="Soitan huomenna.",
                          gateway="development", status="queued", callback_token="tok-1",
                          created_at=T0, updated_at=T0)
        session.add(message)
        session.flush()
        message_id = message.id
    alive, rt.gateway = rt.gateway, Dies()
    with contextlib.suppress(SystemExit):
        send_message(rt, message_id, T0)
    rt.gateway = alive
    with transaction(rt.sessions) as session:
        assert session.get(Message, message_id).status == "sending"
    return message_id


def test_a_reply_left_sending_becomes_unknown_and_its_writer_is_told(
        rt: Runtime, worker: Worker, gateway: DevelopmentGateway) -> None:
    message_id = _crash_while_sending(rt, worker.id)
    lease = timedelta(seconds=rt.config.lease_seconds)

    # Within a lease it may still be on its way: left alone.
    early = tick(rt, now=T0 + lease - timedelta(seconds=1))
    assert (early.messages_adopted, early.messages_uncertain) == (0, 0)

    result = tick(rt, now=T0 + lease + timedelta(seconds=1))
    assert (result.messages_adopted, result.messages_uncertain) == (0, 1)
    assert gateway.sent == []  # never sent again blindly
    with transaction(rt.sessions) as session:
        assert session.get(Message, message_id).status == "unknown"
        item = session.scalars(select(InboxItem)).one()
        assert (item.kind, item.worker_id, item.message_id) == ("uncertain", worker.id,
                                                                message_id)
        assert "tarkista" in item.summary
    again = tick(rt, now=T0 + 3 * lease)
    assert again.messages_uncertain == 0
    with transaction(rt.sessions) as session:
        assert len(session.scalars(select(InboxItem)).all()) == 1


def test_a_confirmation_the_gateway_had_is_adopted_and_nobody_bothered(rt: Runtime) -> None:
    message_id = _crash_while_sending(rt, None)  # written by the service, not a worker
    rt.gateway = Remembers([SendResult(sid=SID, status="queued")])

    result = tick(rt, now=T0 + timedelta(seconds=rt.config.lease_seconds + 1))

    assert (result.messages_adopted, result.messages_uncertain) == (1, 0)
    assert rt.gateway.asked[0][:2] == (phone(0), "Soitan huomenna.")
    assert rt.gateway.asked[0][2] <= T0  # asked from before the message was written
    assert rt.gateway.sent == []
    with transaction(rt.sessions) as session:
        message = session.get(Message, message_id)
        assert (message.gateway_sid, message.status) == (SID, "queued")
        assert session.scalars(select(InboxItem)).first() is None


def test_an_unknown_confirmation_goes_to_the_clients_worker(rt: Runtime,
                                                            worker: Worker) -> None:
    message_id = _crash_while_sending(rt, None)
    with transaction(rt.sessions) as session:
        session.scalars(select(Client)).one().worker_id = worker.id

    result = tick(rt, now=T0 + timedelta(seconds=rt.config.lease_seconds + 1))

    assert result.messages_uncertain == 1
    with transaction(rt.sessions) as session:
        item = session.scalars(select(InboxItem)).one()
        assert (item.worker_id, item.message_id) == (worker.id, message_id)
