"""Tests for service.domain.people.client_import: reading spreadsheet CSV exports, row by row."""

from __future__ import annotations

import pytest

from service.domain.people.client_import import (
    MAX_ROWS,
    ImportFileError,
    decode_csv,
    read_client_rows,
)


def test_excel_finnish_export_windows_1252_semicolons() -> None:
    data = ("Nimi;Puhelin;Kieli;Kanava\r\n"
            "Matti Mäkinen;040 123 4567;suomi;\r\n"
            "Åsa Öberg;+358 50 765 4321;svenska;tekstiviesti\r\n").encode("cp1252")
    text, encoding = decode_csv(data)
    preview = read_client_rows(text, encoding=encoding)
    assert (encoding, preview.delimiter) == ("Windows-1252", ";")
    assert [(r.line, r.name, r.phone, r.language, r.channel) for r in preview.rows] == [
        (2, "Matti Mäkinen", "+358401234567", "fi", "auto"),
        (3, "Åsa Öberg", "+358507654321", "sv", "sms")]
    assert len(preview.importable) == 2


def test_utf8_with_bom_commas_and_quotes() -> None:
    data = '\ufeffname,phone,language\n"Lindholm, Greta",0507654321,sv\n'.encode()
    text, encoding = decode_csv(data)
    preview = read_client_rows(text, encoding=encoding)
    assert encoding == "UTF-8" and preview.delimiter == ","
    assert preview.rows[0].name == "Lindholm, Greta" and preview.rows[0].language == "sv"


def test_excel_sep_line_and_blank_lines_keep_line_numbers() -> None:
    text = "sep=,\nnimi,puhelin\n\nMatti,040 123 4567\n\nLiisa,12\n"
    preview = read_client_rows(text)
    assert [r.line for r in preview.rows] == [4, 6]
    assert preview.rows[1].errors["phone"].startswith("Numero ”12” ei kelpaa:")


def test_each_rows_errors_name_what_is_wrong() -> None:
    text = ("nimi;puhelin;kieli;kanava;työntekijä\n"
            ";040 123 4567;fi;;\n"
            "Bad Number;040 12;fi;;\n"
            "Letters;040-ABC-123;fi;;\n"
            "Landline;014 123 4567;fi;sms;\n"
            "Klingon;040 765 4321;klingon;savumerkit;\n"
            "Nobody's;040 999 8888;fi;;nobody@example.fi\n")
    rows = read_client_rows(text, workers={"sanna@example.fi": 7}).rows
    assert rows[0].errors == {"name": "Nimi puuttuu."}
    assert "”040 12”" in rows[1].errors["phone"] and "liian lyhyt" in rows[1].errors["phone"]
    assert "”040-ABC-123”" in rows[2].errors["phone"]
    assert "lankapuhelin" in rows[3].errors["channel"]
    assert set(rows[4].errors) == {"language", "channel"}
    assert "”nobody@example.fi”" in rows[5].errors["worker"]
    assert not any(r.importable for r in rows)


def test_landline_with_auto_channel_is_imported_with_a_warning() -> None:
    [row] = read_client_rows("nimi;puhelin\nAino;014 123 4567\n").rows
    assert row.importable and row.number_type == "fixed_line"
    assert row.warnings == ["Lankapuhelin: muistutukset tulevat puheluina."]


def test_first_and_last_name_columns_and_worker_email() -> None:
    text = "Etunimi;Sukunimi;GSM;Työntekijä\nMatti;Mäkinen;0401234567;SANNA@example.fi\n"
    [row] = read_client_rows(text, workers={"sanna@example.fi": 7}, default_worker_id=1).rows
    assert (row.name, row.worker_id) == ("Matti Mäkinen", 7)


def test_duplicates_in_file_and_database_are_skipped_not_errors() -> None:
    text = "nimi;puhelin\nMatti;040 123 4567\nmatti;+358401234567\nLiisa;040 123 4567\n"
    rows = read_client_rows(text, existing=[("liisa", "+358401234567")]).rows
    assert [r.duplicate for r in rows] == [False, True, True]
    assert [r.importable for r in rows] == [True, False, False]


def test_file_without_a_header_row() -> None:
    rows = read_client_rows("Matti,040 123 4567,sv\nLiisa,050 111 2222\n").rows
    assert [(r.line, r.name, r.language) for r in rows] == [(1, "Matti", "sv"), (2, "Liisa", "fi")]


@pytest.mark.parametrize("data, message", [
    (b"", "tyhjä"),
    (b"   \n\n", "tyhjä"),
    ("sukunimi;osoite\nMäkinen;Keskuskatu 5\n".encode(), "nimi ja puhelin"),
    (b"nimi;osoite\nMatti;Keskuskatu 5\n", "nimi ja puhelin"),
    (b"\x81\x8d\x8f\x90\x9d", "merkistöä"),
])
def test_files_that_cannot_be_read_say_why(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        text, encoding = decode_csv(data)
        read_client_rows(text, encoding=encoding)


def test_row_limit() -> None:
    text = "nimi;puhelin\n" + "Matti;0401234567\n" * (MAX_ROWS + 1)
    with pytest.raises(ImportFileError, match=str(MAX_ROWS)):
        read_client_rows(text)
