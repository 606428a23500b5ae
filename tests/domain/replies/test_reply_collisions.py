"""No common word of fi, sv or en is read as an action unless it means one.

Issue 13 found hundreds of ordinary words read as stop, confirm or decline
because typo tolerance "corrected" a word of one language into a keyword of
another. Here the 20,000 most frequent words of each language (wordfreq), alone and
in a short neutral sentence in that language, may act only as collision_allowed.tsv
says, a reviewed list with a reason per word.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import wordfreq

from service.domain.replies.reading import read_reply

ALLOWED_FILE = Path(__file__).with_name("collision_allowed.tsv")
TOP_N = 20_000
# Greeting and thanks only: words the reader knows are neutral, so any action comes
# from the word tested (a sentence of unknown words would hide it).
FRAMES = {"fi": "Hei, {} kiitos.", "sv": "Hej, {} tack.", "en": "Hi, {} thanks."}
ACTIONS = frozenset({"stop", "start", "decline", "confirm"})


def _allowed() -> dict[tuple[str, str], str]:
    allowed: dict[tuple[str, str], str] = {}
    for line in ALLOWED_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            language, word, intent, why = line.split("\t")
            assert intent in ACTIONS and why.strip(), line
            allowed[(language, word)] = intent
    return allowed


@pytest.mark.parametrize("language", sorted(FRAMES))
def test_common_words_are_not_actions(language: str) -> None:
    allowed = _allowed()
    unexpected: list[tuple[str, str, str]] = []
    for word in wordfreq.top_n_list(language, TOP_N):
        for text in (word, FRAMES[language].format(word)):
            intent = read_reply(text, language, "appointment").intent.value
            if intent in ACTIONS and allowed.get((language, word)) != intent:
                unexpected.append((word, text, intent))
    assert unexpected == []


def test_the_reviewed_list_is_still_needed() -> None:
    """Every reviewed word still acts alone: a stale entry would hide a regression."""
    stale = [(language, word) for (language, word), intent in _allowed().items()
             if read_reply(word, language, "appointment").intent.value != intent]
    assert stale == []
