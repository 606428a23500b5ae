"""The reader's contract: read_reply, read_intent, read_digits, question_for, Reading.

The replies themselves are in replies_table.tsv (test_reply_table.py); these tests
pin the behaviour the callers and the worker rely on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.replies.lexicon import TABLE_LANGUAGES, _entries, load_file
from service.domain.replies.reading import (
    Intent,
    Question,
    question_for,
    read_digits,
    read_intent,
    read_reply,
)

C, D, B = Intent.CONFIRM, Intent.DECLINE, Intent.CALLBACK
S, A, U = Intent.STOP, Intent.START, Intent.UNKNOWN


@settings(deadline=None)  # the first reading loads wordfreq's lists
@given(st.text(max_size=200), st.sampled_from(["fi", "sv", "en", "selko", "uk", None]),
       st.sampled_from([*Question, None]))
def test_any_text_reads_without_error(text: str, language: str | None,
                                      question: Question | None) -> None:
    reading = read_reply(text, language, question)
    assert reading.certain == (reading.intent is not U)
    assert reading.reason


@pytest.mark.parametrize(("text", "question", "expected"), [
    ("tuli jo", "decision", C),  # the decision has come
    ("tuli jo", "appointment", U),  # ... but that does not answer an appointment reminder
    ("ei oo tullu vielä", "decision", D),
    ("2", "appointment", D),
    ("2", "call", B),  # a spoken 2 offers "cannot come" and "call me": a person calls
    ("2", "documents", U),  # the documents reminder offers no keys
    ("ok", "decision", U),  # "ok" is not a yes to "has the decision come?"
    ("ok", "documents", C),  # ... but it is "noted" to a documents reminder
    ("tarvitsen apua", "documents", B),
    ("tarvitsen apua", "appointment", U),
    ("joo", None, U),  # what was asked is not known: no confirm or decline
    ("lopeta", None, S),  # a stop is a stop whatever was asked
])
def test_a_reply_is_read_against_its_question(text: str, question: str | None,
                                              expected: Intent) -> None:
    assert read_reply(text, "fi", question).intent is expected


def test_the_reason_names_the_words_that_decided() -> None:
    declined = read_reply("En pääse tulemaan", "fi", "appointment")
    assert declined.certain
    assert "kieltosana 'en'" in declined.reason and "'pääse'" in declined.reason
    hedged = read_reply("Tulen ehkä", "fi", "appointment")
    assert not hedged.certain and "'ehkä'" in hedged.reason
    assert hedged.leaning is C  # what a person deciding may want to see first


@pytest.mark.parametrize(("text", "language"), [
    ("Jag behöver stöd", "sv"),  # "stöd" is not "stop"
    ("mulla on nälkä", "fi"),
    ("Selkä on kipeä", "fi"),
    ("Please remove me from your list", "en"),
])
def test_the_issues_misreadings_are_gone(text: str, language: str) -> None:
    reading = read_reply(text, language, "appointment")
    assert reading.intent in (U, S)
    assert reading.intent is not S or "remove" in text  # the last one is a stop, rightly


def test_a_real_word_is_never_corrected_into_a_keyword() -> None:
    for word, language in (("stöd", "fi"), ("tuli", "fi"), ("home", "en"), ("shop", "en")):
        assert read_reply(word, language, "appointment").intent is U, word
    typo = read_reply("lopta", "fi", "appointment")  # not a word anywhere: a typo of "lopeta"
    assert typo.intent is S


def test_another_languages_word_counts_only_exactly() -> None:
    assert read_reply("Jag kommer", "fi", "appointment").intent is C  # exact Swedish
    assert read_reply("stpo", "fi", "appointment").intent is U  # an English typo: no
    assert read_reply("stpo", "en", "appointment").intent is S  # in English: yes


def test_a_language_without_tables_reads_only_digits_emoji_and_one_word_answers() -> None:
    assert read_reply("1", "uk", "appointment").intent is C
    assert read_reply("👍", "uk", "appointment").intent is C
    assert read_reply("STOP", "uk", "appointment").intent is S
    assert read_reply("Так", "uk", "appointment").intent is C
    unread = read_reply("en pääse", "uk", "appointment")
    assert unread.intent is U and "'pääse'" in unread.reason


def test_read_intent_keeps_the_old_entry_point() -> None:
    assert read_intent("en pääse") is D
    assert read_intent("joo") is C
    assert read_intent("Jag kommer", "sv") is C
    assert read_intent("tuli jo", "fi", Question.DECISION) is C


@pytest.mark.parametrize(("digits", "expected"), [
    ("1", C), (" 1 ", C),
    ("2", B),  # a spoken "2" means "cannot come / please call me": a human calls
    ("2\n", B),
    ("9", U),  # hear it again: not an answer
    ("3", U), ("0", U), ("11", U), ("12", U), ("1#", U), ("*", U), ("", U), ("  ", U),
])
def test_read_digits(digits: str, expected: Intent) -> None:
    assert read_digits(digits) is expected


@pytest.mark.parametrize(("template", "channel", "expected"), [
    ("appointment_reminder", "sms", Question.APPOINTMENT),
    ("appointment_today", "sms", Question.APPOINTMENT),
    ("appointment_bring", "sms", Question.APPOINTMENT),
    ("decision_followup", "sms", Question.DECISION),
    ("documents_due", "sms", Question.DOCUMENTS),
    ("appointment_reminder", "voice", Question.CALL),
    ("transport_booking", "sms", None),
    (None, "sms", None),  # an ad-hoc text (an opt-out confirmation, a worker's message)
])
def test_question_for(template: str | None, channel: str, expected: Question | None) -> None:
    assert question_for(template, channel) is expected


def test_intent_values_are_the_stored_strings() -> None:
    assert [intent.value for intent in Intent] == [
        "confirm", "decline", "callback", "stop", "start", "unknown",
    ]


def test_the_word_tables_load_and_a_bad_class_is_refused(tmp_path: Path) -> None:
    for name in (*TABLE_LANGUAGES, "universal", "other"):
        assert load_file(name).words
    bad = tmp_path / "xx.txt"
    bad.write_text("yes: joo\nmaybe_yes: ehkä\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown class 'maybe_yes'"):
        _entries(bad)
