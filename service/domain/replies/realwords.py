"""Is this token a real word of Finnish, Swedish or English? (wordfreq, offline)

Why: typo tolerance misread ordinary words as commands when a common word of one
language was one letter from a keyword of another ("stöd" -> "stop", "mulla" ->
a decline). A token that is itself a word people write is therefore never
"corrected" into a keyword. Hand lists cannot know every word; wordfreq ships
frequency lists for fi, sv and en built from subtitles, web text and social media,
so it also knows colloquial forms ("tuun", "kipeenä") and common misspellings.

A word counts as real at a Zipf frequency of 2.0 or more (about once in 100
million words): rare enough that the typos clients make ("lopta", "tulne") fall
below it, common enough that the collision test's 20,000 most frequent words of
each language are all far above it. The lists are read once, on first use, and
only the words above the threshold are kept (about 440,000, some tens of MB),
with the frequency of the words in our own tables: whether "kommer" in a
Finnish reply is Swedish depends on which language writes it more often.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from service.domain.replies.lexicon import TABLE_LANGUAGES, fold, load_file

__all__ = ["REAL_WORD_ZIPF", "is_real_word", "zipf"]

REAL_WORD_ZIPF = 2.0


@dataclass(frozen=True)
class _Language:
    real: frozenset[str]  # words at or above REAL_WORD_ZIPF
    table_zipf: dict[str, float]  # Zipf frequency of the words in our tables


def _table_words() -> frozenset[str]:
    words: set[str] = set()
    for name in TABLE_LANGUAGES:
        for word in load_file(name).words:
            words.update((word, fold(word)))
    return frozenset(words)


@cache
def _language(language: str) -> _Language:
    import wordfreq  # imported here: needed only for words outside the tables

    # get_frequency_list gives buckets of words, bucket i at frequency 10 ** (-i / 100);
    # Zipf frequency is log10(frequency) + 9, so Zipf >= 2.0 is buckets 0..700.
    buckets = wordfreq.get_frequency_list(language, "best")
    last = round((9 - REAL_WORD_ZIPF) * 100)
    watched = _table_words()
    table_zipf = {word: 9 - i / 100 for i, bucket in enumerate(buckets)
                  for word in bucket if word in watched}
    real = frozenset(word for bucket in buckets[: last + 1] for word in bucket)
    wordfreq.get_frequency_list.cache_clear()  # keep our part, not the whole list
    return _Language(real, table_zipf)


def is_real_word(word: str) -> bool:
    """A word people write in Finnish, Swedish or English."""
    return any(word in _language(language).real for language in TABLE_LANGUAGES)


def zipf(word: str, language: str) -> float:
    """How common a word of our tables is in a language (0.0: not seen there)."""
    if language not in TABLE_LANGUAGES:
        return 0.0
    return _language(language).table_zipf.get(word, 0.0)
