"""Message templates the team edits: message_templates/<channel>/<name>.<lang>.txt.

A template is plain text with {variables}. A line whose variables all came out empty
is left out, so "Ota mukaan: {bring}" disappears when there is nothing to bring.
Lines starting with "#" are comments for the team and are never sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

LANGUAGES = ("fi", "sv", "en", "selko")
CHANNELS = ("sms", "voice", "task")
# Task texts are read by the team, in the team's language only.
REQUIRED_LANGUAGES = {"sms": LANGUAGES, "voice": LANGUAGES, "task": ("fi",)}

VARIABLES: dict[str, str] = {
    "team": "who is writing (config team.name)",
    "team_phone": "the number the client can call back",
    "when": "date and time of the appointment (spoken form in voice templates)",
    "date": "date of the appointment or deadline",
    "time": "time of the appointment",
    "old_when": "the time a rescheduled appointment was moved from (appointment_moved)",
    "place": "where the appointment is",
    "bring": "what to bring (line left out when empty)",
    "booking_number": "the number for booking transport (Kela taxi)",
    "deadline": "documents due date",
    "decision_date": "expected decision date",
    "agency": "the agency handling an application",
    "client_name": "the client's name (tasks only; never in client messages by default)",
}

_VAR = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class TemplateError(ValueError):
    """A problem in a template file; str() names the file and line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Template:
    channel: str
    name: str
    language: str
    path: Path
    lines: tuple[str, ...]

    @property
    def variables(self) -> set[str]:
        return {name for pieces in self._pieces for name in pieces[1::2]}

    @cached_property
    def _pieces(self) -> tuple[tuple[str, ...], ...]:
        """Each line split once into text and variable names (text, name, text, ...):
        rendering runs for every message sent, the regular expression only here."""
        return tuple(tuple(_VAR.split(line)) for line in self.lines)

    def render(self, values: dict[str, str]) -> str:
        """A line whose variables are all empty is left out (no "Tuo mukanasi: ")."""
        out: list[str] = []
        for pieces in self._pieces:
            names = pieces[1::2]
            if names and all(not values.get(n, "").strip() for n in names):
                continue
            out.append("".join(piece if i % 2 == 0 else values.get(piece, "")
                               for i, piece in enumerate(pieces)))
        return "\n".join(out).strip()


@dataclass
class TemplateSet:
    directory: Path
    templates: dict[tuple[str, str, str], Template] = field(default_factory=dict)

    def get(self, channel: str, name: str, language: str) -> Template:
        """The template in the client's language; selko falls back to fi, others to fi."""
        for lang in (language, "fi"):
            found = self.templates.get((channel, name, lang))
            if found is not None:
                return found
        raise KeyError(f"no template {channel}/{name} for language {language}")

    def has(self, channel: str, name: str) -> bool:
        return any(k[0] == channel and k[1] == name for k in self.templates)

    def names(self, channel: str) -> list[str]:
        return sorted({k[1] for k in self.templates if k[0] == channel})

    def render(self, channel: str, name: str, language: str, values: dict[str, str]) -> str:
        return self.get(channel, name, language).render(values)


def _read_template(path: Path, channel: str, name: str, lang: str) -> Template:
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(path, None, f"not UTF-8 text ({exc.reason})") from exc
    lines: list[str] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        if line.count("{") != line.count("}"):
            raise TemplateError(path, number, "unbalanced { } braces")
        for match in _VAR.finditer(line):
            var = match.group(1).strip()
            if not _NAME.match(var):
                raise TemplateError(path, number, f"bad variable name {{{match.group(1)}}}")
            if var not in VARIABLES:
                known = ", ".join(sorted(VARIABLES))
                raise TemplateError(path, number, f"unknown variable {{{var}}} (known: {known})")
        lines.append(line.rstrip())
    while lines and not lines[-1]:
        lines.pop()
    if not any(line.strip() for line in lines):
        raise TemplateError(path, None, "the template is empty")
    return Template(channel, name, lang, path, tuple(lines))


def load_templates(directory: Path) -> TemplateSet:
    """Read and validate every template; raise TemplateError on the first problem."""
    if not directory.is_dir():
        raise TemplateError(directory, None, "template folder not found")
    result = TemplateSet(directory)
    for channel_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        channel = channel_dir.name
        if channel not in CHANNELS:
            raise TemplateError(channel_dir, None,
                                f"unknown folder; expected one of {', '.join(CHANNELS)}")
        for path in sorted(channel_dir.iterdir()):
            if path.name.startswith(".") or path.is_dir():
                continue
            parts = path.name.split(".")
            if len(parts) != 3 or parts[2] != "txt" or not _NAME.match(parts[0]):
                raise TemplateError(path, None, "file name must be <name>.<language>.txt, "
                                                "e.g. appointment_reminder.fi.txt")
            name, lang = parts[0], parts[1]
            if lang not in LANGUAGES:
                raise TemplateError(path, None, f"unknown language {lang!r}; expected one of "
                                                f"{', '.join(LANGUAGES)}")
            result.templates[(channel, name, lang)] = _read_template(path, channel, name, lang)
    for channel in CHANNELS:
        for name in result.names(channel):
            for lang in REQUIRED_LANGUAGES[channel]:
                if (channel, name, lang) not in result.templates:
                    raise TemplateError(directory / channel / f"{name}.{lang}.txt", None,
                                        f"missing: {channel}/{name} has no {lang} version")
    return result
