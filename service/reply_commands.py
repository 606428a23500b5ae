"""`rinnalla read-reply`: read replies exactly as the SMS webhook does, without a database.

For the team (what would the service make of this?) and for integrators (run a
table of replies through the reader). It needs no config file and no database:
the reader is pure, and the question a reply answers is given on the command line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator

import click

from service.domain.replies.reading import LANGUAGES, Question, Reading, read_reply

__all__ = ["read_reply_command"]


def _jsonl(lines: Iterable[str]) -> Iterator[str]:
    """One JSON string a line; blank lines are skipped, anything else is an error."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            text = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(text, str):
            raise click.ClickException(f"line {number}: expected a JSON string")
        yield text


def _line(reading: Reading, text: str) -> str:
    one_line = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return f"{reading.intent.value}\t{one_line}"


@click.command("read-reply")
@click.option("--language", type=click.Choice(LANGUAGES), default="fi", show_default=True,
              help="the client's language")
@click.option("--question", type=click.Choice([q.value for q in Question]),
              default=Question.APPOINTMENT.value, show_default=True,
              help="what the reply answers (decision: confirm = the decision has come)")
@click.option("--jsonl", is_flag=True,
              help="read one JSON string a line from standard input, write one JSON object "
                   "a line: {\"text\", \"intent\", \"reason\"}")
@click.argument("texts", nargs=-1)
def read_reply_command(language: str, question: str, jsonl: bool, texts: tuple[str, ...]) -> None:
    """Print what each reply means: INTENT<TAB>TEXT (confirm, decline, callback, stop,
    start or unknown). Without TEXT, replies are read from standard input, one a line."""
    if jsonl and texts:
        raise click.UsageError("give either TEXT arguments or --jsonl, not both")
    if jsonl:
        for text in _jsonl(sys.stdin):
            reading = read_reply(text, language, question)
            click.echo(json.dumps({"text": text, "intent": reading.intent.value,
                                   "reason": reading.reason}, ensure_ascii=False))
        return
    for text in texts or (line.rstrip("\n") for line in sys.stdin):
        click.echo(_line(read_reply(text, language, question), text))
