"""Tests for service.domain.calendar.dates: local time, written and spoken forms, parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.calendar.dates import (
    HELSINKI,
    LANGUAGES,
    format_date,
    format_datetime,
    format_time,
    parse_local_date,
    spoken_date,
    spoken_datetime,
    to_local,
)

UTC = UTC
# Tuesday 3 June 2025 10.00 in Helsinki (summer time, UTC+3).
TUE_10 = datetime(2025, 6, 3, 7, 0, tzinfo=UTC)
TUE = date(2025, 6, 3)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
        second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- to_local ---------------------------------------------------------------


def test_to_local_converts_to_helsinki() -> None:
    local = to_local(TUE_10)
    assert (local.hour, local.minute) == (10, 0)
    assert local.tzinfo is HELSINKI
    assert local == TUE_10


def test_to_local_other_zone() -> None:
    assert to_local(TUE_10, ZoneInfo("Europe/Stockholm")).hour == 9


def test_to_local_accepts_any_aware_offset() -> None:
    plus_two = datetime(2025, 1, 15, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert to_local(plus_two).hour == 12


@pytest.mark.parametrize(
    "call",
    [
        lambda dt: to_local(dt),
        lambda dt: format_datetime(dt, "fi"),
        lambda dt: format_time(dt, "en"),
        lambda dt: spoken_datetime(dt, "sv"),
    ],
)
def test_naive_datetime_is_rejected(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="naive"):
        call(datetime(2025, 6, 3, 10, 0))


def test_winter_time_is_utc_plus_two() -> None:
    assert format_time(utc(2025, 1, 15, 8, 0), "fi") == "10.00"


def test_summer_time_is_utc_plus_three() -> None:
    assert format_time(utc(2025, 7, 15, 7, 0), "fi") == "10.00"


# --- daylight saving changes --------------------------------------------------
# 2026: summer time starts Sun 29.3. at 03.00 -> 04.00 (01.00 UTC)
#       and ends Sun 25.10. at 04.00 -> 03.00 (01.00 UTC).


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        (utc(2026, 3, 28, 23, 0), "su 29.3. klo 1.00"),
        (utc(2026, 3, 29, 0, 0), "su 29.3. klo 2.00"),
        (utc(2026, 3, 29, 0, 59), "su 29.3. klo 2.59"),
        (utc(2026, 3, 29, 1, 0), "su 29.3. klo 4.00"),
        (utc(2026, 3, 29, 1, 30), "su 29.3. klo 4.30"),
        (utc(2026, 3, 29, 7, 0), "su 29.3. klo 10.00"),
        (utc(2026, 3, 28, 8, 0), "la 28.3. klo 10.00"),
    ],
)
def test_spring_forward(instant: datetime, shown: str) -> None:
    assert format_datetime(instant, "fi") == shown


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        (utc(2026, 10, 24, 7, 0), "la 24.10. klo 10.00"),
        (utc(2026, 10, 25, 0, 0), "su 25.10. klo 3.00"),
        (utc(2026, 10, 25, 0, 30), "su 25.10. klo 3.30"),
        (utc(2026, 10, 25, 0, 59), "su 25.10. klo 3.59"),
        (utc(2026, 10, 25, 1, 0), "su 25.10. klo 3.00"),
        (utc(2026, 10, 25, 1, 30), "su 25.10. klo 3.30"),
        (utc(2026, 10, 25, 2, 0), "su 25.10. klo 4.00"),
        (utc(2026, 10, 25, 8, 0), "su 25.10. klo 10.00"),
    ],
)
def test_fall_back(instant: datetime, shown: str) -> None:
    assert format_datetime(instant, "fi") == shown


def test_fall_back_repeated_hour_keeps_instants_apart() -> None:
    first, second = to_local(utc(2026, 10, 25, 0, 30)), to_local(utc(2026, 10, 25, 1, 30))
    assert first.fold == 0 and second.fold == 1
    assert first.utcoffset() == timedelta(hours=3)
    assert second.utcoffset() == timedelta(hours=2)


def test_dst_changes_in_2025_too() -> None:
    assert format_time(utc(2025, 3, 30, 0, 59), "fi") == "2.59"
    assert format_time(utc(2025, 3, 30, 1, 0), "fi") == "4.00"
    assert format_time(utc(2025, 10, 26, 0, 59), "fi") == "3.59"
    assert format_time(utc(2025, 10, 26, 1, 0), "fi") == "3.00"


# --- midnight edges -----------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "lang", "shown"),
    [
        (utc(2025, 6, 2, 20, 59), "fi", "ma 2.6. klo 23.59"),
        (utc(2025, 6, 2, 21, 0), "fi", "ti 3.6. klo 0.00"),
        (utc(2025, 6, 2, 21, 1), "sv", "tis 3.6 kl. 0.01"),
        (utc(2025, 6, 2, 21, 0), "en", "Tue 3 June at 0:00"),
        (utc(2025, 12, 31, 21, 59), "fi", "ke 31.12. klo 23.59"),
        (utc(2025, 12, 31, 22, 0), "fi", "to 1.1. klo 0.00"),
        (utc(2026, 1, 1, 0, 0), "selko", "torstaina 1.1. kello 2.00"),
    ],
)
def test_midnight_edges_use_the_local_date(instant: datetime, lang: str, shown: str) -> None:
    assert format_datetime(instant, lang) == shown  # type: ignore[arg-type]


def test_utc_date_differs_from_local_date_before_midnight_utc() -> None:
    # 23.30 UTC on Monday is already Tuesday in Helsinki.
    assert format_date(to_local(utc(2025, 6, 2, 23, 30)).date(), "fi") == "ti 3.6."


# --- written forms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("fi", "ti 3.6. klo 10.00"),
        ("sv", "tis 3.6 kl. 10.00"),
        ("en", "Tue 3 June at 10:00"),
        ("selko", "tiistaina 3.6. kello 10.00"),
    ],
)
def test_format_datetime_examples(lang: str, shown: str) -> None:
    assert format_datetime(TUE_10, lang) == shown  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("fi", "ti 3.6."), ("sv", "tis 3.6"), ("en", "Tue 3 June"), ("selko", "tiistaina 3.6.")],
)
def test_format_date_examples(lang: str, shown: str) -> None:
    assert format_date(TUE, lang) == shown  # type: ignore[arg-type]


WEEK = [date(2025, 6, 2) + timedelta(days=n) for n in range(7)]  # Monday .. Sunday


@pytest.mark.parametrize(
    ("lang", "days"),
    [
        ("fi", ["ma", "ti", "ke", "to", "pe", "la", "su"]),
        ("sv", ["mån", "tis", "ons", "tors", "fre", "lör", "sön"]),
        ("en", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
        (
            "selko",
            ["maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina",
             "lauantaina", "sunnuntaina"],
        ),
    ],
)
def test_weekday_names(lang: str, days: list[str]) -> None:
    assert [format_date(d, lang).split(" ")[0] for d in WEEK] == days  # type: ignore[arg-type]


EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]


@pytest.mark.parametrize("month", range(1, 13))
def test_english_month_names(month: int) -> None:
    assert format_date(date(2025, month, 1), "en").endswith(f" 1 {EN_MONTHS[month - 1]}")


@pytest.mark.parametrize(
    ("d", "fi", "sv"),
    [
        (date(2025, 1, 1), "ke 1.1.", "ons 1.1"),
        (date(2025, 12, 24), "ke 24.12.", "ons 24.12"),
        (date(2024, 2, 29), "to 29.2.", "tors 29.2"),
    ],
)
def test_days_and_months_are_not_zero_padded(d: date, fi: str, sv: str) -> None:
    assert format_date(d, "fi") == fi
    assert format_date(d, "sv") == sv


@pytest.mark.parametrize(
    ("instant", "fi", "en"),
    [
        (utc(2025, 6, 3, 7, 0), "10.00", "10:00"),
        (utc(2025, 6, 3, 6, 5), "9.05", "9:05"),
        (utc(2025, 6, 3, 12, 30), "15.30", "15:30"),
        (utc(2025, 6, 3, 21, 0), "0.00", "0:00"),
        (utc(2025, 6, 3, 20, 59), "23.59", "23:59"),
    ],
)
def test_format_time(instant: datetime, fi: str, en: str) -> None:
    assert format_time(instant, "fi") == fi
    assert format_time(instant, "sv") == fi
    assert format_time(instant, "selko") == fi
    assert format_time(instant, "en") == en


def test_format_time_ignores_seconds() -> None:
    assert format_time(utc(2025, 6, 3, 7, 0, 59), "fi") == "10.00"


def test_tz_argument_is_used() -> None:
    stockholm = ZoneInfo("Europe/Stockholm")
    assert format_datetime(TUE_10, "sv", stockholm) == "tis 3.6 kl. 9.00"
    assert format_time(TUE_10, "en", tz=stockholm) == "9:00"
    assert spoken_datetime(TUE_10, "sv", stockholm) == "tisdagen den tredje juni klockan 9"


@pytest.mark.parametrize("bad", ["de", "FI", "", "suomi"])
def test_unknown_language_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        format_date(TUE, bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown language"):
        spoken_datetime(TUE_10, bad)  # type: ignore[arg-type]


# --- spoken forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "lang", "spoken"),
    [
        (TUE_10, "fi", "tiistaina kolmas kesäkuuta kello 10"),
        (TUE_10, "selko", "tiistaina kolmas kesäkuuta kello 10"),
        (TUE_10, "sv", "tisdagen den tredje juni klockan 10"),
        (TUE_10, "en", "Tuesday the third of June at 10 AM"),
        (utc(2025, 6, 3, 7, 30), "fi", "tiistaina kolmas kesäkuuta kello 10 30"),
        (utc(2025, 6, 3, 7, 5), "selko", "tiistaina kolmas kesäkuuta kello 10 05"),
        (utc(2025, 6, 3, 7, 30), "sv", "tisdagen den tredje juni klockan 10 30"),
        (utc(2025, 6, 3, 7, 30), "en", "Tuesday the third of June at 10:30 AM"),
        (utc(2025, 6, 3, 11, 15), "en", "Tuesday the third of June at 2:15 PM"),
        (utc(2025, 6, 3, 9, 0), "en", "Tuesday the third of June at noon"),
        (utc(2025, 6, 3, 9, 30), "en", "Tuesday the third of June at 12:30 PM"),
        (utc(2025, 6, 2, 21, 0), "en", "Tuesday the third of June at midnight"),
        (utc(2025, 6, 2, 21, 30), "en", "Tuesday the third of June at 12:30 AM"),
        (utc(2025, 6, 2, 21, 0), "fi", "tiistaina kolmas kesäkuuta kello 0"),
        (utc(2025, 6, 3, 5, 0), "en", "Tuesday the third of June at 8 AM"),
        (utc(2025, 6, 3, 20, 0), "en", "Tuesday the third of June at 11 PM"),
    ],
)
def test_spoken_datetime(instant: datetime, lang: str, spoken: str) -> None:
    assert spoken_datetime(instant, lang) == spoken  # type: ignore[arg-type]


def test_spoken_datetime_across_dst() -> None:
    assert spoken_datetime(utc(2026, 3, 29, 1, 0), "fi") == \
        "sunnuntaina kahdeskymmenesyhdeksäs maaliskuuta kello 4"
    assert spoken_datetime(utc(2026, 10, 25, 1, 0), "fi") == \
        "sunnuntaina kahdeskymmenesviides lokakuuta kello 3"


FI_MONTHS = [
    "tammikuuta",
    "helmikuuta",
    "maaliskuuta",
    "huhtikuuta",
    "toukokuuta",
    "kesäkuuta",
    "heinäkuuta",
    "elokuuta",
    "syyskuuta",
    "lokakuuta",
    "marraskuuta",
    "joulukuuta",
]
SV_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december"]


@pytest.mark.parametrize("month", range(1, 13))
def test_spoken_month_names(month: int) -> None:
    d = date(2025, month, 10)
    assert spoken_date(d, "fi").endswith(f" kymmenes {FI_MONTHS[month - 1]}")
    assert spoken_date(d, "selko") == spoken_date(d, "fi")
    assert spoken_date(d, "sv").endswith(f" den tionde {SV_MONTHS[month - 1]}")
    assert spoken_date(d, "en").endswith(f" the tenth of {EN_MONTHS[month - 1]}")


@pytest.mark.parametrize(
    ("day", "ordinal"),
    [(1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (11, "eleventh"),
     (12, "twelfth"), (13, "thirteenth"), (20, "twentieth"), (21, "twenty-first"),
     (22, "twenty-second"), (23, "twenty-third"), (24, "twenty-fourth"), (30, "thirtieth"),
     (31, "thirty-first")],
)
def test_english_ordinals(day: int, ordinal: str) -> None:
    assert f" the {ordinal} of " in spoken_date(date(2025, 1, day), "en")


@pytest.mark.parametrize(("lang", "spoken"), [
    ("fi", "tiistaina toinen kesäkuuta kello 10 30"),
    ("sv", "tisdagen den andra juni klockan 10 30"),
    ("en", "Tuesday the second of June at 10:30 AM"),
    ("uk", "у вівторок, другого червня, о десятій 30"),
])
def test_the_second_of_june_is_spoken_as_an_ordinal_word(lang: str, spoken: str) -> None:
    """Issue 14: "2. kesäkuuta" was read "kaksi kesäkuuta"."""
    assert spoken_datetime(utc(2026, 6, 2, 7, 30), lang) == spoken


def test_ukrainian_dates_come_from_its_language_file() -> None:
    assert format_datetime(utc(2026, 6, 2, 7, 0), "uk") == "вт 2.06 о 10:00"
    assert spoken_datetime(utc(2026, 6, 2, 7, 0), "uk") == "у вівторок, другого червня, о десятій"


def test_spoken_weekdays() -> None:
    assert [spoken_date(d, "sv").split(" ")[0] for d in WEEK] == [
        "måndagen", "tisdagen", "onsdagen", "torsdagen", "fredagen", "lördagen", "söndagen",
    ]
    assert [spoken_date(d, "en").split(" ")[0] for d in WEEK] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]
    assert spoken_date(WEEK[2], "fi") == "keskiviikkona neljäs kesäkuuta"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                    timezones=st.just(UTC)))
def test_every_instant_formats_in_every_language(instant: datetime) -> None:
    local = to_local(instant)
    for lang in LANGUAGES:
        written = format_datetime(instant, lang)
        assert format_date(local.date(), lang) in written
        assert format_time(instant, lang) in written
        spoken = spoken_datetime(instant, lang)
        assert spoken.startswith(spoken_date(local.date(), lang))
        words = spoken.replace("a.m.", "").replace("p.m.", "")
        # The day is an ordinal in words: no digit of it, no full stop a voice reads.
        assert "." not in words
        assert f"{local.day}." not in spoken


# --- parsing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.6.2026", date(2026, 6, 3)),
        ("03.06.2026", date(2026, 6, 3)),
        ("2026-06-03", date(2026, 6, 3)),
        (" 3.6.2026 ", date(2026, 6, 3)),
        ("31.12.2025", date(2025, 12, 31)),
        ("1.1.2026", date(2026, 1, 1)),
        ("29.2.2024", date(2024, 2, 29)),
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_parse_local_date(text: str, expected: date) -> None:
    assert parse_local_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "3.6.",
        "3.6",
        "3.6.26",
        "3/6/2026",
        "6/3/2026",
        "3-6-2026",
        "2026-6-3",
        "2026.06.03",
        "3.6.2026.",
        "3 .6.2026",
        "huomenna",
        "kolmas kesäkuuta 2026",
        "003.06.2026",
        "2026-06-03T10:00",
        "\u0663.\u0666.\u0662\u0660\u0662\u0666",  # Arabic-Indic digits
    ],
)
def test_parse_local_date_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match="Päivämäärää ei tunnistettu") as info:
        parse_local_date(text)
    assert "3.6.2026" in str(info.value)


@pytest.mark.parametrize("text", ["31.6.2026", "29.2.2025", "0.1.2026", "1.13.2026", "2026-02-30",
                                  "1.1.0000"])
def test_parse_local_date_rejects_days_not_in_calendar(text: str) -> None:
    with pytest.raises(ValueError, match="ei ole kalenterissa"):
        parse_local_date(text)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_parse_round_trips(d: date) -> None:
    assert parse_local_date(f"{d.day}.{d.month}.{d.year}") == d
    assert parse_local_date(d.isoformat()) == d
    assert parse_local_date(d.strftime("%d.%m.") + str(d.year)) == d
