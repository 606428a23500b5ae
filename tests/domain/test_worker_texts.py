"""The checks on a worker's own text: the same rules as the templates' (sms.py), and the
cost estimate."""

from __future__ import annotations

import pytest

from service.domain.errors import ValidationError
from service.domain.messages.outbound import check_text
from service.domain.people.client_import import read_client_rows
from service.domain.texts.worker_texts import (
    char_name,
    estimate_cost,
    inspect_text,
    refuse_links,
)


def test_inspect_cleans_like_sending_and_finds_what_matters() -> None:
    check = inspect_text("Tervetuloa \u201cryhmään\u201d\u00a0klo 10.00 \U0001F44B")
    assert check.text == 'Tervetuloa "ryhmään" klo 10.00 \U0001F44B'
    assert check.info.encoding == "UCS-2" and check.info.non_gsm_chars == ("\U0001F44B",)
    assert check.links == ()
    assert inspect_text("Lue omakanta.fi/x ja www.kela.fi").links == ("omakanta.fi/x",
                                                                      "www.kela.fi")


def test_a_character_is_named_so_it_can_be_found() -> None:
    assert char_name("\U0001F600") == '"\U0001F600" (U+1F600 grinning face)'
    assert char_name("\u0161") == '"\u0161" (U+0161 latin small letter s with caron)'


@pytest.mark.parametrize("body", ["https://example.fi", "kela.fi/lomake", "Katso www.x.com"])
def test_a_link_is_refused_on_the_server(body: str) -> None:
    with pytest.raises(ValidationError) as raised:
        refuse_links(inspect_text(body), "body")
    assert "linkki" in raised.value.errors["body"]
    with pytest.raises(ValidationError):
        check_text(body)  # every worker text, also a cancellation notice


def test_times_dates_and_emails_are_not_links() -> None:
    assert check_text("Klo 10.00 ti 3.6. – soita 040 123 4567 tai a@b.fi") == \
        "Klo 10.00 ti 3.6. - soita 040 123 4567 tai a@b.fi"


def test_the_cost_is_segments_times_recipients_times_price() -> None:
    assert estimate_cost(2, 3, 0.08) == 0.48
    assert estimate_cost(1, 0, 0.08) == 0.0


def test_import_warns_of_a_number_another_client_has() -> None:
    preview = read_client_rows("nimi;puhelin\nEino Aalto;040 111 2222\n"
                               "Aino Aalto;040 111 2222\n",
                               existing=[("ville muu", "+358409998888")])
    first, second = preview.rows
    assert first.warnings == [] and not first.duplicate
    assert any("toisella asiakkaalla" in w for w in second.warnings) and not second.duplicate
    preview = read_client_rows("nimi;puhelin\nOlli Uusi;040 999 8888\n",
                               existing=[("ville muu", "+358409998888")])
    assert any("toisella asiakkaalla" in w for w in preview.rows[0].warnings)
