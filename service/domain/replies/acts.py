"""What a reply says, and why it might not mean it: the grammar's result.

Acts are what was said (coming, not coming, stop, call me, the decision came);
doubts are why it might not mean that (a question, a hedge, a condition, a word we
do not know where it matters). decide.py weighs them against the question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["A", "Act", "D", "Doubt", "Parse", "Question"]


class A(StrEnum):
    """What a part of a reply says."""

    YES = "yes"
    ACK = "ack"
    NO = "no"
    KEY1 = "key1"
    KEY2 = "key2"
    COMING = "coming"
    NOT_COMING = "not_coming"
    SUITS = "suits"
    NOT_SUITS = "not_suits"
    CANCEL = "cancel"
    CALL = "call"
    STOP = "stop"
    STOP_WEAK = "stop_weak"  # "en halua niitä": a stop only beside a clear one
    START = "start"
    CAME = "came"  # the decision has come
    NOT_YET = "not_yet"
    ECHO_YES = "echo_yes"  # "On." to "onko päätös tullut?"
    ECHO_NO = "echo_no"  # "Ei ole."
    DOCS_DONE = "docs_done"
    HELP = "help"
    NO_HELP = "no_help"


class D(StrEnum):
    """Why a reply might not mean what its words say."""

    QUESTION = "question"
    HEDGE = "hedge"
    LATER = "later"
    IF = "if"
    BUT = "but"
    NEG_OTHER = "neg_other"  # a negation of something we do not read ("en saa unta")
    UNKNOWN = "unknown"  # a word we do not know where it changes the meaning
    SUBJECT = "subject"  # someone else is the subject ("äiti tulee", "hon kommer")
    BLOCKED = "blocked"  # a negated request ("älä peru", "don't stop")
    CLIENT_CALLS = "client_calls"
    PAST = "past"  # about something that happened ("lopetin", "soitin")
    CHANNEL = "channel"  # says something else about messages ("viestit riittää")
    CHOICE = "choice"  # an alternative: "lopeta tai siirrä aika"


@dataclass(frozen=True)
class Act:
    kind: A
    words: tuple[str, ...]
    clause: int
    request: bool = False  # an imperative or a polite request: a "?" does not doubt it
    negation: tuple[str, ...] = ()  # the negating words among `words` ("en", "älkää")


@dataclass(frozen=True)
class Doubt:
    kind: D
    words: tuple[str, ...]
    clause: int


@dataclass
class Parse:
    """All the acts and doubts of one reply."""

    acts: list[Act] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    context_words: int = 0  # unknown words in clauses that said nothing to act on
    questions: set[int] = field(default_factory=set)  # clauses that ask something



class Question(StrEnum):
    """What the reply answers: the last message or call sent to that number."""

    APPOINTMENT = "appointment"  # an appointment reminder ("1 = tulen, 2 = en pääse")
    DECISION = "decision"  # "onko päätös jo tullut?" (1 = kyllä, 2 = ei)
    DOCUMENTS = "documents"  # "paperit ... Tarvitsetko apua?"
    CALL = "call"  # a reminder call (1 = tulen, 2 = en pääse tai soittakaa)


# Words that may stand before a key press: "numero 1", "vastaus 2", "number 1".
