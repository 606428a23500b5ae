"""The service-path view for the team and its manager: where clients' paths stall.

Aggregates only (agencies, appointment types, counts, waits): no name, number or
text. Charts are inline SVG with a table beside each; the figures download as CSV.
The computation is in service.domain.reports.service_path.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from service.clock import utcnow
from service.domain.fields import day_problem, optional_id
from service.domain.privacy.export import safe_cell
from service.domain.reports.service_path import TOTAL, Period, ServicePathReport, report_rows
from service.domain.reports.service_path_data import build_report
from service.domain.teams import access
from service.store.models import Team
from service.web.context import db, runtime
from service.web.ui.formatting import APPOINTMENT_TYPES, INBOX_KINDS, label
from service.web.ui.security import current_worker
from service.web.ui.signed_in import signed_in_only
from service.web.ui.svg_charts import Series, bar_chart, stacked_bar_chart

bp = Blueprint("service_path", __name__, url_prefix="/service-path")
bp.before_request(signed_in_only)
DEFAULT_DAYS = 90


def _period() -> tuple[Period, dict[str, str]]:
    """From ?from=&to= (local days); the last 90 days by default."""
    tz = runtime().config.tz
    today = utcnow().astimezone(tz).date()
    errors: dict[str, str] = {}

    def day(name: str, default: date) -> date:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            errors[name] = _("Anna päivä muodossa 2026-06-03.")
            return default
        problem = day_problem(value)
        if problem:
            errors[name] = problem
            return default
        return value

    end = day("to", today)
    start = day("from", end - timedelta(days=DEFAULT_DAYS - 1))
    if end < start:
        errors["to"] = _("Loppupäivä on ennen alkupäivää.")
        start, end = end, start
    return Period(start=start, end=end, tz=tz), errors


def _kind(kind: str) -> str:
    return _("yhteensä") if kind == TOTAL else label(INBOX_KINDS, kind)


def _type(kind: str) -> str:
    return _("yhteensä") if kind == TOTAL else label(APPOINTMENT_TYPES, kind)


def charts(report: ServicePathReport) -> dict[str, Markup]:
    apps, appts, replies = report.applications, report.appointments, report.replies
    out: dict[str, Markup] = {}
    if apps:
        out["applications"] = bar_chart(
            "chart-applications", _("Hakemusten odotusaika tahoittain"),
            _("Päätöksen odotusaika päivinä: mediaani päätetyistä ja pisin odotus. "
              "Sama tieto on taulukossa kaavion alla."),
            [a.agency for a in apps],
            [Series(_("mediaani"), [a.median_days for a in apps]),
             Series(_("pisin"), [float(a.longest_days) for a in apps])], unit=_("pv"))
    typed = [a for a in appts if a.type != TOTAL]
    if typed:
        out["appointments"] = stacked_bar_chart(
            "chart-appointments", _("Aikoihin vastaaminen tyypeittäin"),
            _("Kuinka moni aika vahvistettiin, kuinka moneen ei päästy ja moneenko ei "
              "vastattu. Sama tieto on taulukossa kaavion alla."),
            [_type(a.type) for a in typed],
            [Series(_("vahvisti"), [float(a.confirmed) for a in typed], "#2e7d32"),
             Series(_("ei pääse"), [float(a.declined) for a in typed], "#b3261e"),
             Series(_("ei vastausta"), [float(a.unanswered) for a in typed], "#5f5f5f")])
    if replies:
        out["replies"] = bar_chart(
            "chart-replies", _("Vastausten odotus ennen käsittelyä"),
            _("Tunteja vastauksen saapumisesta siihen, kun työntekijä merkitsi sen "
              "käsitellyksi: mediaani ja pisin. Sama tieto on taulukossa kaavion alla."),
            [_kind(r.kind) for r in replies],
            [Series(_("mediaani"), [r.median_hours for r in replies]),
             Series(_("pisin"), [r.longest_hours for r in replies])], unit=_("h"))
    return out


def _teams() -> tuple[list[int], list[Team], int | None]:
    """The teams the report covers: the caller's (every team for the organisation's
    admin), or the one chosen with ?team= among them; another team's id is a 404."""
    session, me = db(), current_worker()
    mine = access.team_ids(session, me)
    chosen = optional_id(request.args.get("team", "").strip(), "team")
    if chosen is not None and chosen not in mine:
        abort(404)
    teams = list(session.scalars(select(Team).where(Team.id.in_(mine)).order_by(Team.id)))
    return ([chosen] if chosen is not None else mine), teams, chosen


@bp.get("")
def index() -> ResponseReturnValue:
    period, errors = _period()
    team_ids, teams, chosen = _teams()
    report = build_report(db(), period, utcnow(), team_ids)
    return render_template("service_path/index.html", report=report, period=period,
                           teams=teams if len(teams) > 1 else [], team=chosen,
                           charts=charts(report), errors=errors, type_label=_type,
                           kind_label=_kind), 422 if errors else 200


@bp.get("/export.csv")
def export_csv() -> ResponseReturnValue:
    period, errors = _period()
    if errors:
        return Response("\n".join(errors.values()), status=422, content_type="text/plain")
    report = build_report(db(), period, utcnow(), _teams()[0])
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("osio", "ryhmä", "mittari", "arvo"))
    writer.writerow(("jakso", "", "alku", period.start.isoformat()))
    writer.writerow(("jakso", "", "loppu", period.end.isoformat()))
    writer.writerows(tuple(safe_cell(v) for v in row) for row in report_rows(report))
    name = f"palvelupolku-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
