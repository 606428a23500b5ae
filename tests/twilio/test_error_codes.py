"""Which Twilio errors are worth trying again, and how they are told to a worker."""

from __future__ import annotations

import pytest

from service.gateways.twilio_errors import EXPLANATIONS, PERMANENT, TRANSIENT, classify, describe


@pytest.mark.parametrize("code", [21211, 21614, 30006, 21610])
def test_permanent_codes(code: int) -> None:
    assert classify(code, 400) == "permanent"


@pytest.mark.parametrize("code,status", [(20429, 429), (30001, 400), (21611, 400)])
def test_transient_codes(code: int, status: int) -> None:
    assert classify(code, status) == "transient"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_rate_limit_and_server_errors_without_a_code_are_transient(status: int) -> None:
    assert classify(None, status) == "transient"


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_other_refusals_are_permanent(status: int) -> None:
    assert classify(None, status) == "permanent"
    assert classify(29999, status) == "permanent"


def test_a_code_decides_over_the_http_status() -> None:
    assert classify(21211, 500) == "permanent"
    assert classify(20429, 400) == "transient"


def test_every_classified_code_is_explained_in_finnish() -> None:
    assert set(EXPLANATIONS) >= (PERMANENT | TRANSIENT)
    assert not PERMANENT & TRANSIENT
    assert "puhelu" in describe(21614, 400) and "puhelu" in describe(30006, 400)
    assert "STOP" in describe(21610, 400)
    assert describe(None, 503).startswith("Twilio ei vastannut")
    assert describe(12345, 400) == "virhekoodi 12345"
