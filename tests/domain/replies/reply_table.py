"""The replies table (replies_table.tsv) and the reader's strict accuracy on it.

Run as a script to print the report that docs/replies.md quotes:
    .venv/bin/python tests/domain/replies/reply_table.py
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the service importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from service.domain.replies.reading import Reading, read_reply

TABLE = Path(__file__).with_name("replies_table.tsv")
INTENTS = ("confirm", "decline", "callback", "stop", "start", "unknown")
QUESTIONS = ("appointment", "decision", "documents", "call")


@dataclass(frozen=True)
class Row:
    text: str
    language: str
    question: str | None
    expected: str
    group: str
    line: int


@dataclass(frozen=True)
class Result:
    row: Row
    reading: Reading

    @property
    def right(self) -> bool:
        return self.reading.intent.value == self.row.expected

    @property
    def confidently_wrong(self) -> bool:
        return self.reading.certain and not self.right


def load(path: Path = TABLE) -> list[Row]:
    rows: list[Row] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("#") or line.startswith("text\t"):
            continue
        text, language, question, expected, group = line.split("\t")
        if expected not in INTENTS or question not in (*QUESTIONS, "-"):
            raise ValueError(f"{path.name}:{number}: bad row {line!r}")
        rows.append(Row(text.replace("\\n", "\n"), language,
                        None if question == "-" else question, expected, group, number))
    return rows


def read_all(rows: list[Row]) -> list[Result]:
    return [Result(row, read_reply(row.text, row.language, row.question)) for row in rows]


def _table(title: str, results: list[Result], key: Callable[[Result], str]) -> list[str]:
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for result in results:
        k = key(result)
        total[k] += 1
        right[k] += result.right
        wrong[k] += result.confidently_wrong
    lines = [f"| {title} | replies | read right | strict accuracy | confidently wrong |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for k in sorted(total, key=lambda k: (-total[k], k)):
        lines.append(f"| {k} | {total[k]} | {right[k]} | {right[k] / total[k]:.1%} "
                     f"| {wrong[k]} |")
    return lines


def report(results: list[Result]) -> str:
    right = sum(r.right for r in results)
    wrong = sum(r.confidently_wrong for r in results)
    lines = [f"{len(results)} replies: {right} read right ({right / len(results):.1%}), "
             f"{wrong} confidently wrong, "
             f"{sum(not r.reading.certain for r in results)} left to a person.", ""]
    lines += [*_table("language", results, lambda r: r.row.language), ""]
    lines += [*_table("expected intent", results, lambda r: r.row.expected), ""]
    lines += _table("question", results, lambda r: r.row.question or "-")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(read_all(load())))
