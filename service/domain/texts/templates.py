"""Message templates the team edits: message_templates/<channel>/<name>.<lang>.txt.

A template is plain text with {variables}. A line whose variables all came out empty
is left out, so "Ota mukaan: {bring}" disappears when there is nothing to bring.
Lines starting with "#" are comments for the team and are never sent.

A line may start with tags in square brackets, "[phone] Työntekijä soittaa sinulle.": it
is said only to whom and for what its tags name. Tags of one group are alternatives
("[phone home]"); a line with tags of both groups needs one of each:
  who reads it:        client, trusted (a trusted person, whose answer is not the client's)
  what kind of event:  come (come to a place: the default), phone (the worker calls),
                       home (the worker comes to the client's home), video,
                       due (a bill or the rent is due: no amount or creditor unless the
                       team writes one), pickup (something to fetch, e.g. medicine)
In voice templates a line "---" starts the key menu, which the call says again at the end.
Languages are service/languages/<code>.toml; each needs every sms and voice template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from service import languages

LANGUAGES: tuple[str, ...] = languages.codes()
CHANNELS = ("sms", "voice", "task")
# Task texts are read by the team, in the team's language only.
REQUIRED_LANGUAGES = {"sms": LANGUAGES, "voice": LANGUAGES, "task": ("fi",)}
TAG_GROUPS: dict[str, tuple[str, ...]] = {
    "audience": ("client", "trusted"),
    "kind": ("come", "phone", "home", "video", "due", "pickup"),
}
TAGS = frozenset(tag for group in TAG_GROUPS.values() for tag in group)
CLIENT_COMES = frozenset({"client", "come"})  # the default reader and kind
MENU_LINE = "---"  # voice: the key menu starts here

VARIABLES: dict[str, str] = {
    "team": "who is writing (config team.name)",
    "team_phone": "the number the client can call back",
    "when": "date and time of the appointment (spoken form in voice templates)",
    "date": "date of the appointment or deadline",
    "time": "time of the appointment (spoken form in voice templates: \"kello 10 30\")",
    "old_when": "the time a rescheduled appointment was moved from (appointment_moved)",
    "old_date": "the day a moved due date or pickup day was before (appointment_moved)",
    "series_when": "a recurring appointment's weekday(s) and time, \"ti klo 10.00\" "
                   "(spoken form in voice templates; series_cancelled)",
    "place": "where the appointment is",
    "bring": "what to bring (line left out when empty)",
    "booking_number": "the number for booking transport (Kela taxi)",
    "deadline": "documents due date",
    "decision_date": "expected decision date",
    "agency": "the agency handling an application",
    "client_name": "the client's name (tasks only; never in client messages by default)",
    "client_first_name": "trusted persons only, and only if the client consented to it",
    "stop_key": "voice: the key that stops calls, for a client reached only by calls "
                "(line left out when empty)",
}

_VAR = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TAGS = re.compile(r"^\[([a-z_ ]*)\]\s*")


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
        return {name for _tags, pieces in self._pieces for name in pieces[1::2]}

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(tag for tags, _pieces in self._pieces for tag in tags)

    @cached_property
    def _pieces(self) -> tuple[tuple[frozenset[str], tuple[str, ...]], ...]:
        """Each line split once into its tags and its text and variable names (text, name,
        text, ...): rendering runs for every message sent, the regular expression only here."""
        return tuple((tags, tuple(_VAR.split(text)))
                     for tags, text in (split_tags(line) for line in self.lines))

    def render(self, values: dict[str, str], tags: frozenset[str] = CLIENT_COMES) -> str:
        """A line whose variables are all empty is left out (no "Tuo mukanasi: "), and so is
        a line whose tags are not for this reader or this kind of event."""
        out: list[str] = []
        for line_tags, pieces in self._pieces:
            if not line_applies(line_tags, tags):
                continue
            names = pieces[1::2]
            if names and all(not values.get(n, "").strip() for n in names):
                continue
            out.append("".join(piece if i % 2 == 0 else values.get(piece, "")
                               for i, piece in enumerate(pieces)))
        return "\n".join(out).strip()


def split_tags(line: str) -> tuple[frozenset[str], str]:
    """"[phone home] Text" -> ({"phone", "home"}, "Text")."""
    match = _TAGS.match(line)
    if match is None:
        return frozenset(), line
    return frozenset(match.group(1).split()), line[match.end():]


_GROUPS = tuple(frozenset(group) for group in TAG_GROUPS.values())


@lru_cache(maxsize=1024)  # a few lines' tags, a few readers: asked for every text sent
def line_applies(line_tags: frozenset[str], context: frozenset[str]) -> bool:
    """Each group the line names must include the context's tag of that group."""
    return all(not (line_tags & group) or bool(line_tags & context & group)
               for group in _GROUPS)


@dataclass
class TemplateSet:
    directory: Path
    templates: dict[tuple[str, str, str], Template] = field(default_factory=dict)

    def get(self, channel: str, name: str, language: str) -> Template:
        """The template in the client's language, else the one its file names (selko: fi),
        else Finnish: start-up refuses a missing language, so this is for tasks."""
        stand_in = languages.all_languages().get(language)
        for lang in (language, stand_in.templates_from if stand_in else "", "fi"):
            found = self.templates.get((channel, name, lang))
            if found is not None:
                return found
        raise KeyError(f"no template {channel}/{name} for language {language}")

    def has(self, channel: str, name: str) -> bool:
        return any(k[0] == channel and k[1] == name for k in self.templates)

    def names(self, channel: str) -> list[str]:
        return sorted({k[1] for k in self.templates if k[0] == channel})

    def render(self, channel: str, name: str, language: str, values: dict[str, str],
               tags: frozenset[str] = CLIENT_COMES) -> str:
        return self.get(channel, name, language).render(values, tags)


def _read_template(path: Path, channel: str, name: str, lang: str) -> Template:
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(path, None, f"not UTF-8 text ({exc.reason})") from exc
    lines: list[str] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        tags, _text = split_tags(line)
        if tags - TAGS:
            raise TemplateError(path, number, f"unknown tag(s) {', '.join(sorted(tags - TAGS))} "
                                f"(known: {', '.join(sorted(TAGS))})")
        if line.strip() == MENU_LINE and channel != "voice":
            raise TemplateError(path, number, f"{MENU_LINE} (the key menu) is for voice only")
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
    missing = missing_languages(result)
    if missing:
        raise TemplateError(directory, None, "every language needs every template; missing "
                            + ", ".join(missing) + f" (languages: {', '.join(LANGUAGES)}; "
                            "a language is a file in service/languages/)")
    return result


def missing_languages(templates: TemplateSet) -> list[str]:
    """Each template file a language lacks, as "sms/event_moved.uk.txt"."""
    return [f"{channel}/{name}.{lang}.txt" for channel in CHANNELS
            for name in templates.names(channel) for lang in REQUIRED_LANGUAGES[channel]
            if (channel, name, lang) not in templates.templates]
