"""The word tables: which class a word belongs to in each language (data in words/*.txt).

Why data files: the team and reviewers can read and extend what the reader knows
without reading its rules, and a test checks every file loads. The classes are the
grammar's vocabulary: answer particles, negations, verbs of coming, requests and
their objects, and the words that hedge, ask or join clauses. Each language file
is read for clients of that language; the others count only on an exact match.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path

__all__ = ["TABLE_LANGUAGES", "Lexicon", "W", "exact_words", "fold", "lexicon",
           "other_languages"]

WORDS_DIR = Path(__file__).parent / "words"
# Languages with full tables; "selko" (plain Finnish) is read with the Finnish one.
TABLE_LANGUAGES = ("fi", "sv", "en")
_FILE_FOR = {"fi": "fi", "selko": "fi", "sv": "sv", "en": "en"}


class W(StrEnum):
    """A word class, as named in the data files."""

    YES = "yes"  # kyllä, joo, ja, yes
    ACK = "ack"  # ok, selvä, 👍: noted
    NO = "no"  # nej, no, 👎 ("ei" is a negation that stands alone)
    NUM1 = "num1"  # yksi, ett, one: the key 1 as a word
    NUM2 = "num2"
    NEG = "neg"  # en, ei, inte, not, can't
    NEG_IMP = "neg_imp"  # älä, älkää: a negative imperative
    NOTHING = "nothing"  # mitään, nothing
    COME = "come"  # tulen, pääsen, kommer, coming: I come
    COME_PROG = "come_prog"  # tulossa (with olen)
    COME_NEG = "come_neg"  # tule, pääse: after a negation
    COME_INF = "come_inf"  # tulla, tulemaan, komma, come
    THERE = "there"  # paikalla, där, there (with olen/be)
    SEE = "see"  # nähdään, ses, see you
    SUITS = "suits"  # sopii, käy, passar, works
    SUITS_NEG = "suits_neg"  # sovi, går, work: with a negation, or with the time as subject
    POSSIBLE = "possible"  # mahdollista
    CAN = "can"  # voin, pysty, kan, can: alone with a negation says no
    MUST = "must"  # jaksa, joudun, orkar: needs a complement
    COP = "cop"  # olen, ole, är, am, be, do
    COP3 = "cop3"  # on, is: third person
    WANT = "want"  # halua, tarvitse, vill, want, need
    CANCEL = "cancel"
    CANCEL_INF = "cancel_inf"  # perua: after "haluan", "joudun", "voitteko"
    CALL = "call"  # soita, soitatko, ring, call: a request to call
    CALL_INF = "call_inf"  # soittaa, ringa
    CALL_NOUN = "call_noun"  # soittoa ("pyydän soittoa")
    CALL_NEG = "call_neg"  # soittako ("älkää soittako")
    CALL_YOU = "call_you"  # soitatte ("pyydän, että soitatte")
    CLIENT_CALLS = "client_calls"  # soitan, ringer: the client will call
    CALL_PAST = "call_past"  # soitin, soititte, called
    STOP = "stop"
    STOP_INF = "stop_inf"
    STOP_NEG = "stop_neg"
    STOP_YOU = "stop_you"
    STOP_OTHER = "stop_other"  # lopetin, loppu: about something that ended
    START = "start"
    START_INF = "start_inf"
    START_OTHER = "start_other"  # aloitan, started: about something else starting
    SEND = "send"  # lähetä, skicka, send, text
    SEND_INF = "send_inf"
    SEND_NEG = "send_neg"  # lähettäkö ("älkää lähettäkö")
    SEND_GER = "send_ger"  # lähettäminen, sending
    SEND_YOU = "send_you"
    REMOVE = "remove"  # poista, ta bort, remove
    RM_OBJ = "rm_obj"  # numero, listan, list: what is removed
    REQUEST = "request"  # voitteko, kan du, can you: makes an infinitive a request
    WISH = "wish"  # toivon ("toivon, että lopetatte")
    POSSIBLE_Q = "possible_q"  # voiko, can I: asks whether, requests nothing
    MSG = "msg"  # viestit, sms, calls
    THESE = "these"  # nämä, these
    MORE = "more"  # enää, more, fler
    AGAIN = "again"  # taas, igen, again
    STILL = "still"  # vielä, än, yet
    DECISION = "decision"  # päätös, beslut
    DECIDED = "decided"  # hylättiin, approved
    ARRIVE = "arrive"  # tuli, kom, came
    ARRIVE_PART = "arrive_part"  # tullut, kommit
    HEARD = "heard"  # kuulunut ("ei kuulunut mitään")
    GOT = "got"  # sain, fått, got
    WAIT = "wait"  # odotan, väntar
    DOCS = "docs"  # toimitan, vein, skickade, sent
    DOCS_OBJ = "docs_obj"  # paperit, papers
    HELP = "help"  # apua, hjälp, help
    CONFIRM_VERB = "confirm_verb"  # vahvistan, confirm
    OBSTACLE = "obstacle"  # este
    HEDGE = "hedge"  # ehkä, kanske, maybe, myöhässä
    LATER = "later"  # myöhemmin: a hedge for coming, fine for a call
    ONTIME = "ontime"  # ajoissa: fine when coming, late when negated
    QUESTION = "question"  # missä, vad, where
    BUT = "but"
    OR = "or"
    AND = "and"
    BECAUSE = "because"
    REASON_POST = "reason_post"  # takia: the word before it is the reason
    IF = "if"
    WHEN = "when"
    THAT = "that"
    FROM = "from"  # från, from: "kommer från" is where one is from
    THANKS = "thanks"
    GREET = "greet"
    SIGN = "sign"
    SORRY = "sorry"
    PRON1 = "pron1"  # minä, jag, I
    PRON_OBJ = "pron_obj"  # minulle, mig, me
    PRON_AT = "pron_at"  # minulla, mulla: "mulla on ..." (the speaker has or feels)
    PRON3 = "pron3"  # hän, hon, she: someone else
    IT = "it"  # se, det, it
    APPT = "appt"  # aika, tiden, appointment
    TIME = "time"
    PLACE = "place"
    POST = "post"  # kanssa: the word before it is harmless
    PREP = "prep"  # med, with: the word after it is harmless
    WELL = "well"  # Finnish "no": "well" at the start of a clause, else perhaps English "no"
    FILLER = "filler"
    OTHER = "other"  # known, and not an answer ("voin hyvin")
    # set by the reader, not listed in the data files
    KEY1 = "key1"  # the digit 1
    KEY2 = "key2"  # the digit 2
    NUMBER = "number"  # any other number, or a clock time


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without diacritics (ä->a, ö->o, å->a), as typed on a phone without them."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Lexicon:
    """One language's words: exact (lower-case) and folded keys, and fixed phrases."""

    name: str
    words: Mapping[str, W]
    folded: Mapping[str, tuple[W, str]]  # folded key -> class and word, if unambiguous
    phrases: Mapping[tuple[str, ...], W]  # words as written -> class
    folded_phrases: Mapping[tuple[str, ...], W]  # folded words -> class
    longest_phrase: int
    phrase_starts: frozenset[str]  # the folded first words of the phrases

    def get(self, word: str, *, allow_fold: bool) -> tuple[W, str] | None:
        """The class and table word of a word, exact first, then (if allowed) folded.

        Words of one or two letters are never folded: "na" is not "nä", "ma" not "mä".
        """
        cls = self.words.get(word)
        if cls is not None:
            return cls, word
        return self.folded.get(fold(word)) if allow_fold and len(word) > 2 else None

    def phrase(self, words: tuple[str, ...], *, allow_fold: bool) -> W | None:
        cls = self.phrases.get(words)
        if cls is None and allow_fold:
            cls = self.folded_phrases.get(_fold_phrase(words))
        return cls


def _fold_phrase(words: tuple[str, ...]) -> tuple[str, ...]:
    """Folded, except words of one or two letters ("nå tack" is not "nä tack")."""
    return tuple(fold(w) if len(w) > 2 else w for w in words)


def _entries(path: Path) -> list[tuple[W, str]]:
    """(class, word) pairs of one data file; an unknown class name is an error."""
    entries: list[tuple[W, str]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, words = line.partition(":")
        if not sep:
            raise ValueError(f"{path.name}:{number}: expected 'class: words'")
        try:
            cls = W(name.strip())
        except ValueError:
            raise ValueError(f"{path.name}:{number}: unknown class {name.strip()!r}") from None
        entries.extend((cls, word.lower()) for word in words.split())
    return entries


def _build(name: str, entries: list[tuple[W, str]]) -> Lexicon:
    words: dict[str, W] = {}
    folded: dict[str, tuple[W, str] | None] = {}
    phrases: dict[tuple[str, ...], W] = {}
    for cls, word in entries:
        if "_" in word:
            phrases[tuple(word.split("_"))] = cls
            continue
        if words.setdefault(word, cls) is not cls:
            raise ValueError(f"{name}: {word!r} is in {words[word]} and {cls}")
        key = fold(word)
        earlier = folded.get(key, (cls, word))
        folded[key] = (cls, word) if earlier is not None and earlier[0] is cls else None
    return Lexicon(name, words, {k: v for k, v in folded.items() if v is not None}, phrases,
                   {_fold_phrase(p): c for p, c in phrases.items()},
                   max((len(p) for p in phrases), default=1),
                   frozenset(fold(p[0]) for p in phrases))


@cache
def load_file(name: str) -> Lexicon:
    """One data file (fi, sv, en, universal, other), read once."""
    return _build(name, _entries(WORDS_DIR / f"{name}.txt"))


def lexicon(language: str | None) -> Lexicon | None:
    """The tables a client's language is read with; None when it has none."""
    name = _FILE_FOR.get(language or "")
    return load_file(name) if name else None


def exact_words(language: str | None) -> tuple[Lexicon, ...]:
    """For a language without full tables: its own exact words (words/<code>.txt, when
    its language file has one, e.g. uk) and the shared one-word answers (other.txt)."""
    own = WORDS_DIR / f"{language}.txt"
    if language and language not in TABLE_LANGUAGES and own.is_file():
        return (load_file(language), load_file("other"))
    return (load_file("other"),)


def other_languages(language: str | None) -> tuple[Lexicon, ...]:
    """The full tables not of the client's language: counted on an exact match only."""
    own = _FILE_FOR.get(language or "")
    return tuple(load_file(name) for name in TABLE_LANGUAGES if name != own)
