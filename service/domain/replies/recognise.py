"""Which class each piece of a reply is: the client's language first, then the others.

The order, and why:
1. A fixed phrase or the word itself in the client's language ("totta kai", "tuun").
   A reply typed with no ä, ö or å at all also meets the folded table ("en paase").
2. Stretched letters ("jooo", "okkk"), then Finnish clitics ("pääsenkö", "tulenpa").
3. Another language's word, only on an exact match ("stop" in a Finnish reply), and
   only if it is not a word of the client's own language (wordfreq) unless it is an
   answer word every language borrows (yes, ok, stop).
4. A typo, only in the client's language, only for a token that is not a real word
   in fi, sv or en (realwords), and only when every table word one edit away means
   the same thing. "tulne" is "tulen"; "tuli", "stöd" and "home" stay as they are.
Anything else is an unknown word; the grammar decides what unknown words allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from service.domain.replies.lexicon import Lexicon, W, fold, lexicon, load_file, other_languages
from service.domain.replies.normalise import Piece
from service.domain.replies.realwords import is_real_in, is_real_word

__all__ = ["Token", "recognise"]

# Answer words a client of any language may borrow ("stop", "ok", "yes").
LOANABLE = frozenset({W.YES, W.ACK, W.NO, W.STOP, W.START, W.CALL, W.CANCEL, W.THANKS,
                      W.GREET, W.SORRY})
# For a language with no tables: digits, emoji and these exact one-word answers only.
UNKNOWN_LANGUAGE_CLASSES = frozenset({W.YES, W.ACK, W.NO, W.STOP, W.NUM1, W.NUM2})
# A number right after these is a clock time, not a key press.
TIME_WORDS = frozenset({"klo", "kello", "kl", "klockan", "at"})
# Finnish clitics, longest first; those starting with k are yes/no-question endings.
CLITICS = ("kohan", "köhän", "kos", "kös", "ko", "kö", "ks", "kaan", "kään", "kin", "han",
           "hän", "pa", "pä", "s")
# Finnish case endings of a time, manner or place phrase ("bussilla", "maanantaina").
ADVERBIAL_ENDINGS = ("lla", "llä", "lta", "ltä", "lle", "ssa", "ssä", "na", "nä", "sti")
# Finnish clock hours in any case ("kymmeneltä", "yhdeksäksi", "kahteen"): a time.
HOUR_STEMS = ("yhde", "kahde", "kaht", "kolme", "neljä", "viide", "kuude", "seitsem",
              "kahdeks", "yhdeks", "kymmene", "yksitoist", "kaksitoist")
MIN_TYPO_LENGTH = 4
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
        self.extra = () if self.own else (load_file("other"),)
        self.plain = plain
        self.before: set[W] = set()  # classes seen in this clause so far

    def word(self, piece: Piece) -> Token:
        text = piece.text
        found = self._own(text) or self._foreign(text) or self._typo(text)
        if found is not None:
            return replace(found, capital=piece.capital)
        asked = (self.own_real == "fi" and len(text) >= 5 and text.endswith(("ko", "kö"))
                 and not text.endswith(("kko", "kkö")))
        adverbial = self.own_real == "fi" and len(text) >= 5 and (
            text.endswith(ADVERBIAL_ENDINGS) or fold(text).startswith(
                tuple(fold(stem) for stem in HOUR_STEMS)))
        return Token(text, None, asked=asked, capital=piece.capital, adverbial=adverbial)

    def _own(self, text: str) -> Token | None:
        if self.own is None:
            return None
        hit = self.own.get(text, allow_fold=self.plain)
        if hit:
            how = "exact" if hit[1] == text else "folded"
            return Token(text, hit[0], how, hit[1], table=self.own.name)
        for shorter in dict.fromkeys((_RUNS.sub(r"\1\1", text), _RUNS.sub(r"\1", text))):
            hit = self.own.get(shorter, allow_fold=self.plain) if shorter != text else None
            if hit:
                return Token(text, hit[0], "stretched", hit[1], table=self.own.name)
        return self._clitic(text) if self.own_real == "fi" else None

    def _clitic(self, text: str) -> Token | None:
        assert self.own is not None
        for clitic in CLITICS:
            stem = text[: -len(clitic)]
            if text.endswith(clitic) and len(stem) >= 3:
                hit = self.own.get(stem, allow_fold=self.plain)
                if hit:
                    asked = clitic.startswith(("ko", "kö", "ks"))
                    cls = hit[0]
                    if cls is W.QUESTION and clitic in ("kaan", "kään", "kin"):
                        cls = W.FILLER  # "mitenkään", "kukaan": any, not a question
                    return Token(text, cls, "clitic", hit[1], asked=asked,
                                 table=self.own.name)
        return None

    def _foreign(self, text: str) -> Token | None:
        for table in self.others + self.extra:
            hit = table.get(text, allow_fold=self.plain)
            if hit is None:
                continue
            cls, key = hit
            if self.own is None and cls not in UNKNOWN_LANGUAGE_CLASSES:
                return None
            if cls not in LOANABLE and self.own_real and is_real_in(text, self.own_real):
                return None  # a word of the client's own language that we do not list
            return Token(text, cls, "foreign", key, table=table.name)
        return None

    def _typo(self, text: str) -> Token | None:
        if self.own is None or len(text) < MIN_TYPO_LENGTH or not text.isalpha():
            return None
        if is_real_word(text):
            return None  # a real word is never "corrected" into a keyword
        near = {cls: key for key, cls in self.own.folded.items()
                if len(key) >= MIN_TYPO_LENGTH and _edit_distance_one(fold(text), key)}
        cls = next(iter(near)) if len(near) == 1 else _form(set(near), self.before)
        if cls is None:
            return None  # nothing near, or near words that mean different things
        return Token(text, cls, "typo", near[cls], table=self.own.name)

    def phrase(self, pieces: list[Piece], start: int) -> tuple[Token, int] | None:
        """The longest fixed phrase starting here, the client's language first."""
        tables = ((self.own,) if self.own else ()) + (self.others if self.own else ())
        for table in tables:
            for length in range(min(table.longest_phrase, len(pieces) - start), 1, -1):
                run = pieces[start: start + length]
                if any(p.kind != "word" for p in run):
                    continue
                cls = table.phrases.get(tuple(fold(p.text) for p in run))
                if cls is not None:
                    text = " ".join(p.text for p in run)
                    return Token(text, cls, "phrase", text, table=table.name), length
        return None


def _number(piece: Piece, previous: Token | None) -> Token:
    if previous is not None and previous.text in TIME_WORDS:
        return Token(piece.text, W.NUMBER, "digit")
    cls = {"1": W.KEY1, "2": W.KEY2}.get(piece.text, W.NUMBER)
    return Token(piece.text, cls, "digit")


def recognise(pieces: list[Piece], language: str | None, plain: bool) -> list[Token]:
    """The reply's tokens in order, breaks included."""
    reader = _Reader(language, plain)
    universal = load_file("universal")
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
            reader.before.clear()
        elif piece.kind == "digit":
            tokens.append(_number(piece, tokens[-1] if tokens else None))
        elif piece.kind == "emoji":
            hit = universal.get(piece.text, allow_fold=False)
            tokens.append(Token(piece.text, hit[0] if hit else W.FILLER, "emoji", piece.text,
                                table="universal"))
        else:
            tokens.append(reader.word(piece))
        if tokens[-1].cls is not None:
            reader.before.add(tokens[-1].cls)
        i += 1
    return tokens
