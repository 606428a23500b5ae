"""The corrections export and the "Kokeile vastausta" page (issue 13)."""

from __future__ import annotations

import csv
import html
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain.replies.reading import read_reply
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, InboxItem, TrustedPerson
from tests.conftest import Api, load_all
from tests.reach import SECOND, hel, inbox, new_appointment, new_client, run, sms_reply
from tests.web.conftest import Browser

CLIENT = "+358401234567"
STARTS = hel(2026, 9, 30, 10, 30)
DAY_BEFORE = hel(2026, 9, 29, 12, 0)
REPLIED = hel(2026, 9, 29, 12, 30)


def _corrected(api: Api, client: FlaskClient, rt: Runtime, text: str, choice: str,
               language: str = "fi") -> int:
    """A client's reply to the day-before text, corrected through the API."""
    cid = new_client(api, language=language)
    new_appointment(api, cid, STARTS, hel(2026, 9, 20, 9, 0))
    run(rt, DAY_BEFORE + SECOND)
    sms_reply(client, CLIENT, text, REPLIED)
    item_id = max(i.id for i in inbox(rt))
    assert api.post(f"/inbox/{item_id}/correct", {"intent": choice}).status_code == 200
    return cid


def _export(browser: Browser) -> list[list[str]]:
    response = browser.get("/inbox/export-corrections.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads ä and ö right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_the_export_has_the_corrections_without_numbers_names_or_ids(
        api: Api, client: FlaskClient, rt: Runtime, admin: object) -> None:
    cid = _corrected(api, client, rt,
                     "Matti tässä, soittakaa 040 765 4321 jos ehditte\nt. Liisa", "callback")
    browser = Browser(client)
    browser.login("paivi@example.fi")
    rows = _export(browser)
    assert rows[0] == ["text", "read_intent", "corrected_intent", "language", "question"]
    assert rows[1:] == [["[nimi] tässä, soittakaa *** jos ehditte\\nt. [nimi]", "unknown",
                         "callback", "fi", "appointment"]]
    whole = "\n".join(";".join(row) for row in rows)
    for secret in ("Matti", "Mäkinen", "Liisa", "765", "4321", "+358", str(cid)):
        assert secret not in whole
    [entry] = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "corrections"))
    assert (entry.action, entry.detail) == ("export", "1 rows")


def test_a_trusted_persons_name_in_the_text_is_masked(api: Api, client: FlaskClient,
                                                      rt: Runtime, admin: object) -> None:
    cid = new_client(api)
    with transaction(rt.sessions) as session:
        session.add(TrustedPerson(client_id=cid, name="Kaisa Virtanen", phone="+358407654321",
                                  number_type="mobile", consent_at=REPLIED,
                                  consent_method="in_person"))
    new_appointment(api, cid, STARTS, hel(2026, 9, 20, 9, 0))
    run(rt, DAY_BEFORE + SECOND)
    sms_reply(client, CLIENT, "Kaisa tuo minut, en tiedä vielä", REPLIED)
    item_id = max(i.id for i in inbox(rt))
    assert api.post(f"/inbox/{item_id}/correct", {"intent": "nothing"}).status_code == 200
    browser = Browser(client)
    browser.login("paivi@example.fi")
    assert _export(browser)[1] == ["[nimi] tuo minut, en tiedä vielä", "unknown", "unknown",
                                   "fi", "appointment"]


def test_a_formula_in_a_reply_is_not_run_by_the_spreadsheet(
        api: Api, client: FlaskClient, rt: Runtime, admin: object) -> None:
    _corrected(api, client, rt, "=1+1 tuun", "confirm")
    browser = Browser(client)
    browser.login("paivi@example.fi")
    assert _export(browser)[1][0] == "'=1+1 tuun"


def test_only_admins_export_and_only_they_see_the_link(signed_in: Browser, admin: object,
                                                       client: FlaskClient) -> None:
    assert signed_in.get("/inbox/export-corrections.csv").status_code == 403
    assert "corrections-export" not in signed_in.get("/inbox").get_data(as_text=True)
    signed_in.logout()
    signed_in.login("paivi@example.fi")
    assert 'id="corrections-export"' in signed_in.get("/inbox").get_data(as_text=True)


def test_a_reply_from_a_trusted_person_cannot_be_corrected_as_the_clients(
        api: Api, client: FlaskClient, rt: Runtime) -> None:
    cid = new_client(api)
    with transaction(rt.sessions) as session:
        session.add(TrustedPerson(client_id=cid, name="Kaisa Virtanen", phone="+358407654321",
                                  number_type="mobile", consent_at=REPLIED,
                                  consent_method="in_person"))
    sms_reply(client, "+358407654321", "hän ei pääse", REPLIED)
    [item] = load_all(rt, select(InboxItem))
    r = api.post(f"/inbox/{item.id}/correct", {"intent": "decline"})
    assert r.status_code == 422 and "intent" in r.json["errors"]
    assert item.holds is False  # a trusted person's words never hold the client's contact


@pytest.mark.parametrize(("text", "language", "question"), [
    ("en pääse tulemaan", "fi", "appointment"),
    ("on tullut", "fi", "decision"),
    ("mulla on nälkä", "fi", "appointment"),
    ("lopeta tai soita", "fi", "none"),
    ("Jag kan tyvärr inte komma", "sv", "call"),
    ("<b>stop</b> sending these", "en", "appointment"),
])
def test_the_try_page_reads_exactly_as_the_webhook(signed_in: Browser, text: str,
                                                   language: str, question: str) -> None:
    signed_in.get("/inbox/try")
    page = signed_in.post("/inbox/try", {"text": text, "language": language,
                                         "question": question}).get_data(as_text=True)
    expected = read_reply(text, language, None if question == "none" else question)
    shown = html.unescape(page)
    assert f'id="result-reason">{expected.reason}<' in shown
    assert "<b>stop</b>" not in page  # the typed text is escaped
    if expected.certain:
        assert "palvelu toimisi itse" in page
        assert "odottaisivat" not in page
    else:
        assert "ihminen päättää" in page
        assert "odottaisivat, kunnes työntekijä päättää" in page


def test_the_try_page_says_what_would_happen(signed_in: Browser) -> None:
    signed_in.get("/inbox/try")
    page = signed_in.post("/inbox/try", {"text": "älkää enää lähettäkö näitä",
                                         "language": "fi", "question": "appointment"})
    text = page.get_data(as_text=True)
    assert 'id="result-intent">lopeta<' in text
    assert "muistutukset ja soitot loppuisivat heti" in text
    assert signed_in.get("/inbox/try").status_code == 200
    assert 'id="result"' not in signed_in.get("/inbox/try").get_data(as_text=True)
    # An unknown language or question falls back to the defaults, never an error.
    odd = signed_in.post("/inbox/try", {"text": "joo", "language": "xx", "question": "yy"})
    assert odd.status_code == 200 and 'id="result-intent">vahvisti<' in odd.get_data(
        as_text=True)


def test_the_try_page_needs_signing_in(browser: Browser) -> None:
    response = browser.get("/inbox/try")
    assert response.status_code in (302, 401)
