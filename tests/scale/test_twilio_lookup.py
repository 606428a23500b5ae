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


def test_a_teams_own_sender_is_used_and_found_again(config: Config, tmp_path: Path) -> None:
    """A team's number is what the text goes out from (From) and what the look-up after a
    crash accepts; a messaging service's texts are ours from any of its numbers."""
    peer, port = procs.start_peer(tmp_path)
    twilio = replace(config.twilio, account_sid=procs.ACCOUNT_SID, auth_token=procs.AUTH_TOKEN,
                     api_base_url=f"http://127.0.0.1:{port}", messages_per_second=100.0,
                     from_number="+358451234567")
    try:
        gateway = TwilioGateway(twilio)
        before = datetime.now(UTC) - timedelta(seconds=2)
        sent = gateway.send_sms(TO, "Tiimin muistutus", status_callback=None,
                                sender="+358457770000")
        found = gateway.find_sent(channel="sms", to=TO, body="Tiimin muistutus", since=before,
                                  sender="+358457770000")
        assert [f.sid for f in found] == [sent.sid]
        # Without the team's sender the look-up sees a text from a number not ours.
        assert gateway.find_sent(channel="sms", to=TO, body="Tiimin muistutus",
                                 since=before) == []
        service = "MG" + "ab" * 16
        via = gateway.send_sms(TO, "Palvelun kautta", status_callback=None, sender=service)
        assert [f.sid for f in gateway.find_sent(channel="sms", to=TO, body="Palvelun kautta",
                                                 since=before, sender=service)] == [via.sid]
    finally:
        peer.kill()
        peer.wait()
