"""The template checker: every template, every language, rendered with long realistic values.

It fails on what would hurt a client: a text over one SMS segment, a link, a character
that forces the costly UCS-2 encoding, a missing language or variable.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from service.domain.planning.schedules import ScheduleError, load_schedules
from service.domain.texts.rendering import Sender, render_text
from service.domain.texts.sms import analyse_sms, find_links
from service.domain.texts.templates import (
    LANGUAGES,
    Template,
    TemplateError,
    TemplateSet,
    load_templates,
)
from service.store.models import Event
from service.store.states import EventKind

# Long but realistic values: if these fit, real ones do.
SAMPLE_APPOINTMENT = Event(
    kind=EventKind.APPOINTMENT, starts_at=datetime(2026, 9, 30, 7, 30, tzinfo=UTC),
    previous_starts_at=datetime(2026, 9, 23, 11, 45, tzinfo=UTC),
    place="Keski-Suomen keskussairaala, Hoitajantie 3, Jyväskylä",
    bring="henkilökortti ja tiliotteet", needs_transport=True)
SAMPLE_APPLICATION = Event(
    kind=EventKind.APPLICATION, agency="Kela", documents_due=date(2026, 9, 30),
    decision_expected=date(2026, 10, 31))


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def sample_sender(team: Sender) -> Sender:
    """The team's sender with long sample numbers where none is set yet, so the lengths
    measured are those of a configured team."""
    return replace(team, team_phone=team.team_phone or "+358401234567",
                   booking_number=team.booking_number or "+358800123456")


def _check_one(templates: TemplateSet, template: Template, sender: Sender
               ) -> tuple[str, list[str]]:
    """One template rendered with the long samples: its cost line and its problems."""
    channel, name, lang = template.channel, template.name, template.language
    event = SAMPLE_APPLICATION if template.variables & {"deadline", "decision_date",
                                                        "agency"} else SAMPLE_APPOINTMENT
    text = render_text(templates, channel, name, lang, event, sender, "Matti Meikäläinen")
    where = f"{template.path}"
    errors: list[str] = []
    links = find_links(text)
    if links:
        errors.append(f"{where}: contains a link ({links[0]}); clients are taught "
                      "to distrust links in texts")
    if channel != "sms":
        return f"{channel}/{name}.{lang}: {len(text)} merkkiä", errors
    info = analyse_sms(text)
    limit = 160 if info.encoding == "GSM-7" else 70
    line = f"sms/{name}.{lang}: {info.length}/{limit} {info.encoding}, {info.segments} osa(a)"
    if info.encoding != "GSM-7":
        chars = ", ".join(repr(c) for c in info.non_gsm_chars)
        errors.append(f"{where}: character(s) {chars} force UCS-2 encoding "
                      "(70 characters a segment instead of 160)")
    if info.segments > 1:
        errors.append(f"{where}: {info.length} characters with long sample values "
                      f"is {info.segments} SMS segments; keep it to one (160)")
    return line, errors


def check_templates(templates: TemplateSet, team: Sender) -> CheckReport:
    """Every loaded template against what would hurt a client; the file named in each error."""
    report = CheckReport()
    sender = sample_sender(team)
    for _key, template in sorted(templates.templates.items()):
        line, errors = _check_one(templates, template, sender)
        report.lines.append(line)
        report.errors.extend(errors)
    for channel in ("sms", "voice"):
        for name in templates.names(channel):
            for lang in LANGUAGES:
                if (channel, name, lang) not in templates.templates:
                    report.errors.append(f"{templates.directory}/{channel}/{name}.{lang}.txt: "
                                         "missing language")
    return report


class UnsafeTemplates(ValueError):
    """Templates that loaded but must not be sent: each line names a file and its problem."""


def refuse_unsafe_templates(templates: TemplateSet, team: Sender) -> None:
    """At every start: a link or a text over its budget stops the process, file named."""
    errors = check_templates(templates, team).errors
    if errors:
        raise UnsafeTemplates("message templates that must not be sent (rinnalla "
                              "check-files):\n" + "\n".join(errors))


def check_team_files(templates_dir: Path, schedules_dir: Path, team: Sender) -> CheckReport:
    """`rinnalla check-files`: load the team's files and check every template."""
    try:
        templates = load_templates(templates_dir)
        load_schedules(schedules_dir, templates)
    except (TemplateError, ScheduleError) as exc:
        return CheckReport(errors=[str(exc)])
    return check_templates(templates, team)
