"""No personal data in application logs: the whole loop, errors included, logs no phone
number unmasked and no message body."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from service.gateways.base import GatewayError
from service.gateways.development import DevelopmentGateway
from service.operations.logmask import install_log_masking, mask_text
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Message
from tests.conftest import Api, signed_post

PHONE, OTHER, STRANGER = "+358401234567", "+358501234567", "+358449998888"
BODIES = ("Kyllä tulen", "Kuka tämä on", "SALAINEN RUNKO", "Keskuskatu 5", "henkilökortti")
FORMS = (PHONE, "358401234567", "0401234567", "040 123 4567", "401234567",
         OTHER, "0501234567", "501234567", STRANGER, "449998888")


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """What a real handler on the root logger writes, tracebacks included."""
    install_log_masking()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.mark.parametrize("raw, masked", [
    ("+358401234567", "+358***67"),
    ("+358 40 123 4567", "+358***67"),
    ("040 123 4567", "+358***67"),
    ("040-1234567", "+358***67"),
    ("0401234567", "+358***67"),
    ("00358401234567", "+358***67"),
    ("358401234567", "+358***67"),
    ("To=%2B358401234567&Body=x", "To=%2B358***67&Body=x"),
    ("+358401234567 and +358401234568", "+358***67 and +358***68"),
    ("reminder 12345 at 2026-06-03T10:00:00+03:00", "reminder 12345 at 2026-06-03T10:00:00+03:00"),
    ("took 0.1234567 s", "took 0.1234567 s"),
])
def test_numbers_are_masked_and_other_figures_left_alone(raw: str, masked: str) -> None:
    assert mask_text(raw) == masked


def test_whole_loop_logs_no_number_and_no_body(api: Api, client, rt: Runtime,
                                               gateway: DevelopmentGateway,
                                               output: io.StringIO,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cid = api.post("/clients", {"name": "Matti", "phone": "040 123 4567"}).json["id"]
    api.post("/clients", {"name": "Liisa", "phone": OTHER})
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=7, minute=0, second=0, microsecond=0)
    api.post("/appointments", {"client_id": cid, "starts_at": starts.isoformat(),
                               "place": "Keskuskatu 5", "bring": "henkilökortti"})
    due = sorted(datetime.fromisoformat(r["send_at"]) for r in
                 api.get(f"/reminders?client_id={cid}").json["reminders"]
                 if r["state"] == "planned")
    # 1st due: the gateway blows up with the number in its message (SDKs do that).
    gateway.fail_next.append(RuntimeError(f"connection reset while sending to {PHONE}"))  # type: ignore[arg-type]
    first = tick(rt, now=due[0] + timedelta(seconds=1))
    assert first.errors  # the error really happened and was logged
    # next: a permanent gateway error quoting the number, then a normal send
    gateway.fail_next.append(GatewayError(f"The 'To' number {PHONE} is not valid",
                                          code=21211, permanent=True))
    tick(rt, now=due[-1] + timedelta(seconds=1))
    # replies: from the client, from a stranger, and LOPETA from the other client
    for sid, sender, body in (("1", PHONE, "Kyllä tulen"), ("2", STRANGER, "Kuka tämä on?"),
                              ("3", OTHER, "LOPETA")):
        r = signed_post(client, "/twilio/sms", {"MessageSid": "SM" + sid * 32, "From": sender,
                                                "To": "+358451234567", "Body": body})
        assert r.status_code == 200
    tick(rt, now=due[-1] + timedelta(minutes=1))  # sends the opt-out confirmation
    # a database error whose statement carried a body
    try:
        with transaction(rt.sessions) as session:
            session.execute(text("INSERT INTO messages (direction, channel, to_number, "
                                 "from_number, body, gateway, status, created_at, updated_at,"
                                 " gateway_sid) VALUES ('in', 'sms', :to, :to, :body, 'x', "
                                 "'x', :at, :at, :sid)"),
                            [{"to": PHONE, "body": "SALAINEN RUNKO", "sid": "dup",
                              "at": datetime.now(UTC).replace(tzinfo=None)}] * 2)
    except IntegrityError:
        logging.getLogger("service.test").exception("could not store a message")
    # and code that logs a number outright
    logging.getLogger("service.test").warning("calling %s failed, also %s", PHONE, "040 123 4567")

    written = output.getvalue()
    for log in (caplog.text, written):
        assert "+358***67" in log  # numbers did reach the log, masked
        assert "Traceback" in log  # the errors were logged with their tracebacks
        leaks = [f for f in FORMS if f in log] + [b for b in BODIES if b in log]
        assert leaks == [], leaks
    with transaction(rt.sessions) as session:  # the body is in the database, not the log
        assert session.query(Message).filter(Message.body == "Kyllä tulen").count() == 1


def test_masking_applies_to_every_logger_and_handler(output: io.StringIO) -> None:
    logging.getLogger("gunicorn.error").error("peer %s gone", PHONE)
    logging.getLogger("werkzeug").info('POST /twilio/sms?From=%s 200', "%2B358401234567")
    assert PHONE not in output.getvalue() and "358401234567" not in output.getvalue()
    assert output.getvalue().count("358***67") == 2


def test_sdk_request_logging_is_held_back() -> None:
    install_log_masking()
    assert logging.getLogger("twilio.http_client").getEffectiveLevel() >= logging.WARNING
