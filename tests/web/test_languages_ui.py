"""Client languages in the worker's UI (issue 14, part 4): the forms offer every language
file (Ukrainian too) by name in the UI language, the appointment form says that place and
what-to-bring are written in the client's language, and the preview shows what a Cyrillic
text costs (UCS-2 segments) as the language's cost, not as a character to swap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service import clock
from service.runtime import Runtime
from service.store.models import Worker
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
