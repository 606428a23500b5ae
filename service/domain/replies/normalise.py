"""From the text a phone sent to pieces: words, numbers, emoji and clause breaks.

Why a module of its own: everything a client types around the answer (capitals,
emoji with skin tones, keycap digits, smileys, apostrophes, a greeting with the
worker's name, a signature "t. Liisa") is settled here, once, so the grammar
only sees words in order with the punctuation that separates clauses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["Piece", "pieces"]

PieceKind = Literal["word", "digit", "emoji", "break"]


@dataclass(frozen=True)
class Piece:
    """One word, number, emoji or clause break, in the order written."""

    text: str  # lower-cased word, digits or emoji; "" for a break
    kind: PieceKind
    capital: bool = False  # the word began with a capital letter
    asked: bool = False  # a break that was a question mark


_KEYCAP = re.compile(r"([0-9])\ufe0f?\u20e3")
_INVISIBLE = re.compile("[\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff]")
_SMILEY = re.compile(r"(?<![\w:;=])[:;=]-?[()\[\]DPpOo3/\\|*]+(?!\w)")
_DIGIT_JOINER = re.compile(r"(?<=\d)[.:,](?=\d)")  # "10.00", "3.6." are one number
_NAME = r"[A-ZÅÄÖÜ][a-zåäöüéA-ZÅÄÖ'-]*"
_NAMES = rf"{_NAME}(?:\s+{_NAME}){{0,2}}"
_SIGNOFF = (r"(?i:t|terv|terveisin|tervehdys|tervehtien|yst\.?\s*terv|ystävällisin\s+terveisin"
            r"|mvh|hälsningar|hälsning|vänliga\s+hälsningar|regards|kind\s+regards"
            r"|best\s+regards|best|br|cheers)")
_SIGNATURES = (
    re.compile(rf"(?:^|[\s,.!;:]){_SIGNOFF}(?:[.:,]\s*|\s+)(?P<names>{_NAMES})[\s.!]*$"),
    re.compile(rf"\s[-–—/]\s*(?P<names>{_NAMES})[\s.!]*$"),  # " -Anna", " /Pekka"
    re.compile(rf"\n\s*(?P<names>{_NAMES})[\s.!]*$"),  # a name alone on the last line
)
_GREETING = re.compile(
    rf"^\s*(?i:hei|hej|hejsan|hi|hello|hey|moi|moikka|terve|dear)\s+(?P<names>{_NAMES})\s*[,!.:]")
_BREAKS = frozenset(".,!?;:()[]…\n\"“”«»")


def _strip_names(text: str, is_known: Callable[[str], bool]) -> str:
    """Drop a signature at the end and the name after an opening greeting.

    A name is one to three capitalised words that are not words of the tables, so
    "Tulen. Kiitos" keeps its "Kiitos" while "Tulen t. Liisa" loses "t. Liisa".
    """
    def names_only(names: str) -> bool:
        return not any(is_known(word.lower()) for word in names.split())

    if text.islower():
        return text  # a name starts with a capital letter

    for pattern in _SIGNATURES:
        match = pattern.search(text)
        if match and match.start() > 0 and names_only(match.group("names")):
            text = text[: match.start()].rstrip()
            break
    match = _GREETING.match(text)
    if match and names_only(match.group("names")):
        text = text[: match.start("names")] + text[match.end("names"):]
    return text


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = _INVISIBLE.sub("", _KEYCAP.sub(r"\1", text))
    if any(ch in text for ch in ":;=<"):
        text = _SMILEY.sub(" 🙂 ", text.replace("<3", " ♥ "))
    return _DIGIT_JOINER.sub("", text) if any(ch.isdigit() for ch in text) else text


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk") or ord(ch) >= 0x1F000


def _joins_word(text: str, i: int) -> bool:
    """An apostrophe, hyphen or colon inside a word ("can't", "joo-o", "sms:ää")."""
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalpha()


def _scan(text: str) -> list[Piece]:
    result: list[Piece] = []
    word: list[str] = []

    def flush() -> None:
        if word:
            raw = "".join(word)
            kind: PieceKind = "digit" if raw.isdigit() else "word"
            result.append(Piece(raw.lower(), kind, capital=raw[0].isupper()))
            word.clear()

    for i, ch in enumerate(text):
        if ch.isalnum():  # "a2", "k00": letters and digits together are a word, not a key
            word.append(ch)
        elif ch in "'’‘`´ʼ:" and _joins_word(text, i):
            continue
        elif ch == "-" and _joins_word(text, i):
            word.append(ch)
        else:
            flush()
            if _is_emoji(ch):
                result.append(Piece(ch, "emoji"))
            elif ch in _BREAKS or ch == "?" or (ch in "-–—" and text[i - 1: i] == " "):
                result.append(Piece("", "break", asked=ch == "?"))
    flush()
    return result


def pieces(text: str, is_known: Callable[[str], bool]) -> tuple[list[Piece], bool]:
    """The reply's pieces, and whether it was written without ä, ö and å at all."""
    prepared = _strip_names(_prepare(text), is_known)
    plain = not any(ch in "äöåÄÖÅ" for ch in prepared)
    return _scan(prepared), plain
