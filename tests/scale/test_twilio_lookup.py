"""After a crash, Twilio's message list tells whether it took our message (real SDK,
loopback peer)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.config import Config
from service.gateways.twilio import TwilioGateway
from tests.scale import processes as procs

TO = "+358401112233"


@pytest.fixture
def gateway(config: Config, tmp_path: Path) -> Iterator[TwilioGateway]:
    peer, port = procs.start_peer(tmp_path)
    twilio = replace(config.twilio, account_sid=procs.ACCOUNT_SID, auth_token=procs.AUTH_TOKEN,
                     api_base_url=f"http://127.0.0.1:{port}", messages_per_second=100.0)
    try:
        yield TwilioGateway(twilio)
    finally:
        peer.kill()
        peer.wait()


def test_finds_our_message_by_number_text_and_time(gateway: TwilioGateway) -> None:
    before = datetime.now(UTC) - timedelta(seconds=2)
    other = gateway.send_sms(TO, "Toinen muistutus", status_callback=None)
    ours = gateway.send_sms(TO, "Muistutus: ti 3.6. klo 10.00", status_callback=None)
    gateway.send_sms("+358409998877", "Muistutus: ti 3.6. klo 10.00", status_callback=None)

    found = gateway.find_sent(channel="sms", to=TO, body="Muistutus: ti 3.6. klo 10.00",
                              since=before)

    assert [f.sid for f in found] == [ours.sid] and other.sid != ours.sid
    assert found[0].status == "queued"
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert gateway.find_sent(channel="sms", to=TO, body="Muistutus: ti 3.6. klo 10.00",
                             since=later) == []
    assert gateway.find_sent(channel="sms", to=TO, body="ei tällaista", since=before) == []
