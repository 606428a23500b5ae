"""The reader against the hand-written replies table: never confidently wrong."""

from __future__ import annotations

from collections import Counter

import pytest
from reply_table import QUESTIONS, Result, Row, load, read_all


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return load()


@pytest.fixture(scope="module")
def results(rows: list[Row]) -> list[Result]:
    return read_all(rows)


def test_the_table_covers_what_issue_13_asks_for(rows: list[Row]) -> None:
    groups = Counter(row.group for row in rows)
    languages = Counter(row.language for row in rows)
    assert len(rows) >= 600
    assert sum(r.expected == "unknown" and r.group != "everyday" for r in rows) >= 150
    assert groups["everyday"] >= 100
    assert all(r.expected == "unknown" for r in rows if r.group == "everyday")
    for group in ("std", "coll", "dial", "noacc", "typo", "caps", "selko", "digit", "emoji"):
        assert groups[group] >= 10, group
    for language in ("fi", "selko", "sv", "en"):
        assert languages[language] >= 40, language
    for question in QUESTIONS:
        assert sum(r.question == question for r in rows) >= 20, question


def test_each_reply_is_in_the_table_once(rows: list[Row]) -> None:
    keys = Counter((r.text, r.language, r.question) for r in rows)
    assert [key for key, n in keys.items() if n > 1] == []


def test_no_reply_is_read_confidently_wrong(results: list[Result]) -> None:
    wrong = [(r.row.line, r.row.text, r.row.expected, r.reading.intent.value, r.reading.reason)
             for r in results if r.confidently_wrong]
    assert wrong == []


def test_everyday_sentences_are_never_an_action(results: list[Result]) -> None:
    acted = [(r.row.text, r.reading.intent.value) for r in results
             if r.row.group == "everyday" and r.reading.certain]
    assert acted == []


def test_strict_accuracy_stays_high(results: list[Result]) -> None:
    """A floor under the figures docs/replies.md reports; a drop is a regression."""
    def accuracy(subset: list[Result]) -> float:
        return sum(r.right for r in subset) / len(subset)

    assert accuracy(results) >= 0.97
    for language in ("fi", "selko", "sv", "en"):
        assert accuracy([r for r in results if r.row.language == language]) >= 0.95, language


def test_what_is_not_acted_on_says_why(results: list[Result]) -> None:
    assert all(r.reading.reason.strip() for r in results)
    assert all(r.reading.certain == (r.reading.intent.value != "unknown") for r in results)
