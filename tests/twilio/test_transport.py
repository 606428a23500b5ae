"""When the connection fails: before the request left (retry) or after (never blindly).

Real sockets on loopback play the network: a port nobody listens on, a server that
takes the request and never answers, and one that takes it and drops the line.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from service.config import Config
from service.gateways.base import GatewayError
from service.gateways.twilio import TwilioGateway
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import InboxItem, Message, Reminder
from tests.conftest import Api
from tests.twilio.conftest import runtime_on
from tests.twilio.helpers import (
    CLIENT_PHONE,
    ScriptedHttpClient,
    register_appointment,
    twilio_config,
)


class LoopbackServer:
    """Accepts connections and reads each request; then stays silent or resets the line."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests: list[bytes] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            self.requests.append(data)
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                self._held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def silent() -> Iterator[LoopbackServer]:
    server = LoopbackServer("silent")
    yield server
    server.close()


@pytest.fixture
def resetting() -> Iterator[LoopbackServer]:
    server = LoopbackServer("reset")
    yield server
    server.close()


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _gateway(config: Config, url: str) -> TwilioGateway:
    return TwilioGateway(twilio_config(config, url, timeout_seconds=0.5).twilio,
                         http_client=ScriptedHttpClient(url, timeout_seconds=0.5))


def test_connection_refused_is_transient(config: Config) -> None:
    with pytest.raises(GatewayError) as caught:
        _gateway(config, _closed_port_url()).send_sms(CLIENT_PHONE, "Hei", status_callback=None)
    assert not caught.value.permanent and not caught.value.uncertain


def test_no_answer_after_the_request_left_is_uncertain(config: Config,
                                                       silent: LoopbackServer) -> None:
    with pytest.raises(GatewayError) as caught:
        _gateway(config, silent.url).place_call(CLIENT_PHONE, twiml_url="https://x.fi/v",
                                                status_callback=None)
    assert caught.value.uncertain and not caught.value.permanent
    assert len(silent.requests) == 1 and b"POST /2010-04-01/Accounts/" in silent.requests[0]


def test_a_reset_after_the_request_left_is_uncertain(config: Config,
                                                     resetting: LoopbackServer) -> None:
    with pytest.raises(GatewayError) as caught:
        _gateway(config, resetting.url).send_sms(CLIENT_PHONE, "Hei", status_callback=None)
    assert caught.value.uncertain
    assert len(resetting.requests) == 1


def test_uncertain_send_is_marked_surfaced_and_never_repeated(
        config: Config, engine: Engine, api: Api, silent: LoopbackServer) -> None:
    """Through a real dispatch tick: the worker is told, and later ticks send nothing."""
    http = ScriptedHttpClient(silent.url, timeout_seconds=0.5)
    rt = runtime_on(twilio_config(config, silent.url, timeout_seconds=0.5), engine, http)
    reg = register_appointment(api, channel="sms")
    result = tick(rt, now=reg.due())
    assert (result.claimed, result.uncertain) == (1, 1)
    for later in (600, 3600, 86400):
        tick(rt, now=reg.due() + timedelta(seconds=later))
    assert len(silent.requests) == 1
    with transaction(rt.sessions) as session:
        reminder = session.get(Reminder, reg.reminders["week_before"]["id"])
        assert (reminder.state, reminder.reason) == ("uncertain", "outcome_unknown")
        message = session.scalars(select(Message).where(Message.reminder_id == reminder.id)
                                  ).one()
        assert message.status == "unknown" and message.gateway_sid is None
        [item] = session.scalars(select(InboxItem)).all()
        assert item.kind == "uncertain" and item.reminder_id == reminder.id


def test_refused_connection_is_retried_later_through_dispatch(config: Config, engine: Engine,
                                                              api: Api) -> None:
    url = _closed_port_url()
    rt = runtime_on(twilio_config(config, url), engine, ScriptedHttpClient(url))
    reg = register_appointment(api, channel="sms")
    result = tick(rt, now=reg.due())
    assert result.retried == 1
    with transaction(rt.sessions) as session:
        reminder = session.get(Reminder, reg.reminders["week_before"]["id"])
        assert reminder.state == "planned" and reminder.attempts == 1
        assert reminder.send_at > reg.due()
        assert session.scalars(select(InboxItem)).first() is None

