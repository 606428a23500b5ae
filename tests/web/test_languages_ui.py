"""Client languages in the worker's UI (issue 14, part 4): the forms offer every language
file (Ukrainian too) by name in the UI language, the appointment form says that place and
what-to-bring are written in the client's language, and the preview shows what a Cyrillic
text costs (UCS-2 segments) as the language's cost, not as a character to swap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service import clock
from service.domain.people.client_import import LANGUAGE_WORDS
from service.runtime import Runtime
from service.store.models import Worker
from tests.conftest import Api
from tests.web.conftest import Browser, make_client

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(NOW)


def test_the_client_form_offers_ukrainian(signed_in: Browser) -> None:
    page = signed_in.get("/clients/new").get_data(as_text=True)
    for code, name in (("fi", "suomi"), ("selko", "selkosuomi"), ("uk", "ukraina")):
        assert f'<option value="{code}"' in page and name in page


def test_a_ukrainian_clients_preview_shows_the_cost_of_the_script(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id, language="uk")
    url = f"/events/new/appointment?client_id={client.id}"
    form = signed_in.get(url).get_data(as_text=True)
    assert "Kirjoita asiakkaan kielellä (ukraina)" in form
    preview = signed_in.post(url, {"client_id": str(client.id), "appointment_type": "worker",
                                   "date": "15.6.2026", "time": "10.00",
                                   "place": "Keskuskatu 5", "bring": "паспорт",
                                   "action": "preview"}).get_data(as_text=True)
    assert "нагадування про зустріч пн 15.06 о 10:00" in preview
    assert "tekstiviestiä · UCS-2" in preview
    assert "yhteen tekstiviestiin mahtuu 70 merkkiä (UCS-2)" in preview
    assert "Vaihda merkki" not in preview  # Cyrillic is the language, not a slip


def test_a_finnish_text_with_one_costly_character_still_says_swap_it(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    preview = signed_in.post(url, {"client_id": str(client.id), "appointment_type": "worker",
                                   "date": "15.6.2026", "time": "10.00",
                                   "place": "Keskuskatu 5 😊", "action": "preview"}
                             ).get_data(as_text=True)
    assert "Vaihda merkki" in preview


def test_the_api_and_its_schema_accept_ukrainian(api: Api) -> None:
    schemas = api.get("/openapi.json").json["components"]["schemas"]
    for name in ("ClientInput", "TrustedPersonInput"):
        assert schemas[name]["properties"]["language"]["enum"] == [
            "fi", "sv", "en", "selko", "uk"]
    created = api.post("/clients", {"name": "Olena Kovalenko", "phone": "045 123 9876",
                                    "language": "uk"})
    assert created.status_code == 201 and created.json["language"] == "uk"
    refused = api.post("/clients", {"name": "X Y", "phone": "045 123 9877", "language": "ru"})
    assert refused.status_code == 422


@pytest.mark.parametrize("word", ["uk", "ukraina", "Ukrainian", "ukrainska"])
def test_an_imported_client_can_be_ukrainian(word: str) -> None:
    assert LANGUAGE_WORDS[word.lower()] == "uk"
