"""The SDK's HTTP client: Twilio by default, a peer only on loopback, never anywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import ConfigError, load_config
from service.gateways import make_gateway
from service.gateways.rate_limit import RateLimiter
from service.gateways.twilio_http import PeerAddressError, RewritingHttpClient, peer_base_url

ENV = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret",
       "TWILIO_FROM_NUMBER": "+358451234567", "RINNALLA_GATEWAY": "twilio",
       "RINNALLA_SECRET_KEY": "test-secret-key"}


@pytest.mark.parametrize("url", ["https://api.twilio.com", "https://api.twilio.com/", ""])
def test_twilio_itself_is_not_rewritten(url: str) -> None:
    assert peer_base_url(url) is None
    client = RewritingHttpClient(url)
    path = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert client.target(path) == path


@pytest.mark.parametrize("url,expected", [
    ("http://127.0.0.1:4010", "http://127.0.0.1:4010"),
    ("http://127.0.0.1:4010/", "http://127.0.0.1:4010"),
    ("http://localhost:4010", "http://localhost:4010"),
    ("http://[::1]:4010", "http://[::1]:4010"),
    ("http://127.9.9.9:80", "http://127.9.9.9:80"),
])
def test_loopback_peers_are_accepted(url: str, expected: str) -> None:
    assert peer_base_url(url) == expected
    client = RewritingHttpClient(url)
    assert client.target("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json") == \
        expected + "/2010-04-01/Accounts/AC1/Calls.json"


@pytest.mark.parametrize("url", [
    "http://10.0.0.5:4010", "https://api.example.com", "http://127.0.0.1.example.com:4010",
    "http://192.168.1.2", "ftp://127.0.0.1:4010", "http://127.0.0.1:4010/twilio",
    "http://user@127.0.0.1:4010", "127.0.0.1:4010", "https://api.twilio.com.example.com",
])
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(PeerAddressError):
        peer_base_url(url)


def test_with_a_peer_no_request_reaches_another_host() -> None:
    client = RewritingHttpClient("http://127.0.0.1:4010")
    with pytest.raises(PeerAddressError):
        client.target("https://messaging.twilio.com/v1/Services")
    with pytest.raises(PeerAddressError):
        client.target("https://api.twilio.com.evil.example/2010-04-01/")


def test_timeouts_are_set_for_connect_and_read() -> None:
    assert RewritingHttpClient(timeout_seconds=12.0).timeout == (5.0, 12.0)
    assert RewritingHttpClient(timeout_seconds=2.0).timeout == (2.0, 2.0)
    with pytest.raises(ValueError):
        RewritingHttpClient(timeout_seconds=0)


def test_a_non_loopback_api_base_url_stops_the_start() -> None:
    config = load_config(env={**ENV, "TWILIO_API_BASE_URL": "http://203.0.113.9:4010"},
                         team_name="Kunnan palvelut", team_phone="+358141234567")
    with pytest.raises(ValueError, match="loopback"):
        make_gateway(config.gateway_kind, config.twilio)


def test_rates_must_be_positive(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text("[twilio]\ncalls_per_second = 0.0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"twilio\.calls_per_second must be above zero"):
        load_config(file, env=ENV)  # refused at start-up, before any gateway is built
    with pytest.raises(ValueError, match="voice"):
        RateLimiter({"sms": 10.0, "voice": 0.0})


def test_twilio_gateway_needs_its_secrets_from_the_environment() -> None:
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        load_config(env={k: v for k, v in ENV.items() if k != "TWILIO_AUTH_TOKEN"})
