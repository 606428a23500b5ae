"""Which Twilio errors are worth trying again, and how they are told to a worker."""

from __future__ import annotations

import pytest

from service.domain.planning.reminder_states import REASONS
from service.gateways.twilio_errors import (
    CODES,
    ErrorOutcome,
    classify,
    describe,
    is_permanent,
    opts_out,
    reminder_reason,
)


@pytest.mark.parametrize("code", [21211, 21614, 30006, 21610])
def test_permanent_codes(code: int) -> None:
    assert classify(code, 400) == ErrorOutcome.PERMANENT
    assert is_permanent(code)


@pytest.mark.parametrize("code,status", [(20429, 429), (30001, 400), (21611, 400)])
def test_transient_codes(code: int, status: int) -> None:
    assert classify(code, status) == ErrorOutcome.TRANSIENT
    assert not is_permanent(code)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_rate_limit_and_server_errors_without_a_code_are_transient(status: int) -> None:
    assert classify(None, status) == ErrorOutcome.TRANSIENT


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_other_refusals_are_permanent(status: int) -> None:
    assert classify(None, status) == ErrorOutcome.PERMANENT
    assert classify(29999, status) == ErrorOutcome.PERMANENT


def test_a_code_decides_over_the_http_status() -> None:
    assert classify(21211, 500) == ErrorOutcome.PERMANENT
    assert classify(20429, 400) == ErrorOutcome.TRANSIENT


def test_a_callback_only_code_is_judged_by_the_http_status() -> None:
    """30003 (handset unreachable) comes in status callbacks; it has words, no outcome."""
    assert classify(30003, 503) == ErrorOutcome.TRANSIENT
    assert classify(30003, 400) == ErrorOutcome.PERMANENT
    assert not is_permanent(30003)
    assert "tavoitettavissa" in describe(30003, None)


def test_every_code_is_explained_in_finnish() -> None:
    assert all(code.words for code in CODES.values())
    assert "puhelu" in describe(21614, 400) and "puhelu" in describe(30006, 400)
    assert "STOP" in describe(21610, 400)
    assert describe(None, 503).startswith("Twilio ei vastannut")
    assert describe(12345, 400) == "virhekoodi 12345"


def test_every_permanent_code_gives_a_reminder_reason_the_ui_can_show() -> None:
    for number, code in CODES.items():
        if code.outcome is ErrorOutcome.PERMANENT:
            assert code.reason in REASONS, number
        else:
            assert code.reason is None and not code.opted_out, number
    assert (reminder_reason(21211), reminder_reason(21614), reminder_reason(30006),
            reminder_reason(21610)) == ("invalid_number", "not_a_mobile", "not_a_mobile",
                                        "unsubscribed")
    assert reminder_reason(20003) == "gateway_error"
    assert reminder_reason(None) == reminder_reason(12345) == "gateway_error"


def test_only_a_stop_at_twilio_opts_the_recipient_out() -> None:
    assert [number for number in CODES if opts_out(number)] == [21610]
    assert not opts_out(None) and not opts_out(12345)
