"""What a client means by a reply: confirm, decline, callback, stop, start or unknown.

Why this exists: clients answer from basic phones in Finnish, plain Finnish,
Swedish or English, in their own words, with typos, dialect, emoji and names. A
reply that changes what happens to a vulnerable client (stop, start, decline,
confirm, "the decision has come") must be right, so the reader has three outcomes
only: act when certain, otherwise UNKNOWN and a person decides; never a guess.

It reads in the client's language first and against the question the reply
answers (the last message or call to that number). Reading is pure: the word
tables are read once, and wordfreq's lists once when a word is outside them.
The parts: normalise (text to pieces), recognise (pieces to word classes),
grammar (clauses, verb chains, acts and doubts), decide (the verdict).
"""

from __future__ import annotations

from dataclasses import dataclass

from service import languages
from service.domain.replies.acts import Question
from service.domain.replies.decide import Intent, decide
from service.domain.replies.grammar import parse
from service.domain.replies.lexicon import TABLE_LANGUAGES, lexicon, load_file
from service.domain.replies.normalise import pieces
from service.domain.replies.recognise import recognise

__all__ = ["Intent", "Question", "Reading", "question_for", "read_digits", "read_intent",
           "read_key", "read_reply"]

LANGUAGES = languages.codes()


@dataclass(frozen=True)
class Reading:
    """The reader's verdict on one reply, with the words or rule that decided it."""

    intent: Intent  # UNKNOWN unless certain
    certain: bool  # act on intent; False: a person decides
    reason: str  # in plain Finnish, for the worker: "kieltosana ja verbi 'en' + 'pääse'"
    question: Question | None = None
    language: str | None = None
    leaning: Intent | None = None  # when not certain: what the words pointed at


def _known_word(word: str) -> bool:
    return any(load_file(name).get(word, allow_fold=False) for name in TABLE_LANGUAGES)


def _question(question: Question | str | None) -> Question | None:
    return Question(question) if question else None


def read_reply(text: str, language: str | None, question: Question | str | None) -> Reading:
    """Read a typed reply against the question it answers; anything unclear is UNKNOWN.

    language is the client's (fi, sv, en, selko; another or None: digits, emoji and
    exact one-word yes, no and stop only). question is appointment, decision,
    documents, call, or None when it is not known.
    """
    asked = _question(question)
    found, plain = pieces(text, _known_word)
    tokens = recognise(found, language, plain)
    if lexicon(language) is None and any(t.unknown for t in tokens):
        words = ", ".join(f"'{t.text}'" for t in tokens if t.unknown)
        return Reading(Intent.UNKNOWN, False,
                       f"kielellä {language or '?'} luetaan vain numerot, emojit ja yksittäiset "
                       f"kyllä-, ei- ja lopeta-sanat: {words}", asked, language)
    verdict = decide(parse(tokens, asked), asked)
    return Reading(verdict.intent, verdict.certain, verdict.reason, asked, language,
                   verdict.leaning)


def read_intent(text: str, language: str | None = "fi",
                question: Question | str | None = Question.APPOINTMENT) -> Intent:
    """The intent alone (for callers that store only it); see read_reply."""
    return read_reply(text, language, question).intent


def read_digits(digits: str) -> Intent:
    """Read a voice key press: 1 = I'm coming, 2 = I can't come / please call me.

    A spoken "2" offers both, and a human has to call to hear which, so it is a
    CALLBACK. Anything else (9 = hear again, several keys) is UNKNOWN.
    """
    pressed = digits.strip()
    if pressed == "1":
        return Intent.CONFIRM
    if pressed == "2":
        return Intent.CALLBACK
    return Intent.UNKNOWN


def read_key(digits: str) -> Reading:
    """A key pressed in a reminder call, as a Reading (see read_digits)."""
    intent = read_digits(digits)
    return Reading(intent, intent is not Intent.UNKNOWN, f"näppäin {digits.strip() or '-'}",
                   Question.CALL)


# Which question a reminder template asks; a template not listed asks nothing we read.
TEMPLATE_QUESTIONS = {"decision_followup": Question.DECISION,
                      "documents_due": Question.DOCUMENTS}


def question_for(template: str | None, channel: str | None) -> Question | None:
    """What the last message or call to a number asked: a call, or its reminder's template."""
    if channel == "voice":
        return Question.CALL
    if template is None:
        return None
    if template.startswith("appointment_"):
        return Question.APPOINTMENT
    return TEMPLATE_QUESTIONS.get(template)
