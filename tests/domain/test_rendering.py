"""What the client and a trusted person read and hear, per kind of appointment and language
(issue 14): a phone, home-visit or video appointment asks nobody to come; a trusted
person's text says whose reminder it is (the name only with the client's consent) and
that their answer is not the client's; the slips the issue lists are gone for good."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from service.config import REPO_ROOT
from service.domain.messages.template_check import cases, render_case, slips_in
from service.domain.texts.rendering import CLIENT, Reader, Sender, reader_for, render_text
from service.domain.texts.templates import LANGUAGES, TemplateSet, load_templates
from service.domain.texts.voice_words import expand_abbreviations
from service.store.models import Event, TrustedPerson
from service.store.states import EventKind

TEMPLATES = load_templates(REPO_ROOT / "message_templates")
SENDER = Sender(team="Kunnan palvelut", team_phone="+358141234567",
                booking_number="+358800123456", tz=ZoneInfo("Europe/Helsinki"))
# Friday 12 June 2026, 10.00 in Helsinki: "pe 12.6." ends in a full stop.
FRIDAY = datetime(2026, 6, 12, 7, 0, tzinfo=UTC)
APPOINTMENT_TEMPLATES = ("appointment_reminder", "appointment_today", "appointment_bring")
# The words that would ask the client to come, or offer "I will come" as the answer.
COME = {"fi": r"\btulen\b|\btulet\b|Ota .*mukaan", "selko": r"\btulen\b|\btulet\b|Ota mukaan",
        "sv": r"jag kommer|du kommer|Ta .*med", "en": r"you (will )?come|if coming|bring",
        "uk": r"прийду|прийдете|Візьміть"}


def _appointment(kind: str, **values: object) -> Event:
    return Event(kind=EventKind.APPOINTMENT, starts_at=FRIDAY, appointment_type=kind,
                 place="Keskuskatu 5, 2. krs" if kind in ("worker", "health") else None,
                 bring="henkilökortti", **values)


def _all(name: str, channel: str, language: str, event: Event,
         reader: Reader = CLIENT) -> str:
    return render_text(TEMPLATES, channel, name, language, event, SENDER, "Matti Meikäläinen",
                       reader)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["phone", "home_visit", "video"])
@pytest.mark.parametrize("channel", ["sms", "voice"])
def test_a_kind_that_is_not_come_here_asks_nobody_to_come(language: str, kind: str,
                                                          channel: str) -> None:
    for name in APPOINTMENT_TEMPLATES:
        text = _all(name, channel, language, _appointment(kind))
        assert not re.search(COME[language], text), f"{channel}/{name}.{language}: {text}"
        assert "Keskuskatu" not in text
    reminder = _all("appointment_reminder", channel, language, _appointment(kind))
    assert "1" in reminder and "2" in reminder  # it still asks whether the time suits


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", ["sms", "voice"])
def test_an_office_appointment_asks_the_client_to_come(language: str, channel: str) -> None:
    text = _all("appointment_reminder", channel, language, _appointment("worker"))
    assert re.search(COME[language], text) and "Keskuskatu" in text


@pytest.mark.parametrize(("kind", "language", "says"), [
    ("phone", "fi", "Työntekijä soittaa sinulle. Sopiiko aika?"),
    ("home_visit", "fi", "Työntekijä tulee kotiisi. Sopiiko aika?"),
    ("video", "fi", "Videotapaaminen. Sopiiko aika?"),
    ("phone", "sv", "Vi ringer dig. Passar tiden?"),
    ("phone", "en", "We will call you. Does the time suit you?"),
    ("phone", "uk", "Працівник вам зателефонує. Час підходить?"),
    ("phone", "selko", "Työntekijä soittaa sinulle."),
])
def test_each_kind_says_what_happens(kind: str, language: str, says: str) -> None:
    assert says in _all("appointment_reminder", "sms", language, _appointment(kind))


def _person(shares: bool) -> TrustedPerson:
    return TrustedPerson(name="Liisa", phone="+358507654321", language="fi",
                         shares_client_name=shares)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", ["sms", "voice"])
def test_a_trusted_person_is_told_whose_reminder_and_that_their_answer_is_not_the_clients(
        language: str, channel: str) -> None:
    client_text = _all("appointment_reminder", channel, language, _appointment("worker"))
    for shares in (False, True):
        reader = reader_for(_person(shares), "Matti Meikäläinen")
        text = _all("appointment_reminder", channel, language, _appointment("worker"), reader)
        assert text != client_text
        assert not re.search(COME[language], text), text  # no "Vastaa 1 = tulen"
        assert "Meikäläinen" not in text
        # The first name only in a text, and only with consent; never said in a call,
        # where whoever answers a shared landline hears it.
        assert ("Matti" in text) == (shares and channel == "sms"), text
    no_answer = {"fi": "Vastauksesi ei muuta aikaa.", "selko": "Sinun vastauksesi ei muuta",
                 "sv": "Ditt svar ändrar inte tiden.", "en": "does not change it",
                 "uk": "Ваша відповідь не змінює зустріч."}[language]
    assert no_answer in _all("appointment_reminder", channel, language,
                             _appointment("worker"), reader_for(_person(False), "Matti"))


def _every_rendering(templates: TemplateSet) -> list[tuple[str, str]]:
    out = []
    for template in templates.templates.values():
        for case in cases(template):
            out.append((f"{template.path.name} [{case.label}]",
                        render_case(templates, template, case, SENDER)))
    return out


def test_no_template_in_any_language_renders_a_slip() -> None:
    """Every template, language, reader and kind, with the long samples and a Friday date
    ("pe 12.6.") in every date variable: no "..", no empty value inside a line."""
    for where, text in _every_rendering(TEMPLATES):
        assert slips_in(text) == [], f"{where}: {text!r}"
    for language in LANGUAGES:
        for name in ("documents_due", "decision_followup"):
            event = Event(kind=EventKind.APPLICATION, agency="Kela",
                          documents_due=date(2026, 6, 12), decision_expected=date(2026, 6, 12))
            for channel in ("sms", "voice"):
                text = _all(name, channel, language, event)
                assert slips_in(text) == [], f"{channel}/{name}.{language}: {text!r}"
                assert "Kela" in text, f"{channel}/{name}.{language} does not name the agency"


@pytest.mark.parametrize(("text", "slip"), [
    ("Toimita paperit viimeistään pe 12.6..", "double full stop"),
    ("Paikka on .", "space before"),
    ("Ota mukaan  henkilökortti", "double space"),
    ("Hei {team}", "brace"),
])
def test_each_slip_class_is_caught(text: str, slip: str) -> None:
    assert any(slip in found for found in slips_in(text))


def test_every_language_has_every_template() -> None:
    for channel in ("sms", "voice"):
        for name in TEMPLATES.names(channel):
            missing = [lang for lang in LANGUAGES if (channel, name, lang) not in
                       TEMPLATES.templates]
            assert missing == [], f"{channel}/{name} has no {missing} version"


def test_the_slips_listed_in_issue_14_are_gone() -> None:
    def source(channel: str, name: str, language: str) -> str:
        return "\n".join(TEMPLATES.get(channel, name, language).lines)
    every = "\n".join("\n".join(t.lines) for t in TEMPLATES.templates.values())
    assert "Et tarvitse tulla" not in every
    assert "Sinun ei tarvitse tulla." in source("sms", "appointment_cancelled", "selko")
    assert not re.search(r"Vastaa 1 jos", every)  # selko: a comma before "jos"
    assert "Vastaa 1, jos tulet." in source("sms", "appointment_reminder", "selko")
    for language, taxi in (("fi", "Kela-taksi"), ("selko", "Kela-taksi"), ("sv", "FPA-taxi"),
                           ("en", "Kela taxi"), ("uk", "таксі Kela")):
        for channel in ("sms", "voice"):
            assert taxi in source(channel, "transport_booking", language), (channel, language)
    for channel in ("sms", "voice"):
        assert "lämnas in" in source(channel, "documents_due", "sv")
        assert "{agency}" in source(channel, "documents_due", "fi")
        assert "{agency}" in source(channel, "decision_followup", "fi")


def test_a_workers_short_forms_are_said_in_full_in_a_call() -> None:
    event = _appointment("worker")
    said = _all("appointment_reminder", "voice", "fi", event)
    assert "Keskuskatu 5, 2. kerros" in said and "krs" not in said
    assert "Keskuskatu 5, 2. krs" in _all("appointment_reminder", "sms", "fi", event)


def test_a_phone_number_is_said_in_groups_twice_and_written_once() -> None:
    goodbye = _all("call_goodbye", "voice", "fi", _appointment("worker"))
    assert goodbye.count("0 1 4, 1 2 3, 4 5 6 7") == 2
    assert "014 123 4567" in _all("appointment_reminder", "sms", "fi", _appointment("worker"))


@pytest.mark.parametrize(("language", "written", "said"), [
    ("fi", "Keskuskatu 5 B, 3. krs, klo 9 alkaen", "Keskuskatu 5 B, 3. kerros, kello 9 alkaen"),
    ("fi", "tiliotteet, esim. kahdelta kuukaudelta, ym.",
     "tiliotteet, esimerkiksi kahdelta kuukaudelta, ynnä muuta"),
    ("selko", "Esim. henkilökortti", "esimerkiksi henkilökortti"),
    ("sv", "Centralgatan 5, 2 vån., t.ex. kl. 9",
     "Centralgatan 5, 2 våningen, till exempel klockan 9"),
    ("uk", "вул. Кескускату 5, кв. 3", "вулиця Кескускату 5, квартира 3"),
    ("fi", "Krsitiina Esimerkki, klonkku", "Krsitiina Esimerkki, klonkku"),  # whole words only
])
def test_short_forms_are_expanded_from_the_language_file(language: str, written: str,
                                                         said: str) -> None:
    assert expand_abbreviations(written, language) == said
