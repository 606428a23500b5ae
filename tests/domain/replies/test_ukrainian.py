"""Ukrainian replies (issue 14): keys and digits are the main answer path; a text is read
only when it is a digit, an emoji or one exact yes, no or stop word (words/uk.txt), and
everything else goes to a person. fi/sv/en reading is not changed by the uk words."""

from __future__ import annotations

import pytest

from service.domain.replies.reading import Intent, read_reply


@pytest.mark.parametrize(("text", "intent"), [
    ("1", Intent.CONFIRM), ("2", Intent.DECLINE), ("так", Intent.CONFIRM),
    ("Ага", Intent.CONFIRM), ("ні", Intent.DECLINE), ("СТОП", Intent.STOP),
    ("припиніть", Intent.STOP), ("👍", Intent.CONFIRM),
])
def test_digits_and_exact_words_are_read(text: str, intent: Intent) -> None:
    reading = read_reply(text, "uk", "appointment")
    assert (reading.intent, reading.certain) == (intent, True)


@pytest.mark.parametrize("text", ["Так, прийду", "я не прийду", "Добрий день",
                                  "зателефонуйте мені", "не знаю"])
def test_free_text_goes_to_a_person(text: str) -> None:
    reading = read_reply(text, "uk", "appointment")
    assert reading.intent is Intent.UNKNOWN and not reading.certain
    assert "kielellä uk" in reading.reason


@pytest.mark.parametrize("language", ["fi", "sv", "en", "selko"])
def test_the_ukrainian_words_mean_nothing_in_the_other_languages(language: str) -> None:
    for word in ("ага", "припиніть", "зупиніть"):
        assert read_reply(word, language, "appointment").intent is Intent.UNKNOWN

