"""A moved or cancelled bill/rent due and medication pickup say so in their own words.

Why: the notices (appointment_moved, appointment_cancelled) and the what-to-bring and
transport texts said "aikasi on siirtynyt" / "your appointment" for a payment's due date
too. Rendered from the repository's templates in every language, sms and voice, and end
to end through the JSON API (a text to a mobile, a call to a landline) on each database.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from service import clock
from service.config import REPO_ROOT
from service.domain.texts.rendering import CLIENT, Reader, Sender, render_text
from service.domain.texts.templates import LANGUAGES, load_templates
from service.gateways.development import DevelopmentGateway
from service.store.models import Event
from service.store.states import EventKind
from tests.conftest import Api, signed_post
from tests.reach import hel, new_appointment, new_client
from tests.twilio.helpers import local_path, parse_twiml, spoken

TEMPLATES = load_templates(REPO_ROOT / "message_templates")
SENDER = Sender(team="Kunnan palvelut", team_phone="+358141234567",
                booking_number="+358800123456", tz=ZoneInfo("Europe/Helsinki"))
STARTS = hel(2026, 9, 30, 10, 30)  # ke 30.9.
MOVED_TO = hel(2026, 10, 2, 13, 15)  # pe 2.10.
REGISTERED = hel(2026, 9, 21, 9, 0)
DAYTIME = hel(2026, 9, 22, 10, 0)
LANDLINE = "014 123 4567"
KINDS = ("bill_due", "medication_pickup")
TEMPLATE_NAMES = ("appointment_moved", "appointment_cancelled", "appointment_bring",
                  "transport_booking")
# Words that name an appointment (a time to come to), in each language.
APPOINTMENT_WORDS = {"fi": r"[Aa]ikasi|\b[Aa]ika\b|aikaan", "selko": r"[Aa]ikasi|\b[Aa]ika\b",
                     "sv": r"[Dd]in tid|[Tt]iden|sin tid", "en": r"appointment|[Nn]ew time",
                     "uk": r"зустріч"}
# The new day and the old day as each language writes them and says them.
WRITTEN = {"fi": ("pe 2.10.", "ke 30.9."), "selko": ("perjantaina 2.10.", "keskiviikkona 30.9."),
           "sv": ("fre 2.10", "ons 30.9"), "en": ("Fri 2 October", "Wed 30 September")}
SPOKEN = {"fi": ("perjantaina toinen lokakuuta", "keskiviikkona kolmaskymmenes syyskuuta"),
          "sv": ("fredagen den andra oktober", "onsdagen den trettionde september")}


def _event(kind: str, **values: object) -> Event:
    return Event(kind=EventKind.APPOINTMENT, starts_at=MOVED_TO, previous_starts_at=STARTS,
                 appointment_type=kind, bring="henkilökortti", needs_transport=True,
                 **values)


def _render(name: str, channel: str, language: str, kind: str,
            reader: Reader = CLIENT) -> str:
    return render_text(TEMPLATES, channel, name, language, _event(kind), SENDER,
                       "Matti Meikäläinen", reader)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channel", ["sms", "voice"])
def test_no_due_or_pickup_text_speaks_of_an_appointment(language: str, kind: str,
                                                        channel: str) -> None:
    trusted = Reader(audience="trusted", client_first_name="Matti")
    for name in TEMPLATE_NAMES:
        if name == "transport_booking" and kind == "bill_due":
            continue  # a bill due travels nowhere: no taxi is booked for it (lifecycle.py)
        for reader in (CLIENT, trusted):
            text = _render(name, channel, language, kind, reader)
            assert text, f"{channel}/{name}.{language} {kind}: nothing rendered"
            found = re.search(APPOINTMENT_WORDS[language], text)
            assert found is None, f"{channel}/{name}.{language} {kind}: {text}"


@pytest.mark.parametrize("language", sorted(WRITTEN))
@pytest.mark.parametrize("kind", KINDS)
def test_a_moved_due_day_texts_the_new_and_the_old_day(language: str, kind: str) -> None:
    new, old = WRITTEN[language]
    text = _render("appointment_moved", "sms", language, kind)
    assert new in text and old in text, text
    assert "13.15" not in text and "10.30" not in text  # a day, not a time


def test_the_finnish_and_swedish_wording_of_each_kind() -> None:
    says = {
        ("appointment_moved", "fi", "bill_due"): "eräpäivä on muuttunut.\nUusi eräpäivä: pe 2.10.",
        ("appointment_moved", "fi", "medication_pickup"): "noutopäivä on muuttunut",
        ("appointment_moved", "sv", "bill_due"): "förfallodagen har ändrats",
        ("appointment_moved", "sv", "medication_pickup"): "dagen för att hämta ut har ändrats",
        ("appointment_cancelled", "fi", "bill_due"): "muistutus maksusta pe 2.10. on peruttu",
        ("appointment_cancelled", "fi", "medication_pickup"):
            "muistutus noudosta pe 2.10. on peruttu",
        ("appointment_cancelled", "sv", "bill_due"):
            "påminnelsen om betalningen fre 2.10 är inställd",
        ("appointment_cancelled", "sv", "medication_pickup"):
            "påminnelsen om att hämta ut fre 2.10 är inställd",
    }
    for (name, language, kind), wording in says.items():
        assert wording in _render(name, "sms", language, kind), (name, language, kind)


@pytest.mark.parametrize("language", sorted(SPOKEN))
def test_a_call_says_the_due_day_in_words(language: str) -> None:
    new, old = SPOKEN[language]
    moved = _render("appointment_moved", "voice", language, "bill_due")
    assert new in moved and old in moved and "kello" not in moved, moved
    cancelled = _render("appointment_cancelled", "voice", language, "medication_pickup")
    assert new in cancelled, cancelled
    assert ("Muistutus noudosta" if language == "fi" else "att hämta ut") in cancelled


def test_an_office_appointments_texts_are_as_they_were() -> None:
    """The other kinds keep their wording: the new lines are only for due and pickup."""
    moved = _render("appointment_moved", "sms", "fi", "worker")
    assert moved == ("Kunnan palvelut: aikasi on siirtynyt.\nUusi aika: pe 2.10. klo 13.15\n"
                     "(ennen ke 30.9. klo 10.30)\nKysyttävää? Soita 014 123 4567")
    cancelled = _render("appointment_cancelled", "voice", "sv", "phone")
    assert "Din tid" in cancelled and "Du behöver inte komma." in cancelled
    assert "påminnelsen" not in cancelled.lower()


def _speak(client: FlaskClient, twiml_url: str) -> str:
    r = signed_post(client, local_path(twiml_url), {
        "CallSid": "CA" + "6" * 32, "AccountSid": "AC" + "0" * 32, "From": "+358451234567",
        "To": "+358141234567", "CallStatus": "in-progress", "AnsweredBy": "human"})
    assert r.status_code == 200
    root: ET.Element = parse_twiml(r.data)
    return " ".join(spoken(root))


def _move(api: Api, event_id: int) -> None:
    clock.freeze(DAYTIME)
    r = api.client.patch(f"/api/v1/events/{event_id}", headers=api.headers,
                         json={"starts_at": MOVED_TO.isoformat(), "notify_client": True})
    assert r.status_code == 200, r.json
    assert r.json["notice"]["sent"] is True


def test_a_moved_rent_due_is_texted_as_a_new_due_date(api: Api,
                                                      gateway: DevelopmentGateway) -> None:
    event = new_appointment(api, new_client(api), STARTS, REGISTERED,
                            appointment_type="bill_due", place="")
    _move(api, event["id"])
    [(kind, _to, text)] = gateway.sent
    assert kind == "sms"
    assert "eräpäivä on muuttunut" in text and "Uusi eräpäivä: pe 2.10." in text
    assert "(ennen ke 30.9.)" in text and "aikasi" not in text.lower()


def test_a_moved_pickup_is_called_to_a_swedish_landline(api: Api, client: FlaskClient,
                                                        gateway: DevelopmentGateway) -> None:
    cid = new_client(api, phone=LANDLINE, language="sv")
    event = new_appointment(api, cid, STARTS, REGISTERED,
                            appointment_type="medication_pickup")
    _move(api, event["id"])
    [(kind, _to, twiml_url)] = gateway.sent
    assert kind == "voice"
    said = _speak(client, twiml_url)
    assert "Dagen för att hämta ut har ändrats" in said
    assert "fredagen den andra oktober" in said and "Din tid" not in said


def test_a_cancelled_due_and_pickup_tell_the_reminder_is_cancelled(
        api: Api, client: FlaskClient, gateway: DevelopmentGateway) -> None:
    due = new_appointment(api, new_client(api), STARTS, REGISTERED,
                          appointment_type="bill_due", place="")
    pickup = new_appointment(api, new_client(api, phone=LANDLINE, name="Aino Virtanen"),
                             STARTS, REGISTERED, appointment_type="medication_pickup")
    clock.freeze(DAYTIME)
    assert api.post(f"/events/{due['id']}/cancel", {"notify_client": True}).status_code == 200
    text = gateway.sent[-1][2]
    assert "muistutus maksusta ke 30.9. on peruttu" in text and "aikasi" not in text.lower()
    assert api.post(f"/events/{pickup['id']}/cancel",
                    {"notify_client": True}).status_code == 200
    said = _speak(client, gateway.sent[-1][2])
    assert "Muistutus noudosta keskiviikkona kolmaskymmenes syyskuuta on peruttu" in said
    assert "Aikasi" not in said and "tarvitse tulla" not in said
