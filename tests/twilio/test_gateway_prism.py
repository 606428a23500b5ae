"""The real twilio SDK, through TwilioGateway, against Twilio's own API spec (Prism)."""

from __future__ import annotations

import pytest

from service.config import Config
from service.gateways.base import GatewayError
from service.gateways.twilio import ACCEPTED_STATUSES, TwilioGateway
from tests.twilio.helpers import (
    ACCOUNT_SID,
    CLIENT_PHONE,
    OUR_NUMBER,
    ScriptedHttpClient,
    twilio_config,
)

pytestmark = pytest.mark.prism
STATUS_URL = "https://rinnalla.example.fi/twilio/status/tok3n"
VOICE_URL = "https://rinnalla.example.fi/twilio/voice/tok3n"


def test_sms_is_sent_with_exactly_these_parameters(config: Config,
                                                   peer_http: ScriptedHttpClient) -> None:
    gateway = TwilioGateway(twilio_config(config, peer_http.peer or "").twilio,
                            http_client=peer_http)
    result = gateway.send_sms(CLIENT_PHONE, "Hei. Muistutus: ti 3.6. klo 10.00",
                              status_callback=STATUS_URL)
    assert result.sid[:2] in ("SM", "MM") and len(result.sid) == 34  # the spec allows both
    assert result.status in ACCEPTED_STATUSES
    [exchange] = peer_http.exchanges
    assert (exchange.method, exchange.status, exchange.scripted) == ("POST", 201, False)
    assert exchange.url == f"{peer_http.peer}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert exchange.data == {"To": CLIENT_PHONE, "From": OUR_NUMBER,
                             "Body": "Hei. Muistutus: ti 3.6. klo 10.00",
                             "StatusCallback": STATUS_URL}


def test_sms_through_a_messaging_service(config: Config, peer_http: ScriptedHttpClient) -> None:
    service_sid = "MG" + "ab" * 16
    cfg = twilio_config(config, peer_http.peer or "", messaging_service_sid=service_sid)
    TwilioGateway(cfg.twilio, http_client=peer_http).send_sms(CLIENT_PHONE, "Hei",
                                                       status_callback=None)
    assert peer_http.exchanges[0].data == {"To": CLIENT_PHONE, "Body": "Hei",
                                           "MessagingServiceSid": service_sid}
    assert peer_http.exchanges[0].status == 201


@pytest.mark.parametrize("machine_detection", [True, False])
def test_call_is_placed_with_our_twiml_and_status_urls(config: Config,
                                                       peer_http: ScriptedHttpClient,
                                                       machine_detection: bool) -> None:
    cfg = twilio_config(config, peer_http.peer or "", machine_detection=machine_detection)
    result = TwilioGateway(cfg.twilio, http_client=peer_http).place_call(
        CLIENT_PHONE, twiml_url=VOICE_URL, status_callback=STATUS_URL)
    assert result.sid.startswith("CA") and len(result.sid) == 34
    # Prism answers with random schema-valid data: whatever status it says, creating a
    # call only ever tells us Twilio has taken it.
    assert result.status in ACCEPTED_STATUSES
    [exchange] = peer_http.exchanges
    assert exchange.url == f"{peer_http.peer}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    expected = {"To": CLIENT_PHONE, "From": OUR_NUMBER, "Url": VOICE_URL, "Method": "POST",
                "StatusCallback": STATUS_URL, "StatusCallbackMethod": "POST"}
    if machine_detection:
        expected["MachineDetection"] = "Enable"
    assert exchange.data == expected
    assert exchange.status == 201


def test_each_send_gets_its_own_sid(config: Config, peer_http: ScriptedHttpClient) -> None:
    gateway = TwilioGateway(twilio_config(config, peer_http.peer or "").twilio,
                            http_client=peer_http)
    sids = {gateway.place_call(CLIENT_PHONE, twiml_url=VOICE_URL, status_callback=None).sid
            for _ in range(3)}
    assert len(sids) == 3


def test_the_peer_really_validates_requests(config: Config, twilio_peer: str) -> None:
    """A request Twilio would refuse is refused by the peer too (422), and is not retried."""
    http = ScriptedHttpClient(twilio_peer)  # not peer_http: this refusal is the point
    cfg = twilio_config(config, twilio_peer, messaging_service_sid="MG-not-a-sid")
    with pytest.raises(GatewayError) as caught:
        TwilioGateway(cfg.twilio, http_client=http).send_sms(CLIENT_PHONE, "Hei",
                                                             status_callback=None)
    assert [e.status for e in http.exchanges] == [422]
    assert caught.value.permanent and not caught.value.uncertain


def test_a_call_needs_our_own_number(config: Config, peer_http: ScriptedHttpClient) -> None:
    cfg = twilio_config(config, peer_http.peer or "", from_number="",
                        messaging_service_sid="MG" + "ab" * 16)
    with pytest.raises(GatewayError) as caught:
        TwilioGateway(cfg.twilio, http_client=peer_http).place_call(
            CLIENT_PHONE, twiml_url=VOICE_URL, status_callback=None)
    assert caught.value.permanent
    assert peer_http.exchanges == []


def test_a_teams_own_number_and_messaging_service(config: Config,
                                                  peer_http: ScriptedHttpClient) -> None:
    """A team's sender (the message row's from_number) is what Twilio is asked to send
    from; a call for a team texting through a messaging service comes from our number."""
    gateway = TwilioGateway(twilio_config(config, peer_http.peer or "").twilio,
                            http_client=peer_http)
    gateway.send_sms(CLIENT_PHONE, "Hei", status_callback=None, sender="+358457770000")
    service_sid = "MG" + "cd" * 16
    gateway.send_sms(CLIENT_PHONE, "Hei", status_callback=None, sender=service_sid)
    gateway.place_call(CLIENT_PHONE, twiml_url=VOICE_URL, status_callback=None,
                       sender=service_sid)
    gateway.place_call(CLIENT_PHONE, twiml_url=VOICE_URL, status_callback=None,
                       sender="+358457770000")
    sms_team, sms_service, call_ours, call_team = (e.data for e in peer_http.exchanges)
    assert sms_team == {"To": CLIENT_PHONE, "From": "+358457770000", "Body": "Hei"}
    assert sms_service == {"To": CLIENT_PHONE, "Body": "Hei", "MessagingServiceSid": service_sid}
    assert call_ours["From"] == OUR_NUMBER and call_team["From"] == "+358457770000"
    assert all(e.status == 201 for e in peer_http.exchanges)
