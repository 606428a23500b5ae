"""The team's message templates and schedules in a worker's words, with example texts.

Rule names, conditions and languages read in Finnish (Finnish first), each rule and
template folded under its name with a short rendered example, so the page is read, not
scrolled. Admins edit the files in team_file_edit.py; the identifiers stay visible for
whoever edits them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as L
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
LANGUAGE_ORDER = ("fi", "selko", "sv", "en")  # Finnish first, then as the team uses them

# The repository's rule, condition and template names in a worker's words; a name a team
# adds itself is shown as written.
RULE_LABELS = {
    "week_before": L("Viikkoa ennen"), "day_before": L("Edellisenä päivänä"),
    "day_before_text": L("Edellisenä päivänä tekstiviestinä"),
    "day_before_call": L("Edellisenä päivänä puheluna"),
    "day_before_call_text": L("Tekstiviesti, jos puheluun ei vastata"),
    "same_morning": L("Samana aamuna"), "what_to_bring": L("Mitä ottaa mukaan"),
    "book_transport": L("Kyydin tilaaminen"), "call_the_client": L("Soita asiakkaalle"),
    "documents_week_before": L("Liitteet: viikkoa ennen määräpäivää"),
    "documents_two_days_before": L("Liitteet: kaksi päivää ennen määräpäivää"),
    "decision_followup": L("Onko päätös tullut? (asiakkaalle)"),
    "decision_task": L("Onko päätös tullut? (tehtävä työntekijälle)"),
}
CONDITION_LABELS = {
    "unconfirmed": L("vain jos asiakas ei ole vielä vahvistanut"),
    "documents_missing": L("vain jos liitteet puuttuvat vielä"),
    "needs_transport": L("vain jos kyyti pitää tilata"),
    "undecided": L("vain jos päätöstä ei ole vielä kirjattu"),
    "something_to_bring": L("vain jos mukaan pitää ottaa jotain"),
}
TEMPLATE_LABELS = {
    "appointment_reminder": L("Muistutus ajasta"), "appointment_today": L("Aika on tänään"),
    "appointment_bring": L("Mitä ottaa mukaan"), "appointment_moved": L("Aika siirtyi"),
    "appointment_cancelled": L("Aika peruttiin"),
    "series_cancelled": L("Toistuva aika peruttiin"), "transport_booking": L("Tilaa kyyti"),
    "documents_due": L("Liitteiden määräpäivä"), "decision_followup": L("Onko päätös tullut?"),
    "decision_overdue": L("Päätös myöhässä (tehtävä)"),
    "call_client": L("Soita asiakkaalle (tehtävä)"),
    "opted_out": L("Viestit lopetettu"), "opted_in": L("Viestit jatkuvat"),
    "call_incoming": L("Puhelu meille"), "call_goodbye": L("Puhelun lopetus"),
    "call_invalid_key": L("Väärä näppäin"), "call_stop_option": L("Lopettamisen vaihtoehto"),
    "call_stop_confirm": L("Lopettamisen vahvistus"),
    "call_thanks_confirm": L("Kiitos vahvistuksesta"),
    "call_thanks_callback": L("Kiitos, soitamme takaisin"),
    "call_thanks_stopped": L("Kiitos, viestit lopetettu"),
}


def rule_label(rule_id: str) -> str:
    return str(RULE_LABELS.get(rule_id, rule_id.replace("_", " ")))


def condition_label(condition: str | None) -> str:
    return str(CONDITION_LABELS.get(condition, condition)) if condition else ""


def template_label(name: str) -> str:
    return str(TEMPLATE_LABELS.get(name, name.replace("_", " ")))


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
        named = f"”{rule_label(fallback_of)}”"
        if getattr(rule, "fallback_on", None) == "no_answer":
            condition = _("jos viestiin %(rule)s ei vastata", rule=named)
        else:
            condition = _("jos viesti %(rule)s ei mene perille", rule=named)
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
    order = {lang: i for i, lang in enumerate(LANGUAGE_ORDER)}
    for (channel, name, lang), template in sorted(
            rt.templates.templates.items(),
            key=lambda item: (item[0][0], item[0][1], order.get(item[0][2], 9))):
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
    return render_template("team_files/index.html", schedules=schedules,
                           templates=_template_views())


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"rule_label": rule_label, "condition_label": condition_label,
            "template_label": template_label}
