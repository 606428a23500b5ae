"""A text a worker wrote, reported undelivered and then delivered: the failure item closes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service.domain.messages.delivery import record_status
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import InboxItem, Message, Worker
from tests.web.conftest import make_client


def test_a_late_delivered_closes_the_failure_of_a_worker_text(rt: Runtime,
                                                              worker: Worker) -> None:
    person = make_client(rt, worker.id)
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with transaction(rt.sessions) as session:
        message = Message(direction="out", channel="sms", client_id=person.id,
                          worker_id=worker.id, to_number=person.phone, body="Soitan huomenna.",
                          status="sent", gateway_sid="SM" + "4" * 32, created_at=now,
                          updated_at=now)
        session.add(message)
        session.flush()
        record_status(session, rt, message, status="undelivered", error_code=30003,
                      answered_by=None, sid=None, now=now)
    with transaction(rt.sessions) as session:
        [item] = session.scalars(select(InboxItem)).all()
        assert (item.kind, item.state) == ("failed", "new")
        message = session.get(Message, message.id)
        assert message is not None
        record_status(session, rt, message, status="delivered", error_code=None,
                      answered_by=None, sid=None, now=now + timedelta(minutes=5))
    with transaction(rt.sessions) as session:
        [item] = session.scalars(select(InboxItem)).all()
        assert item.state == "handled"
        assert session.get(Message, message.id).status == "delivered"  # type: ignore[union-attr]
