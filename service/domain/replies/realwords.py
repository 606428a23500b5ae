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
only the words above the threshold are kept (about 440,000, some tens of MB).
"""

from __future__ import annotations

from functools import cache

__all__ = ["REAL_WORD_ZIPF", "is_real_in", "is_real_word"]

REAL_WORD_ZIPF = 2.0
LANGUAGES = ("fi", "sv", "en")


@cache
def _real_words(language: str) -> frozenset[str]:
    """The words of one language at or above REAL_WORD_ZIPF."""
    import wordfreq  # imported here: the reader needs it only for words outside its tables

    # get_frequency_list gives buckets of words, bucket i at frequency 10 ** (-i / 100);
    # Zipf frequency is log10(frequency) + 9, so Zipf >= 2.0 is buckets 0..700.
    buckets = wordfreq.get_frequency_list(language, "best")
    last = round((9 - REAL_WORD_ZIPF) * 100)
    words = frozenset(word for bucket in buckets[: last + 1] for word in bucket)
    wordfreq.get_frequency_list.cache_clear()  # keep our set, not the whole list
    return words


def is_real_in(word: str, language: str) -> bool:
    """A word people write in this language (fi, sv or en)."""
    return language in LANGUAGES and word in _real_words(language)


def is_real_word(word: str) -> bool:
    """A word people write in Finnish, Swedish or English."""
    return any(word in _real_words(language) for language in LANGUAGES)
