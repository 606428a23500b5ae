"""The template checker: every template, every language, every reader and kind of event,
rendered with the team's configured values and long realistic event values.

It fails on what would hurt a client: a text over its SMS budget (the language file's
segments and encoding), a call that talks too long before its keys, a link, a slip
("pe 12.6.." or "Soita" with no number), a missing language or variable. When a
configured value (the team's name, a number) is what breaks a budget, it says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path

from service import languages
from service.domain.planning.schedules import ScheduleError, load_schedules
from service.domain.texts.rendering import KIND_TAGS, Reader, Sender, Weekly, render_text
from service.domain.texts.sms import analyse_sms, find_links
from service.domain.texts.templates import (
    MENU_LINE,
    Template,
    TemplateError,
    TemplateSet,
    load_templates,
)
from service.domain.texts.voice_words import spoken_seconds
from service.store.models import Event
from service.store.states import EventKind

# A call says its first key within FIRST_KEY_SECONDS, and its words and keys before the
# repeat within BEFORE_REPEAT_SECONDS: listeners lose the thread after about 30 seconds.
FIRST_KEY_SECONDS = 20.0
BEFORE_REPEAT_SECONDS = 30.0

# Long but realistic values: if these fit, real ones do.
SAMPLE_APPOINTMENT = Event(
    kind=EventKind.APPOINTMENT, starts_at=datetime(2026, 9, 30, 7, 30, tzinfo=UTC),
    previous_starts_at=datetime(2026, 9, 23, 11, 45, tzinfo=UTC),
    place="Keski-Suomen keskussairaala, Hoitajantie 3, Jyväskylä",
    bring="henkilökortti ja tiliotteet", needs_transport=True)
SAMPLE_APPLICATION = Event(
    kind=EventKind.APPLICATION, agency="Kela", documents_due=date(2026, 9, 30),
    decision_expected=date(2026, 10, 31))
# A series on two weekdays at a time with minutes: the longest {series_when} there is.
SAMPLE_WEEKLY = Weekly(weekdays=(2, 3), at=time(10, 45))
SAMPLE_CLIENT = "Matti Meikäläinen"
SAMPLE_TRUSTED = Reader(audience="trusted", client_first_name="Matti")
# The key another helper's stop option uses; a line with {stop_key} must fit with it.
SAMPLE_STOP_KEY = "8"
# What rendering must never produce, whatever the values: (pattern, what it is).
SLIPS = (
    (re.compile(r"\.\."), "a double full stop (a date ending in '.' before a '.')"),
    (re.compile(r" [.,:;]"), "a space before a punctuation mark"),
    (re.compile(r"\S  +\S"), "a double space (an empty value inside a line)"),
    (re.compile(r"\{|\}"), "a brace left over"),
)
# Which config key each sender value comes from, to say which one breaks a budget.
CONFIG_KEYS = {"team": "team.name", "team_phone": "team.phone",
               "booking_number": "team.transport_booking_number"}


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Case:
    """One way a template is rendered: for whom and for what kind of appointment."""

    reader: Reader
    kind: str  # a KIND_TAGS key, or "" for "come to a place"

    @property
    def label(self) -> str:
        return "/".join(part for part in (self.reader.audience, self.kind) if part)


def cases(template: Template) -> list[Case]:
    """Every reader and kind the template's tags tell apart (the client coming by default)."""
    kinds = [""] + [appointment_type for appointment_type, tag in KIND_TAGS.items()
                    if tag in template.tags]
    # The stop option is for a client reached only by calls; trusted persons stop with STOP.
    readers = [Reader(stop_key=SAMPLE_STOP_KEY)]
    if "trusted" in template.tags:
        readers.append(SAMPLE_TRUSTED)
    return [Case(reader, kind) for reader in readers for kind in kinds]


def _event_for(template: Template, kind: str) -> Event:
    if template.variables & {"deadline", "decision_date", "agency"}:
        return SAMPLE_APPLICATION
    # Every value the sample has (whatever columns rendering reads), with this kind.
    values = {column.key: getattr(SAMPLE_APPOINTMENT, column.key)
              for column in Event.__table__.columns
              if getattr(SAMPLE_APPOINTMENT, column.key, None) is not None}
    return Event(**{**values, "appointment_type": kind or "worker"})


def render_case(templates: TemplateSet, template: Template, case: Case, sender: Sender) -> str:
    weekly = SAMPLE_WEEKLY if "series_when" in template.variables else None
    return render_text(templates, template.channel, template.name, template.language,
                       _event_for(template, case.kind), sender, SAMPLE_CLIENT, case.reader,
                       weekly)


def slips_in(text: str) -> list[str]:
    """The slips rendering produced, in words."""
    return [what for pattern, what in SLIPS if pattern.search(text)]


def _sms_problems(text: str, language: languages.Language) -> tuple[str, list[str]]:
    info = analyse_sms(text)
    limit = 160 if info.encoding == "GSM-7" else 70
    line = f"{info.length}/{limit} {info.encoding}, {info.segments} osa(a)"
    problems: list[str] = []
    if info.encoding != "GSM-7" and language.sms_encoding == "GSM-7":
        chars = ", ".join(repr(c) for c in info.non_gsm_chars)
        problems.append(f"character(s) {chars} force UCS-2 encoding "
                        "(70 characters a segment instead of 160)")
    if info.segments > language.sms_segments:
        problems.append(f"{info.length} characters ({info.encoding}) with long sample values "
                        f"is {info.segments} SMS segments; the budget of language "
                        f"{language.code} is {language.sms_segments}")
    return line, problems


def call_timing(text: str, language: str) -> tuple[float, float]:
    """Seconds until the first key has been offered, and until the menu is repeated."""
    lines = text.splitlines()
    if MENU_LINE not in (line.strip() for line in lines):
        total = spoken_seconds(text, language)
        return total, total
    at = [line.strip() for line in lines].index(MENU_LINE)
    words, menu = lines[:at], [line for line in lines[at + 1:] if line.strip()]
    first_key = spoken_seconds("\n".join(words + menu[:1]), language)
    return first_key, spoken_seconds("\n".join(words + menu), language)


def _voice_problems(text: str, language: str) -> tuple[str, list[str]]:
    first_key, before_repeat = call_timing(text, language)
    pace = languages.get(language).syllables_per_second
    line = (f"first key {first_key:.1f} s, before the repeat {before_repeat:.1f} s "
            f"({pace:g} syllables/s)")
    problems: list[str] = []
    if MENU_LINE in text.splitlines():
        if first_key > FIRST_KEY_SECONDS:
            problems.append(f"the first key comes after {first_key:.1f} s (at most "
                            f"{FIRST_KEY_SECONDS:g} s at {pace:g} syllables a second)")
        if before_repeat > BEFORE_REPEAT_SECONDS:
            problems.append(f"the call speaks {before_repeat:.1f} s before the menu is "
                            f"repeated (at most {BEFORE_REPEAT_SECONDS:g} s)")
    return line, problems


def _problems(channel: str, text: str, language: str) -> tuple[str, list[str]]:
    problems = [f"{what}: {text!r}" for what in slips_in(text)]
    links = find_links(text)
    if links:
        problems.append(f"contains a link ({links[0]}); clients are taught to distrust "
                        "links in texts")
    if channel == "sms":
        line, budget = _sms_problems(text, languages.get(language))
    elif channel == "voice":
        line, budget = _voice_problems(text, language)
    else:
        line, budget = f"{len(text)} merkkiä", []
    return line, problems + budget


def _blame(templates: TemplateSet, template: Template, case: Case, sender: Sender) -> str:
    """Which configured value, made short, would bring the text within its budget."""
    for attr, key in CONFIG_KEYS.items():
        value = sender.team_in(template.language) if attr == "team" else getattr(sender, attr)
        if len(value) <= 1:
            continue
        if attr == "team":
            shorter = replace(sender, team="X", team_names=())
        elif attr == "team_phone":
            shorter = replace(sender, team_phone="")
        else:
            shorter = replace(sender, booking_number="")
        text = render_case(templates, template, case, shorter)
        if not _problems(template.channel, text, template.language)[1]:
            named = key if attr != "team" or value == sender.team else \
                f"{key}_{template.language}"
            return f" (the configured {named} = {value!r} is what makes it too long)"
    return ""


def _check_one(templates: TemplateSet, template: Template, sender: Sender
               ) -> tuple[str, list[str]]:
    """One template in each of its cases: its cost line and its problems, file named."""
    errors: list[str] = []
    lines: list[str] = []
    key = f"{template.channel}/{template.name}.{template.language}"
    for case in cases(template) if template.channel != "task" else [Case(Reader(), "")]:
        text = render_case(templates, template, case, sender)
        line, problems = _problems(template.channel, text, template.language)
        lines.append(f"{key} [{case.label}]: {line}")
        budget_only = bool(problems) and not slips_in(text) and not find_links(text)
        blame = _blame(templates, template, case, sender) if budget_only else ""
        errors += [f"{template.path} [{case.label}]: {p}{blame}" for p in problems]
    return "\n".join(lines), errors


def configured_warnings(team: Sender) -> list[str]:
    """Values the texts need that are not configured (a production start refuses them)."""
    out: list[str] = []
    if not team.team_phone:
        out.append("team.phone is not set: texts and calls have no number to call back "
                   "(a production start refuses this); lengths are measured without it")
    return out


def check_templates(templates: TemplateSet, team: Sender) -> CheckReport:
    """Every loaded template against what would hurt a client; the file named in each error."""
    report = CheckReport(warnings=configured_warnings(team))
    for _key, template in sorted(templates.templates.items()):
        line, errors = _check_one(templates, template, team)
        report.lines.append(line)
        report.errors.extend(errors)
    return report


class UnsafeTemplates(ValueError):
    """Templates that loaded but must not be sent: each line names a file and its problem."""


# Every process start (and every test's runtime) checks the same files: the verdict for
# the same templates and sender is kept, as the check renders several hundred texts.
_VERDICTS: dict[tuple[tuple[Template, ...], Sender], list[str]] = {}


def refuse_unsafe_templates(templates: TemplateSet, team: Sender) -> None:
    """At every start: a link or a text over its budget stops the process, file named."""
    key = (tuple(templates.templates[k] for k in sorted(templates.templates)), team)
    errors = _VERDICTS.get(key)
    if errors is None:
        errors = check_templates(templates, team).errors
        if len(_VERDICTS) > 32:
            _VERDICTS.clear()
        _VERDICTS[key] = errors
    if errors:
        raise UnsafeTemplates("message templates that must not be sent (rinnalla "
                              "check-files):\n" + "\n".join(errors))


def check_team_files(templates_dir: Path, schedules_dir: Path, team: Sender) -> CheckReport:
    """`rinnalla check-files`: load the team's files and check every template."""
    try:
        templates = load_templates(templates_dir)
        load_schedules(schedules_dir, templates)
    except (TemplateError, ScheduleError, languages.LanguageError) as exc:
        return CheckReport(errors=[str(exc)])
    return check_templates(templates, team)

