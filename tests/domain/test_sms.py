"""Tests for service.domain.texts.sms: GSM-7/UCS-2 detection, segments, clean-up, links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.texts.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SmsInfo,
    analyse_sms,
    clean_sms_text,
    find_links,
)

# --- the alphabet -----------------------------------------------------------


def test_basic_table_has_127_characters_and_extension_10() -> None:
    # 128 codes minus the escape 0x1B.
    assert len(GSM7_BASIC) == 127
    assert frozenset("\f^{}\\[~]|€") == GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize("char", list("äöåÄÖÅéÉüÜàèùìòÇØøÆæßñÑ£$¥¤§¡¿@_ΔΦΓΛΩΠΨΣΘΞ\n\r"))
def test_nordic_and_other_latin_letters_are_gsm7(char: str) -> None:
    info = analyse_sms(f"Hei {char}")
    assert info.encoding == "GSM-7"
    assert info.length == 5


@pytest.mark.parametrize(
    "char",
    ["š", "ž", "Š", "Ž", "õ", "ç", "á", "â", "ê", "ï", "ó", "ú", "ø\u0301",
     "‘", "’", "“", "”", "–", "—", "…",
     "\u00a0", "\t", "`", "😀", "👍", "й", "ع"],
)
def test_characters_outside_gsm7_force_ucs2_and_are_named(char: str) -> None:
    info = analyse_sms(f"Hei {char}")
    assert info.encoding == "UCS-2"
    assert info.non_gsm_chars  # at least one character is named
    for named in info.non_gsm_chars:
        assert named in char


# --- lengths and segments ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length", "segments"),
    [
        ("", 0, 1),
        ("a", 1, 1),
        ("a" * 160, 160, 1),
        ("a" * 161, 161, 2),
        ("a" * 306, 306, 2),
        ("a" * 307, 307, 3),
        ("a" * 459, 459, 3),
        ("a" * 460, 460, 4),
        ("ä" * 160, 160, 1),
        ("Ö" * 161, 161, 2),
    ],
)
def test_gsm7_segment_boundaries(text: str, length: int, segments: int) -> None:
    assert analyse_sms(text) == SmsInfo("GSM-7", length, segments, ())


@pytest.mark.parametrize("char", list("^{}\\[~]|€\f"))
def test_extension_characters_count_two_septets(char: str) -> None:
    assert analyse_sms(char) == SmsInfo("GSM-7", 2, 1, ())
    assert analyse_sms(char * 80) == SmsInfo("GSM-7", 160, 1, ())
    assert analyse_sms(char * 81) == SmsInfo("GSM-7", 162, 2, ())


def test_extension_character_is_not_split_across_segments() -> None:
    # 152 + 2 septets do not fit 153: the escape pair moves whole to part two.
    text = "a" * 152 + "€" + "a" * 152
    info = analyse_sms(text)
    assert info.length == 306
    assert info.segments == 3
    assert analyse_sms("a" * 152 + "€" + "a" * 151).segments == 2
    assert analyse_sms("a" * 151 + "€" + "a" * 153).segments == 2


def test_mixed_gsm_text_length() -> None:
    assert analyse_sms("Hinta 5 € [ALV]") == SmsInfo("GSM-7", 18, 1, ())


@pytest.mark.parametrize(
    ("text", "length", "segments"),
    [
        ("š", 1, 1),
        ("š" * 70, 70, 1),
        ("š" * 71, 71, 2),
        ("š" * 134, 134, 2),
        ("š" * 135, 135, 3),
        ("š" * 201, 201, 3),
        ("š" * 202, 202, 4),
        ("š" + "a" * 69, 70, 1),
        ("š" + "a" * 70, 71, 2),
    ],
)
def test_ucs2_segment_boundaries(text: str, length: int, segments: int) -> None:
    info = analyse_sms(text)
    assert (info.encoding, info.length, info.segments) == ("UCS-2", length, segments)


def test_extension_chars_count_once_in_ucs2() -> None:
    info = analyse_sms("š€{")
    assert (info.encoding, info.length, info.non_gsm_chars) == ("UCS-2", 3, ("š",))


def test_emoji_is_a_surrogate_pair_of_two_code_units() -> None:
    assert analyse_sms("👍") == SmsInfo("UCS-2", 2, 1, ("👍",))
    assert analyse_sms("👍" * 35) == SmsInfo("UCS-2", 70, 1, ("👍",))
    assert analyse_sms("👍" * 36) == SmsInfo("UCS-2", 72, 2, ("👍",))


def test_surrogate_pair_is_not_split_across_segments() -> None:
    text = "a" * 66 + "😀" + "a" * 66
    info = analyse_sms(text)
    assert (info.length, info.segments) == (134, 3)
    assert analyse_sms("a" * 65 + "😀" + "a" * 67).segments == 2


def test_one_emoji_turns_a_finnish_text_into_ucs2() -> None:
    text = "Muista aika ti 3.6. klo 10.00. Vastaa K tai E. Kiitos! 🙂"
    info = analyse_sms(text)
    assert info.encoding == "UCS-2"
    assert info.non_gsm_chars == ("🙂",)
    assert info.length == len(text) + 1


def test_non_gsm_chars_are_distinct_and_in_order_of_appearance() -> None:
    info = analyse_sms("Šakki “ž” ja š – “x”")
    assert info.non_gsm_chars == ("Š", "“", "ž", "”", "š", "–")


def test_skin_tone_emoji_names_each_code_point() -> None:
    assert analyse_sms("👍🏽").non_gsm_chars == ("👍", "🏽")
    assert analyse_sms("👍🏽").length == 4


def test_finnish_reminder_fits_one_segment() -> None:
    text = (
        "Hei! Muistutus: aika ti 3.6. klo 10.00, Kauppakatu 1. Ota mukaan henkilökortti. "
        "Vastaa K jos tulet, E jos et pääse. Åsa/Sosiaalitoimisto"
    )
    info = analyse_sms(text)
    assert info.encoding == "GSM-7"
    assert info.segments == 1


@given(st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=400))
def test_gsm7_length_and_segments_agree(text: str) -> None:
    info = analyse_sms(text)
    assert info.encoding == "GSM-7"
    assert info.length == len(text) + sum(char in GSM7_EXTENSION for char in text)
    if info.length <= 160:
        assert info.segments == 1
    else:
        # Never fewer than the naive count, at most one extra part per part for escapes.
        naive = -(-info.length // 153)
        assert naive <= info.segments <= naive + info.length // 153


@given(st.text(min_size=1, max_size=200))
def test_ucs2_length_is_utf16_code_units(text: str) -> None:
    info = analyse_sms(text)
    if info.encoding == "UCS-2":
        assert info.length == len(text.encode("utf-16-le")) // 2
        assert info.non_gsm_chars
        assert all(char in text for char in info.non_gsm_chars)
    else:
        assert info.non_gsm_chars == ()
    assert info.segments >= 1


# --- clean-up -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("klo\u00a010.00", "klo 10.00"),
        ("5\u202f000", "5 000"),
        ("\u2018lainaus\u2019", "'lainaus'"),
        ("\u201cok\u201d", '"ok"'),
        ("\u201dsvenska\u201d", '"svenska"'),
        ("\u201elainaus\u201c", '"lainaus"'),
        ("klo 10\u201312", "klo 10-12"),
        ("Hei \u2014 tervetuloa", "Hei - tervetuloa"),
        ("Odota\u2026", "Odota..."),
        ("rivi\r\ntoinen\rkolmas", "rivi\ntoinen\nkolmas"),
        ("rivi   \ntoinen  ", "rivi\ntoinen"),
        ("loppu\n\n\n", "loppu"),
        ("sarake\tsarake", "sarake sarake"),
        ("piilo\u200bviiva", "piiloviiva"),
        ("\ufeffAlku", "Alku"),
        ("tavu\u00adviiva", "tavuviiva"),
        ("a\u2028b", "a\nb"),
        ("", ""),
    ],
)
def test_clean_sms_text_replacements(raw: str, clean: str) -> None:
    assert clean_sms_text(raw) == clean


@pytest.mark.parametrize("kept", ["Hei 👍", "Šakki ja žeton", "Привет", "café", "  alku", "a\n\nb",
                                  "€ {x}"])
def test_clean_sms_text_leaves_author_choices(kept: str) -> None:
    assert clean_sms_text(kept) == kept


def test_clean_turns_typographic_text_into_gsm7() -> None:
    raw = "Tervetuloa\u00a0\u201cPop-up\u201d \u2013 ti 3.6. klo 10\u201312\u2026\r\n"
    cleaned = clean_sms_text(raw)
    assert cleaned == 'Tervetuloa "Pop-up" - ti 3.6. klo 10-12...'
    assert analyse_sms(raw).encoding == "UCS-2"
    assert analyse_sms(cleaned).encoding == "GSM-7"


def test_clean_keeps_emoji_reported() -> None:
    info = analyse_sms(clean_sms_text("Kiitos \u2019 👍"))
    assert info.non_gsm_chars == ("👍",)


@given(st.text(max_size=100))
def test_clean_sms_text_is_idempotent(text: str) -> None:
    once = clean_sms_text(text)
    assert clean_sms_text(once) == once
    assert "\r" not in once
    assert not once.endswith((" ", "\n"))


# --- links --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Katso https://kela.fi/asiointi", ["https://kela.fi/asiointi"]),
        ("http://example.com", ["http://example.com"]),
        ("HTTPS://EXAMPLE.COM/A", ["HTTPS://EXAMPLE.COM/A"]),
        ("Lue https://example.com/a?b=1&c=2.", ["https://example.com/a?b=1&c=2"]),
        ("www.kela.fi", ["www.kela.fi"]),
        ("Katso www.kela.fi.", ["www.kela.fi"]),
        ("kela.fi", ["kela.fi"]),
        ("Asioi osoitteessa kela.fi, kiitos", ["kela.fi"]),
        ("omakanta.fi/x", ["omakanta.fi/x"]),
        ("Lue lisää: Kela.fi!", ["Kela.fi"]),
        ("(suomi.fi)", ["suomi.fi"]),
        ("\"tyomarkkinatori.fi\"", ["tyomarkkinatori.fi"]),
        ("hämeenlinna.fi", ["hämeenlinna.fi"]),
        ("oma.kela.fi/asiointi/", ["oma.kela.fi/asiointi/"]),
        ("bank-login.com", ["bank-login.com"]),
        ("paketti.xyz/abc123", ["paketti.xyz/abc123"]),
        ("posti.fi.kuitti.top/x", ["posti.fi.kuitti.top/x"]),
        ("Svara på vero.fi eller skatt.se", ["vero.fi", "skatt.se"]),
        ("kela.fi ja kela.fi", ["kela.fi"]),
        ("a kela.fi b https://x.com c www.y.org", ["kela.fi", "https://x.com", "www.y.org"]),
        ("http://1.2.3.4/x", ["http://1.2.3.4/x"]),
    ],
)
def test_find_links_finds(text: str, links: list[str]) -> None:
    assert find_links(text) == links


@pytest.mark.parametrize(
    "text",
    [
        "",
        "klo 10.00",
        "klo 9.30-11.00",
        "ti 3.6.",
        "3.6.2026",
        "03.06.2026",
        "2026-06-03",
        "1.500,00 euroa",
        "versio 2.5.1",
        "Tervetuloa.Soita 040 123 4567",
        "Kiitos.Nähdään",
        "esim. ja mm. jne.",
        "info@kela.fi",
        "kelafi",
        "kela.fin",
        "Vastaa K tai E.",
        "tis 3.6 kl. 10.00",
        "Tue 3 June at 10:00",
        "+358 40 123 4567",
    ],
)
def test_find_links_ignores_times_dates_numbers_and_sentences(text: str) -> None:
    assert find_links(text) == []
