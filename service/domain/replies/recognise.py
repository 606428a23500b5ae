"""Which class each piece of a reply is: the client's language first, then the others.

The order, and why:
1. A fixed phrase or the word itself in the client's language ("totta kai", "tuun").
   A reply typed with no ä, ö or å at all also meets the folded table ("en paase").
2. Stretched letters ("jooo", "okkk"), then Finnish clitics ("pääsenkö", "tulenpa").
3. Another language's word, only on an exact match ("stop" in a Finnish reply), and
   only if that language writes it more often than the client's own (wordfreq:
   Swedish "en" is not the Finnish negation), unless it is an answer word every
   language borrows (yes, ok, stop).
4. A typo, only in the client's language, only for a token that is not a real word
   in fi, sv or en (realwords), and only when every table word one edit away means
   the same thing. "tulne" is "tulen"; "tuli", "stöd" and "home" stay as they are.
Anything else is an unknown word; the grammar decides what unknown words allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from service.domain.replies.lexicon import (
    Lexicon,
    W,
    exact_words,
    fold,
    lexicon,
    load_file,
    other_languages,
)
from service.domain.replies.normalise import Piece
from service.domain.replies.realwords import is_real_word, zipf

__all__ = ["Token", "recognise"]

# Another language's word counts when that language writes it at least ten times as
# often as the client's own (Zipf +1.0): "kommer" in a Finnish reply is Swedish, "peru"
# in a Swedish one is the country, not the Finnish "cancel".
FOREIGN_MARGIN = 1.0
# Number words are keys only in the client's own language ("ett" is not "yksi").
OWN_LANGUAGE_ONLY = frozenset({W.NUM1, W.NUM2})
# For a language with no tables: digits, emoji and these exact one-word answers only.
UNKNOWN_LANGUAGE_CLASSES = frozenset({W.YES, W.ACK, W.NO, W.STOP})
# A number right after these is a clock time, not a key press.
TIME_WORDS = frozenset({"klo", "kello", "kl", "klockan", "at"})
# Finnish clitics, longest first; those starting with k are yes/no-question endings.
CLITICS = ("kohan", "köhän", "kos", "kös", "ko", "kö", "ks", "kaan", "kään", "kin", "han",
           "hän")
# Only verbs, question words and "kyllä" take them here: "yksikään" is not "yksi".
CLITIC_CLASSES = frozenset({
    W.COME, W.COME_NEG, W.COME_INF, W.COME_PROG, W.SUITS, W.SUITS_NEG, W.CAN, W.MUST, W.COP,
    W.COP3, W.WANT, W.CANCEL, W.CANCEL_INF, W.CALL, W.CALL_INF, W.CALL_YOU, W.STOP,
    W.STOP_INF, W.START, W.SEND, W.SEND_INF, W.ARRIVE, W.ARRIVE_PART, W.GOT, W.DOCS,
    W.QUESTION, W.YES, W.NEG, W.HEDGE})
# Finnish case endings of a time, manner or place phrase ("bussilla", "maanantaina").
ADVERBIAL_ENDINGS = ("lla", "llä", "lta", "ltä", "lle", "ssa", "ssä", "na", "nä", "sti")
# Finnish clock hours in any case ("kymmeneltä", "yhdeksäksi", "kahteen"): a time.
HOUR_STEMS = tuple(fold(stem) for stem in (
    "yhde", "kahde", "kaht", "kolme", "neljä", "viide", "kuude", "seitsem", "kahdeks", "yhdeks",
    "kymmene", "yksitoist", "kaksitoist"))
MIN_TYPO_LENGTH = 4
MEMO_SIZE = 50_000
# Forms of one verb: plain (finite or imperative), after a negation, infinitive, 2nd person.
# A typo near two forms of one verb is read as the form its place calls for.
VERB_FORMS = (
    (W.COME, W.COME_NEG, W.COME_INF, W.COME),
    (W.STOP, W.STOP_NEG, W.STOP_INF, W.STOP_YOU),
    (W.CALL, W.CALL_NEG, W.CALL_INF, W.CALL_YOU),
    (W.START, W.START, W.START_INF, W.START),
    (W.SEND, W.SEND_NEG, W.SEND_INF, W.SEND_YOU),
)
TAKES_INFINITIVE = frozenset({W.CAN, W.MUST, W.REQUEST, W.WANT, W.COME, W.COME_NEG})
_RUNS = re.compile(r"(.)\1{2,}")


@dataclass(frozen=True)
class Token:
    """A piece with its class; cls None is a word outside the tables (or a break)."""

    text: str
    cls: W | None
    how: str = "exact"  # exact, folded, stretched, clitic, foreign, typo, phrase, digit, emoji
    key: str = ""  # the table word it was read as
    brk: bool = False  # a clause break
    asked: bool = False  # a question mark, or a Finnish question clitic
    capital: bool = False
    adverbial: bool = False  # an unknown Finnish word shaped like a time or place phrase
    table: str = ""  # the word table it was found in (fi, sv, en, universal, other)
    maybe: W | None = None  # its class if folded, where folding alone was not enough
    near: tuple[tuple[W, str], ...] = ()  # a typo near forms of one verb: the place decides

    @property
    def unknown(self) -> bool:
        return self.cls is None and not self.brk


def _edit_distance_one(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def _form(near: set[W], before: set[W]) -> W | None:
    """ "en tulne" is "tule", "tulne" alone "tulen", "voitko soitaa" is "soittaa"."""
    for plain, negative, infinitive, _you in VERB_FORMS:
        if near <= {plain, negative, infinitive, _you}:
            if before & TAKES_INFINITIVE:
                pick = infinitive
            elif before & {W.NEG, W.NEG_IMP}:
                pick = negative
            else:
                pick = plain
            return pick if pick in near else None
    return None


class _Reader:
    """Recognises the words of one reply for one client language."""

    def __init__(self, language: str | None, plain: bool) -> None:
        self.language = language
        self.own_real = "fi" if language == "selko" else language
        self.own: Lexicon | None = lexicon(language)
        self.others = other_languages(language)
        self.extra = () if self.own else exact_words(language)
        self.plain = plain
        self.memo: dict[tuple[str, bool], Token] = {}  # a word reads the same in every reply

    def word(self, piece: Piece, before: set[W]) -> Token:
        """One word; `before` is the classes seen earlier in its clause."""
        key = (piece.text, piece.capital)
        token = self.memo.get(key)
        if token is None:
            if len(self.memo) > MEMO_SIZE:
                self.memo.clear()
            token = self._lookup(piece.text)
            token = self.memo[key] = replace(token, capital=True) if piece.capital else token
        if token.near:
            near = dict(token.near)
            cls = _form(set(near), before)
            if cls is not None:
                token = Token(token.text, cls, "typo", near[cls], capital=token.capital,
                              table=token.table)
        return token

    def _lookup(self, text: str) -> Token:
        found = self._own(text) or self._foreign(text)
        if found is not None:
            return found
        near = self._near(text)
        if len(near) == 1:
            ((cls, key),) = near.items()
            return Token(text, cls, "typo", key, table=self.own.name if self.own else "")
        asked = (self.own_real == "fi" and len(text) >= 5 and text.endswith(("ko", "kö"))
                 and not text.endswith(("kko", "kkö")))
        adverbial = self.own_real == "fi" and len(text) >= 5 and (
            text.endswith(ADVERBIAL_ENDINGS) or fold(text).startswith(HOUR_STEMS))
        return Token(text, None, asked=asked, adverbial=adverbial, maybe=self.maybe(text),
                     near=tuple(near.items()), table=self.own.name if self.own else "")

    def _get(self, text: str) -> tuple[W, str] | None:
        """The client's own table; a folded match only where the dotted word is likelier:
        "kylla" is "kyllä", but "emma" is a name, not "emmä", and "alkaa" is "begins"."""
        assert self.own is not None
        hit = self.own.get(text, allow_fold=self.plain)
        if hit is None or hit[1] == text:
            return hit
        return hit if zipf(text, self.own_real or "") < zipf(hit[1], self.own_real or "") else None

    def maybe(self, text: str) -> W | None:
        """The folded class of a word that folding alone did not decide ("alkaa")."""
        hit = self.own.get(text, allow_fold=self.plain) if self.own else None
        return hit[0] if hit else None

    def _own(self, text: str) -> Token | None:
        if self.own is None:
            return None
        hit = self._get(text)
        if hit:
            how = "exact" if hit[1] == text else "folded"
            return Token(text, hit[0], how, hit[1], table=self.own.name)
        for shorter in dict.fromkeys((_RUNS.sub(r"\1\1", text), _RUNS.sub(r"\1", text))):
            hit = self._get(shorter) if shorter != text else None
            if hit:
                return Token(text, hit[0], "stretched", hit[1], table=self.own.name)
        return self._clitic(text) if self.own_real == "fi" else None

    def _clitic(self, text: str) -> Token | None:
        assert self.own is not None
        for clitic in CLITICS:
            stem = text[: -len(clitic)]
            if text.endswith(clitic) and len(stem) >= 3:
                hit = self._get(stem)
                if hit and hit[0] in CLITIC_CLASSES:
                    asked = clitic.startswith(("ko", "kö", "ks"))
                    cls = hit[0]
                    if cls is W.QUESTION and clitic in ("kaan", "kään", "kin"):
                        cls = W.FILLER  # "mitenkään", "kukaan": any, not a question
                    return Token(text, cls, "clitic", hit[1], asked=asked,
                                 table=self.own.name)
        return None

    def _foreign(self, text: str) -> Token | None:
        for table in self.others + self.extra:
            cls = table.words.get(text)  # exact only: never folded, stretched or corrected
            if cls is None:
                continue
            if cls in OWN_LANGUAGE_ONLY or (
                    self.own is None and cls not in UNKNOWN_LANGUAGE_CLASSES):
                return None
            if self.own is not None and zipf(text, table.name) < zipf(
                    text, self.own_real or "") + FOREIGN_MARGIN:
                return None  # as much a word of the client's own language, which we do not list
            return Token(text, cls, "foreign", text, table=table.name)
        return None

    def _near(self, text: str) -> dict[W, str]:
        """Table words one typo away, by class; none for a real word."""
        if self.own is None or len(text) < MIN_TYPO_LENGTH or not text.isalpha():
            return {}
        if is_real_word(text):
            return {}  # a real word is never "corrected" into a keyword
        return {cls: word for key, (cls, word) in self.own.folded.items()
                if len(key) >= MIN_TYPO_LENGTH and _edit_distance_one(fold(text), key)}

    def phrase(self, pieces: list[Piece], start: int) -> tuple[Token, int] | None:
        """The longest fixed phrase starting here, the client's language first."""
        tables = ((self.own,) if self.own else ()) + (self.others if self.own else ())
        first = fold(pieces[start].text)
        for table in tables:
            if first not in table.phrase_starts:
                continue
            for length in range(min(table.longest_phrase, len(pieces) - start), 1, -1):
                run = pieces[start: start + length]
                if any(p.kind != "word" for p in run):
                    continue
                cls = table.phrase(tuple(p.text for p in run),
                                   allow_fold=self.plain and table is self.own)
                if cls is not None:
                    text = " ".join(p.text for p in run)
                    return Token(text, cls, "phrase", text, table=table.name), length
        return None


def _number(piece: Piece, previous: Token | None) -> Token:
    if previous is not None and previous.text in TIME_WORDS:
        return Token(piece.text, W.NUMBER, "digit")
    cls = {"1": W.KEY1, "2": W.KEY2}.get(piece.text, W.NUMBER)
    return Token(piece.text, cls, "digit")


@cache
def _reader(language: str | None, plain: bool) -> _Reader:
    return _Reader(language, plain)


def recognise(pieces: list[Piece], language: str | None, plain: bool) -> list[Token]:
    """The reply's tokens in order, breaks included."""
    reader = _reader(language, plain)
    universal = load_file("universal")
    before: set[W] = set()
    tokens: list[Token] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        found = reader.phrase(pieces, i) if piece.kind == "word" else None
        if found is not None:
            tokens.append(found[0])
            i += found[1]
            continue
        if piece.kind == "break":
            tokens.append(Token("", None, brk=True, asked=piece.asked))
            before.clear()
        elif piece.kind == "digit":
            tokens.append(_number(piece, tokens[-1] if tokens else None))
        elif piece.kind == "emoji":
            hit = universal.get(piece.text, allow_fold=False)
            tokens.append(Token(piece.text, hit[0] if hit else W.FILLER, "emoji", piece.text,
                                table="universal"))
        else:
            tokens.append(reader.word(piece, before))
        if tokens[-1].cls is not None:
            before.add(tokens[-1].cls)
        i += 1
    return _in_context(tokens)


# Forms that stand only after "älä" / "älkää": "lähettäkö", "soittako", "lopettako".
AFTER_NEG_IMP = frozenset({W.SEND_NEG, W.CALL_NEG, W.STOP_NEG})


def _in_context(tokens: list[Token]) -> list[Token]:
    """ "alkaa lahettako": before a form that only follows "älkää", "alkaa" is "älkää"."""
    return [replace(t, cls=W.NEG_IMP, how="folded") if t.unknown and t.maybe is W.NEG_IMP
            and i + 1 < len(tokens) and tokens[i + 1].cls in AFTER_NEG_IMP else t
            for i, t in enumerate(tokens)]
