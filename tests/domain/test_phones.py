"""Tests for service.domain.phones: parsing, types, errors, masking, display."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.phones import (
    Phone,
    PhoneError,
    format_phone_national,
    mask_phone,
    parse_phone,
)

FINNISH_HINT = "040 123 4567"


@pytest.mark.parametrize(
    "raw",
    [
        "040 123 4567",
        "+358 40 1234567",
        "0401234567",
        "+358-40-123 4567",
        "00358401234567",
        "+358401234567",
        "+358 40 123 4567",
        "040-1234567",
        "040 1234 567",
        "(040) 123 4567",
        "040/1234567",
        "040.123.4567",
        "+358 (0) 40 123 4567",
        "+358 040 123 4567",
        "00 358 40 123 4567",
        "  040 123 4567  ",
        "040\u00a0123\u00a04567",
        "040\u202f123\u202f4567",
        "040\t123\t4567",
        "040\u2013123\u20134567",
        "\uff10\uff14\uff10 \uff11\uff12\uff13 \uff14\uff15\uff16\uff17",  # full-width digits
        "\uff0b358401234567",  # full-width plus
    ],
)
def test_finnish_mobile_spellings_give_one_e164(raw: str) -> None:
    phone = parse_phone(raw)
    assert phone == Phone(e164="+358401234567", number_type="mobile")
    assert phone.can_receive_sms


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("050 123 4567", "+358501234567"),
        ("044 123 4567", "+358441234567"),
        ("045 7312 3456", "+3584573123456"),
        ("0457 312 3456", "+3584573123456"),
        ("046 123 4567", "+358461234567"),
        ("041 123 4567", "+358411234567"),
        ("+358 50 1234567", "+358501234567"),
    ],
)
def test_other_finnish_mobile_prefixes(raw: str, e164: str) -> None:
    assert parse_phone(raw) == Phone(e164, "mobile")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("014 123 4567", "+358141234567"),
        ("09 1234 5678", "+358912345678"),
        ("09 123 4567", "+35891234567"),
        ("+358 9 1234 5678", "+358912345678"),
        ("017 123 4567", "+358171234567"),
        ("018 12345", "+3581812345"),
    ],
)
def test_finnish_landlines_are_fixed_line_and_cannot_get_sms(raw: str, e164: str) -> None:
    phone = parse_phone(raw)
    assert phone == Phone(e164, "fixed_line")
    assert not phone.can_receive_sms


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0800 123 456", "+358800123456"),  # toll free
        ("0600 12345", "+35860012345"),  # premium rate
        ("0100 100", "+358100100"),  # national service number
        ("020 123 456", "+35820123456"),  # nationwide (UAN)
        ("+800 1234 5678", "+80012345678"),  # international freephone
    ],
)
def test_service_numbers_are_other(raw: str, e164: str) -> None:
    phone = parse_phone(raw)
    assert phone == Phone(e164, "other")
    assert not phone.can_receive_sms


@pytest.mark.parametrize(
    ("raw", "e164", "number_type"),
    [
        ("+46 70 123 45 67", "+46701234567", "mobile"),
        ("0046 70 123 45 67", "+46701234567", "mobile"),
        ("+46 8 123 456 78", "+46812345678", "fixed_line"),
        ("+44 7911 123456", "+447911123456", "mobile"),
        ("+49 151 23456789", "+4915123456789", "mobile"),
        ("+372 5123 4567", "+37251234567", "mobile"),
        # North America cannot tell mobile from landline: treated as mobile.
        ("+1 202 555 0143", "+12025550143", "mobile"),
    ],
)
def test_foreign_numbers_with_plus(raw: str, e164: str, number_type: str) -> None:
    assert parse_phone(raw) == Phone(e164, number_type)  # type: ignore[arg-type]


def test_region_changes_how_national_numbers_are_read() -> None:
    assert parse_phone("070-123 45 67", region="SE") == Phone("+46701234567", "mobile")
    # An international number is the same whatever the region.
    assert parse_phone("+358 40 123 4567", region="SE").e164 == "+358401234567"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u00a0\t", "empty"),
        ("abc", "not_a_number"),
        ("puh. 040 123 4567", "not_a_number"),
        ("040 123 ABCD", "not_a_number"),
        ("0800 FLOWERS", "not_a_number"),
        ("+358 50 123 4567 x12", "not_a_number"),
        ("+358 50 123 4567 ext. 12", "not_a_number"),
        ("tel:+358401234567", "not_a_number"),
        ("040 123 4567, 050 123 4567", "not_a_number"),
        ("+", "not_a_number"),
        ("--", "not_a_number"),
        ("040+1234567", "not_a_number"),
        ("++358401234567", "not_a_number"),
        ("1", "too_short"),
        ("040", "too_short"),
        ("112", "too_short"),
        ("0401", "too_short"),
        ("+358 40 12", "too_short"),
        ("+358 40 123", "too_short"),
        ("+358 40 123 456789", "too_long"),
        ("+35899999999999999", "too_long"),
        ("040 12345678901234567", "too_long"),
        ("0000000000", "invalid"),
        ("075 123 4567", "invalid"),
        ("+999 1234 5678", "invalid"),
    ],
)
def test_invalid_numbers_raise_phone_error_with_code(raw: str, code: str) -> None:
    with pytest.raises(PhoneError) as info:
        parse_phone(raw)
    assert info.value.code == code


def test_national_number_with_unknown_region_asks_for_country_code() -> None:
    with pytest.raises(PhoneError) as info:
        parse_phone("040 123 4567", region="ZZ")
    assert info.value.code == "invalid"
    assert "maatunnu" in info.value.message


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "puuttuu"),
        ("abc", "vain numeroita"),
        ("040", "liian lyhyt"),
        ("040 12345678901234567", "liian pitkä"),
        ("0000000000", "Tarkista numero"),
    ],
)
def test_messages_are_finnish_form_hints_with_an_example(raw: str, words: str) -> None:
    with pytest.raises(PhoneError) as info:
        parse_phone(raw)
    error = info.value
    assert words in error.message
    assert FINNISH_HINT in error.message
    assert str(error) == error.message
    assert isinstance(error, ValueError)


def test_phone_error_keeps_code_and_message() -> None:
    error = PhoneError("invalid", "Tarkista numero.")
    assert (error.code, error.message, str(error)) == ("invalid", "Tarkista numero.",
                                                       "Tarkista numero.")


def test_phone_is_frozen() -> None:
    phone = parse_phone("040 123 4567")
    with pytest.raises(AttributeError):
        phone.e164 = "+358501234567"  # type: ignore[misc]


@given(st.text(max_size=30))
def test_parse_never_raises_anything_but_phone_error(raw: str) -> None:
    try:
        phone = parse_phone(raw)
    except PhoneError as error:
        assert error.code in {"empty", "not_a_number", "too_short", "too_long", "invalid"}
        assert error.message
    else:
        assert phone.e164.startswith("+") and phone.e164[1:].isdigit()
        assert phone.number_type in {"mobile", "fixed_line", "other"}


@given(st.from_regex(r"04[0-6] ?[0-9]{3} ?[0-9]{4}", fullmatch=True))
def test_parsed_number_round_trips_through_its_e164(raw: str) -> None:
    phone = parse_phone(raw)
    assert parse_phone(phone.e164) == phone
    assert parse_phone(format_phone_national(phone.e164)) == phone


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        # Only the country code and the last two digits are kept.
        ("+358401234567", "+358***67"),
        ("+358501234567", "+358***67"),
        ("+358401234568", "+358***68"),
        ("+3584573123456", "+358***56"),
        ("+358912345678", "+358***78"),
        ("+46701234567", "+46***67"),
        ("+12025550143", "+1***43"),
        ("+447911123456", "+44***56"),
        # Short numbers keep no digit but the country code.
        ("+35891234", "+358***"),
        ("+3581812345", "+358***45"),
        ("+358100100", "+358***"),
        ("+3584012", "+358***"),
        ("+35840", "+358***"),
        # Not quite E.164 but clearly a number: masked the same way.
        ("+358 40 123 4567", "+358***67"),
        ("00358401234567", "+358***67"),
        ("0401234567", "***67"),
        ("040 123 4567", "***67"),
        ("123", "***"),
        ("123456", "***"),
        ("1234567", "***67"),
        # Garbage never leaks and never raises.
        ("", "***"),
        ("+", "***"),
        ("+358", "+***"),
        ("abc", "***"),
        ("Matti Meikäläinen", "***"),
        ("+358abc4567", "***"),
        ("+\u0663\u0665\u0668\u0664\u0660", "***"),
    ],
)
def test_mask_phone(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


def test_mask_phone_tolerates_non_string() -> None:
    assert mask_phone(None) == "***"  # type: ignore[arg-type]


@given(st.text(max_size=25))
def test_mask_phone_never_raises_and_keeps_at_most_two_digits_beyond_the_code(raw: str) -> None:
    masked = mask_phone(raw)
    assert "***" in masked
    kept = masked.split("***", 1)[1]
    assert len(kept) <= 2 and kept.isascii()
    digits_in = sum(char.isdigit() for char in raw)
    assert sum(char.isdigit() for char in kept) <= max(0, digits_in - 5)


@given(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))
def test_mask_phone_keeps_the_country_code_and_two_digits(e164: str) -> None:
    masked = mask_phone(e164)
    assert masked.startswith("+")
    code, _, kept = masked[1:].partition("***")
    assert e164[1:].startswith(code) and len(code) <= 3
    assert kept in ("", e164[-2:])


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+358401234567", "040 123 4567"),
        ("+358501234567", "050 123 4567"),
        ("+3584573123456", "045 7312 3456"),
        ("+358912345678", "09 1234 5678"),
        ("+35891234567", "09 123 4567"),
        ("+358141234567", "014 123 4567"),
        ("+3581812345", "018 12345"),
        ("+358800123456", "0800 123 456"),
        ("+35820123456", "020 123 456"),
        ("+358100100", "0100 100"),
        ("+46701234567", "+46 70 123 45 67"),
        ("+447911123456", "+44 7911 123456"),
        ("+12025550143", "+1 202-555-0143"),
    ],
)
def test_format_phone_national(e164: str, shown: str) -> None:
    assert format_phone_national(e164) == shown


@pytest.mark.parametrize("garbage", ["", "abc", "040 123 4567", "+"])
def test_format_phone_national_returns_unparseable_input_unchanged(garbage: str) -> None:
    assert format_phone_national(garbage) == garbage
