"""Webhooks refuse cheaply and store only what fits: no signature, too big or too many
fields is refused before the form is parsed; signed fields are bounded; the same
MessageSid posted at once by several requests is stored once and answered 200 each."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.domain.fields import INBOUND_BODY_MAX
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling.text_reading import read_waiting
from service.store.db import transaction
from service.store.models import InboundText, InboxItem, Message, Worker
from service.web.twilio.bounds import MAX_BYTES, MAX_FIELDS
from tests.conftest import Api, load_all, sign, signed_post
from tests.twilio.test_voice import CALL_SID, _call, _call_params

CLIENT_PHONE = "+358401234567"


def _inbound(sid: str, body: str = "Kyllä tulen", sender: str = CLIENT_PHONE) -> dict[str, str]:
    return {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
            "To": "+358451234567", "Body": body, "NumMedia": "0"}


def _inbound_messages(rt: Runtime) -> list[Message]:
    return load_all(rt, select(Message).where(Message.direction == "in").order_by(Message.id))


def test_unsigned_or_oversized_requests_are_refused_before_parsing(client: FlaskClient,
                                                                   rt: Runtime) -> None:
    huge = {"Body": "x" * (4_400_000), "MessageSid": "SM" + "1" * 32, "From": CLIENT_PHONE}
    started = time.monotonic()
    for path in ("/twilio/sms", "/twilio/status/some-token", "/twilio/voice/incoming"):
        assert client.post(path, data=huge).status_code == 403, path  # no signature
        oversized = client.post(path, data=huge, headers={"X-Twilio-Signature": "x"})
        assert oversized.status_code == 413, path
    many = {f"Field{i}": "1" for i in range(MAX_FIELDS + 1)}
    assert client.post("/twilio/sms", data=many,
                       headers={"X-Twilio-Signature": "x"}).status_code == 413
    multipart = client.post("/twilio/sms", data={"Body": "x", "f": (b"x", "a.txt")},
                            headers={"X-Twilio-Signature": "x"},
                            content_type="multipart/form-data")
    assert multipart.status_code == 415
    # The refusals above read at most MAX_BYTES each: parsing 4.4 MB took seconds.
    assert time.monotonic() - started < 3
    assert client.get("/healthz").status_code == 200
    assert _inbound_messages(rt) == []
    assert MAX_BYTES < 5 * 1024 * 1024 // 10  # far below the app's 5 MB


def test_signed_fields_are_bounded(client: FlaskClient, rt: Runtime, worker: Worker,
                                   api: Api) -> None:
    api.post("/clients", {"name": "Matti", "phone": CLIENT_PHONE})
    long_sid = _inbound("SM" + "1" * 298)
    assert signed_post(client, "/twilio/sms", long_sid).status_code == 400
    odd_sid = _inbound("SM\x00" + "1" * 31)
    assert signed_post(client, "/twilio/sms", odd_sid).status_code == 400
    assert _inbound_messages(rt) == []
    body = "Tulen\x00 kyllä\x1b " + "ä" * 5000
    response = signed_post(client, "/twilio/sms", _inbound("SM" + "2" * 32, body=body,
                                                           sender=CLIENT_PHONE + "\x00"))
    assert response.status_code == 200
    [stored] = _inbound_messages(rt)
    assert len(stored.body or "") == INBOUND_BODY_MAX
    assert (stored.body or "").startswith("Tulen kyllä ä")
    assert stored.from_number == CLIENT_PHONE and stored.client_id is not None
    stranger = _inbound("SM" + "3" * 32, sender="\x00" * 300)
    assert signed_post(client, "/twilio/sms", stranger).status_code == 200


def test_signed_status_and_call_fields_are_bounded(api: Api, client: FlaskClient, rt: Runtime,
                                                   gateway: DevelopmentGateway) -> None:
    _, path = _call(api, rt, gateway)
    token = path.rsplit("/", 1)[-1]
    status = f"/twilio/status/{token}"
    for params in (_call_params(CallSid="CA" + "1" * 298),
                   _call_params(CallSid="CA" + "1" * 31 + "\u0661")):
        assert signed_post(client, status, params).status_code == 400
        assert signed_post(client, f"{path}/gather", {**params, "Digits": "1"}
                           ).status_code == 400
    for code in ("\u00b2", "9" * 40, "-1"):
        params = _call_params(CallStatus="failed", ErrorCode=code, AnsweredBy="m" * 300)
        assert signed_post(client, status, params).status_code == 200
    assert signed_post(client, path, _call_params(AnsweredBy="machine_start" + "x" * 300)
                       ).status_code == 200
    [message] = load_all(rt, select(Message).where(Message.channel == "voice"))
    assert message.error_code is None and len(message.answered_by or "") <= 30
    assert signed_post(client, "/twilio/status/" + "x" * 65, _call_params()).status_code == 404
    assert signed_post(client, "/twilio/voice/incoming",
                       _call_params(From="\x00" + "4" * 500)).status_code == 200


def _post_at_once(app: Flask, path: str, params: dict[str, str], count: int) -> list[int]:
    """`count` requests with the same form, released together from their own threads."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def post() -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            response = client.post(path, data=params,
                                   headers={"X-Twilio-Signature": sign(path, params)})
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # reported below, not lost in the thread
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


def test_the_same_message_posted_concurrently_is_stored_once(app: Flask, api: Api,
                                                             rt: Runtime) -> None:
    api.post("/clients", {"name": "Matti", "phone": CLIENT_PHONE})
    for round_ in range(3):
        sid = f"SM{round_:032d}"
        statuses = _post_at_once(app, "/twilio/sms", _inbound(sid, body="soita"), 8)
        assert statuses == [200] * 8
        with transaction(rt.sessions) as session:  # stored once, not yet read
            assert session.scalar(select(func.count()).select_from(InboundText).where(
                InboundText.gateway_sid == sid)) == 1
        assert read_waiting(rt).read == 1
        with transaction(rt.sessions) as session:
            assert session.scalar(select(func.count()).select_from(Message).where(
                Message.gateway_sid == sid)) == 1
            assert session.scalar(select(func.count()).select_from(InboxItem).join(
                Message, InboxItem.message_id == Message.id).where(
                Message.gateway_sid == sid)) == 1


def test_the_same_key_press_posted_concurrently_is_stored_once(
        app: Flask, api: Api, client: FlaskClient, rt: Runtime,
        gateway: DevelopmentGateway) -> None:
    _, path = _call(api, rt, gateway)
    params: dict[str, Any] = {**_call_params(), "Digits": "1"}
    statuses = _post_at_once(app, f"{path}/gather", params, 6)
    assert statuses == [200] * 6
    replies = [m for m in _inbound_messages(rt) if m.gateway_sid == f"{CALL_SID}:1"]
    assert len(replies) == 1


def test_a_retried_message_is_stored_and_acted_on_once(api: Api, client: FlaskClient,
                                                       rt: Runtime) -> None:
    """The webhook no longer looks the sid up first: a retry after the first was stored
    is rolled back at its INSERT, answered 200, and changes nothing twice."""
    api.post("/clients", {"name": "Matti", "phone": CLIENT_PHONE})
    sid = "SM" + "9" * 32
    for _ in range(2):
        assert signed_post(client, "/twilio/sms", _inbound(sid, body="LOPETA")).status_code == 200
    with transaction(rt.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Message).where(
            Message.gateway_sid == sid)) == 1
        assert session.scalar(select(func.count()).select_from(InboxItem).join(
            Message, InboxItem.message_id == Message.id).where(
            Message.gateway_sid == sid)) == 1
        confirmations = session.scalars(select(Message).where(
            Message.direction == "out", Message.to_number == CLIENT_PHONE)).all()
    assert len(confirmations) == 1  # the opt-out confirmation, queued once
