"""The team's message templates and schedules, read-only, with example texts.

The files are edited in the repository (message_templates/, schedules/); this page shows
what they say and what a client would receive, rendered with realistic sample values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from service import languages
from service.domain.messages.template_check import SAMPLE_APPLICATION, SAMPLE_APPOINTMENT
from service.domain.planning.schedules import EVENT_KINDS
from service.domain.planning.send_times import Rule
from service.domain.texts.rendering import render_text
from service.domain.texts.sms import SmsInfo, analyse_sms
from service.domain.texts.templates import Template
from service.web.context import runtime

bp = Blueprint("team_files", __name__, url_prefix="/team-files")
DATE_VARIABLES = {"deadline", "decision_date", "agency"}


@dataclass(frozen=True)
class TemplateView:
    template: Template
    source: str
    example: str
    sms: SmsInfo | None
    html_lang: str  # selko is Finnish to a browser


def describe_offset(offset: timedelta) -> str:
    days, seconds = offset.days, offset.seconds
    parts = []
    if days:
        parts.append(_("%(n)s vrk", n=days))
    if seconds // 3600:
        parts.append(_("%(n)s h", n=seconds // 3600))
    if seconds % 3600 // 60:
        parts.append(_("%(n)s min", n=seconds % 3600 // 60))
    return " ".join(parts) or _("heti")


def describe_rule(rule: Rule) -> str:
    """"7 vrk ennen ajan alkua klo 10.00" in the UI language (fallbacks and working days too)."""
    fallback_of = getattr(rule, "fallback_of", None)
    if fallback_of:
        wait: timedelta = getattr(rule, "wait", timedelta(0))
        later = _("myöhemmin")
        when = f"{describe_offset(wait)} {later}" if wait else _("heti")
        if getattr(rule, "fallback_on", None) == "no_answer":
            condition = _("jos viestiin %(rule)s ei vastata", rule=fallback_of)
        else:
            condition = _("jos viesti %(rule)s ei mene perille", rule=fallback_of)
        return f"{condition}, {when}"
    anchor = {"starts_at": _("ajan alkua"), "documents_due": _("lisäselvitysten määräpäivää"),
              "decision_expected": _("päätöksen odotettua päivää")}[rule.anchor]
    working_days = getattr(rule, "working_days_before", None)
    text: str
    if working_days:
        text = ngettext("%(num)s arkipäivä ennen", "%(num)s arkipäivää ennen",
                        working_days) + f" {anchor}"
    else:
        direction = _("ennen") if rule.before is not None else _("jälkeen")
        text = f"{describe_offset(rule.offset)} {direction} {anchor}"
    if rule.at is not None:
        text += " " + _("klo %(t)s", t=f"{rule.at.hour}.{rule.at.minute:02d}")
    return text


def _template_views() -> dict[tuple[str, str], list[TemplateView]]:
    rt = runtime()
    sender = rt.sender  # the configured values: what the team's clients will really get
    views: dict[tuple[str, str], list[TemplateView]] = {}
    for (channel, name, lang), template in sorted(rt.templates.templates.items()):
        event = SAMPLE_APPLICATION if template.variables & DATE_VARIABLES else SAMPLE_APPOINTMENT
        example = render_text(rt.templates, channel, name, lang, event, sender,
                              client_name="Matti Meikäläinen")
        views.setdefault((channel, name), []).append(TemplateView(
            template=template, source="\n".join(template.lines), example=example,
            sms=analyse_sms(example) if channel == "sms" else None,
            html_lang=languages.get(lang).html_lang))
    return views


@bp.get("")
def index() -> ResponseReturnValue:
    rt = runtime()
    schedules = {kind: [(rule, describe_rule(rule)) for rule in rt.schedules.for_kind(kind)]
                 for kind in EVENT_KINDS}
    files = {kind: (rt.config.schedules_dir / f"{kind}.toml").read_text(encoding="utf-8")
             for kind in schedules}
    return render_template("team_files/index.html", schedules=schedules, files=files,
                           templates=_template_views())
