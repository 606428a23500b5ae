"""Inbox search and filters (client name or number, kind, state), and the reply's
checks: a link refused with the reason, an emoji's UCS-2 cost named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service import clock
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import InboxItem, Message, Worker
from service.store.states import Direction, InboxKind, InboxState, MessageStatus
from tests.web.conftest import Browser, make_client

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _item(rt: Runtime, worker_id: int | None, client_id: int | None, kind: InboxKind,
          state: InboxState = InboxState.NEW, sender: str | None = None) -> int:
    with transaction(rt.sessions) as session:
        message = None
        if sender is not None:
            message = Message(direction=Direction.IN, channel="sms", client_id=client_id,
                              from_number=sender, to_number="+358451234567", body="Hei",
                              status=MessageStatus.RECEIVED, created_at=NOW, updated_at=NOW)
            session.add(message)
            session.flush()
        item = InboxItem(worker_id=worker_id, client_id=client_id, kind=kind, state=state,
                         summary="Asiakas vastasi", created_at=NOW,
                         message_id=message.id if message else None)
        session.add(item)
        session.flush()
        return item.id


def _shown(browser: Browser, url: str) -> set[int]:
    page = browser.get(url).get_data(as_text=True)
    with_ids = [part.split('"', 1)[0] for part in page.split('id="item-')[1:]]
    return {int(i) for i in with_ids}


def test_search_and_filter_the_inbox(signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    aino = make_client(rt, worker.id, "Aino Aalto", "040 111 2222")
    eino = make_client(rt, worker.id, "Eino Eskola", "040 333 4444")
    a_reply = _item(rt, worker.id, aino.id, InboxKind.REPLY, sender="+358401112222")
    a_stop = _item(rt, worker.id, aino.id, InboxKind.STOP, InboxState.HANDLED)
    e_reply = _item(rt, worker.id, eino.id, InboxKind.REPLY, InboxState.READ)
    stranger = _item(rt, None, None, InboxKind.UNKNOWN_SENDER, sender="+358409998888")
    assert _shown(signed_in, "/inbox") == {a_reply, e_reply}
    assert _shown(signed_in, "/inbox?q=aalto&state=all") == {a_reply, a_stop}
    assert _shown(signed_in, "/inbox?q=040+333+4444") == {e_reply}
    assert _shown(signed_in, "/inbox?kind=stop&state=all") == {a_stop}
    assert _shown(signed_in, "/inbox?state=read") == {e_reply}
    assert _shown(signed_in, "/inbox?state=new") == {a_reply}
    assert _shown(signed_in, "/inbox?state=handled") == {a_stop}
    assert _shown(signed_in, "/inbox?box=team&q=0409998888") == {stranger}
    assert _shown(signed_in, "/inbox?state=nonsense&kind=nonsense") == {a_reply, e_reply}
    page = signed_in.get("/inbox?q=Aalto&kind=reply").get_data(as_text=True)
    assert 'value="Aalto"' in page and '<option value="reply" selected>' in page
    assert signed_in.get("/inbox?q=" + "x" * 5000).status_code == 422


def test_a_reply_with_a_link_is_refused_and_an_emoji_named(
        signed_in: Browser, rt: Runtime, worker: Worker, gateway: DevelopmentGateway) -> None:
    aino = make_client(rt, worker.id, "Aino Aalto", "040 111 2222")
    item_id = _item(rt, worker.id, aino.id, InboxKind.REPLY, sender="+358401112222")
    clock.freeze(NOW + timedelta(minutes=1))
    signed_in.get(f"/inbox/{item_id}")
    response = signed_in.post(f"/inbox/{item_id}/reply",
                              {"body": "Katso ohje: https://example.fi/ohje \U0001F600"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Viestissä on linkki (https://example.fi/ohje)" in page
    assert "U+1F600" in page  # the live check's words come back without JavaScript too
    assert gateway.sent == []
    page = signed_in.post(f"/inbox/{item_id}/reply", {"body": "Selvä \U0001F600"},
                          follow_redirects=True).get_data(as_text=True)
    assert "U+1F600" in page and "UCS-2" in page
    assert gateway.sent == [("sms", "+358401112222", "Selvä \U0001F600")]
    with transaction(rt.sessions) as session:
        assert session.scalars(select(Message).where(
            Message.direction == Direction.OUT)).one().worker_id == worker.id
