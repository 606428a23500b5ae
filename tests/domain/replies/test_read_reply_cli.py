"""`rinnalla read-reply` through the real command: no database, no config file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main

RINNALLA = shutil.which("rinnalla", path=str(Path(sys.executable).parent))


def _bare_env() -> dict[str, str]:
    """No DATABASE_URL, no config path, no Twilio secrets: the command must not need them."""
    keep = ("PATH", "HOME", "LANG", "SYSTEMROOT")
    return {k: v for k, v in os.environ.items() if k in keep}


@pytest.mark.skipif(RINNALLA is None, reason="the rinnalla script is not installed")
def test_the_installed_command_reads_texts(tmp_path: Path) -> None:
    assert RINNALLA is not None
    done = subprocess.run(
        [RINNALLA, "read-reply", "--language", "fi", "--question", "appointment",
         "en pääse tulemaan", "joo", "mulla on nälkä"],
        cwd=tmp_path, env=_bare_env(), capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.splitlines() == [
        "decline\ten pääse tulemaan", "confirm\tjoo", "unknown\tmulla on nälkä"]


@pytest.mark.skipif(RINNALLA is None, reason="the rinnalla script is not installed")
def test_the_installed_command_reads_jsonl(tmp_path: Path) -> None:
    assert RINNALLA is not None
    replies = ["on tullut", "ei oo tullu vielä", "en tiedä", "soita"]
    done = subprocess.run(
        [RINNALLA, "read-reply", "--question", "decision", "--jsonl"],
        input="".join(json.dumps(r) + "\n" for r in replies), cwd=tmp_path,
        env=_bare_env(), capture_output=True, text=True, timeout=120, check=True)
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["text"] for o in out] == replies
    assert [o["intent"] for o in out] == ["confirm", "decline", "unknown", "callback"]
    assert all(set(o) == {"text", "intent", "reason"} and o["reason"] for o in out)


def test_swedish_and_stdin_lines() -> None:
    result = CliRunner().invoke(main, ["read-reply", "--language", "sv"],
                                input="Jag kan inte komma\nSluta skicka sms\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "decline\tJag kan inte komma", "stop\tSluta skicka sms"]


def test_a_text_stays_on_one_line() -> None:
    result = CliRunner().invoke(main, ["read-reply", "Joo tulen\nMarkku"])
    assert result.output == "confirm\tJoo tulen\\nMarkku\n"


def test_bad_input_is_refused() -> None:
    runner = CliRunner()
    not_json = runner.invoke(main, ["read-reply", "--jsonl"], input="tulen\n")
    assert not_json.exit_code != 0 and "line 1: not JSON" in not_json.output
    not_string = runner.invoke(main, ["read-reply", "--jsonl"], input="[1, 2]\n")
    assert not_string.exit_code != 0 and "expected a JSON string" in not_string.output
    both = runner.invoke(main, ["read-reply", "--jsonl", "tulen"])
    assert both.exit_code != 0
    language = runner.invoke(main, ["read-reply", "--language", "de", "ja"])
    assert language.exit_code != 0
