"""Where clients' service paths stall, for a chosen period: pure computation, no I/O.

Input is facts without personal data (an agency, an appointment type, dates, states);
output is aggregates. Definitions, so the figures can be checked by hand:

Applications (per agency): an application counts when it was waiting at some point
in the period (started on or before the period's last day, not decided before its
first day, not cancelled). Its wait is from the day it was submitted (or registered)
to the day the decision came, or to the end of the period ("as of") if it had not.
- decided: decisions that came within the period; median_days is the median of their
  waits (None without any);
- longest_days: the longest wait among all counted, decided or still waiting;
- waiting: not decided as of the period's end; overdue: of those, the ones whose
  expected decision day had passed (expected before "as of").

Appointments (per type, with a total): those whose day falls in the period and that
were not cancelled: confirmed (also "done"), declined, unanswered (no answer yet).

Attendance (per type, with a total): appointments whose day falls in the period and
has come (up to "as of"): attended, no_show (did not come) and, of those, no_show_confirmed
(the client had confirmed the reminder: a confirmed no-show is a different problem from
an unanswered one), cancelled_by_client, and not_recorded (not cancelled by us, nothing
recorded yet). The answer counted is the one the event had when attendance was recorded.

Replies (per kind, with a total): a client's answer, call-back request, stop or start,
or a text from an unknown number, received in the period. Waits run from arrival to
the moment a worker marked it handled, or to "as of" if not yet handled.
- handled: handled by "as of"; median_hours over those; longest_hours over all;
  waiting: not handled by "as of".
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.store.states import Attendance, EventState, InboxKind

K = InboxKind
REPLY_KINDS = (K.REPLY, K.CALLBACK, K.STOP, K.START, K.UNKNOWN_SENDER)
# The column an appointment's state counts in: confirmed (0), declined (1), else
# unanswered (2).
ANSWER_COLUMN = {EventState.CONFIRMED: 0, EventState.DONE: 0, EventState.DECLINED: 1}
TOTAL = "total"


@dataclass(frozen=True)
class Period:
    """First and last day (inclusive), local calendar days in `tz`."""

    start: date
    end: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("period ends before it starts")

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=self.tz).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        """The moment the period is over (midnight after its last day), in UTC."""
        return datetime.combine(self.end + timedelta(days=1), time(0),
                                tzinfo=self.tz).astimezone(UTC)

    def as_of(self, now: datetime) -> datetime:
        return min(self.end_at, now)

    def as_of_day(self, now: datetime) -> date:
        """The last day the period's figures can speak of: its end, or today if sooner."""
        return min(self.end, now.astimezone(self.tz).date())


@dataclass(frozen=True)
class Application:
    agency: str
    started: date
    expected: date | None
    decided: date | None
    cancelled: bool = False


@dataclass(frozen=True)
class Appointment:
    type: str
    day: date
    state: EventState
    attendance: Attendance | None = None
    answer: EventState | None = None  # the state before attendance closed it

    @property
    def answered(self) -> EventState:
        """The client's answer as it stood before the appointment was closed."""
        return self.answer if self.answer is not None else self.state


@dataclass(frozen=True)
class Reply:
    kind: InboxKind
    received: datetime
    handled: datetime | None


@dataclass(frozen=True)
class AgencyWaits:
    agency: str
    applications: int
    decided: int
    median_days: float | None
    longest_days: int
    waiting: int
    overdue: int


@dataclass(frozen=True)
class AppointmentAnswers:
    type: str
    confirmed: int
    declined: int
    unanswered: int

    @property
    def total(self) -> int:
        return self.confirmed + self.declined + self.unanswered


@dataclass(frozen=True)
class AppointmentAttendance:
    type: str
    attended: int
    no_show: int
    no_show_confirmed: int
    cancelled_by_client: int
    not_recorded: int


@dataclass(frozen=True)
class ReplyWaits:
    kind: str
    received: int
    handled: int
    median_hours: float | None
    longest_hours: float
    waiting: int


@dataclass(frozen=True)
class ServicePathReport:
    period: Period
    as_of: datetime
    applications: list[AgencyWaits]
    appointments: list[AppointmentAnswers]
    replies: list[ReplyWaits]
    attendance: list[AppointmentAttendance] = field(default_factory=list)


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def application_waits(apps: list[Application], period: Period,
                      now: datetime) -> list[AgencyWaits]:
    """Per agency, the longest waits first."""
    as_of = period.as_of_day(now)
    groups: dict[str, list[tuple[int, bool, Application]]] = defaultdict(list)
    for app in apps:
        if app.cancelled or app.started > as_of:
            continue
        if app.decided is not None and app.decided < period.start:
            continue
        done = app.decided is not None and app.decided <= as_of
        end = app.decided if done and app.decided is not None else as_of
        groups[app.agency].append(((end - app.started).days, done, app))
    out = []
    for agency, rows in groups.items():
        decided = [days for days, done, _ in rows if done]
        pending = [app for _, done, app in rows if not done]
        out.append(AgencyWaits(
            agency=agency, applications=len(rows), decided=len(decided),
            median_days=_median([float(d) for d in decided]),
            longest_days=max(days for days, _, _ in rows), waiting=len(pending),
            overdue=sum(1 for a in pending if a.expected is not None and a.expected < as_of)))
    out.sort(key=lambda a: (-a.longest_days, a.agency))
    return out


def appointment_answers(appointments: list[Appointment],
                        period: Period) -> list[AppointmentAnswers]:
    """Per type in a fixed order of appearance by count, and a total row last."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for a in appointments:
        if not period.start <= a.day <= period.end or a.state == EventState.CANCELLED:
            continue
        column = ANSWER_COLUMN.get(a.answered, 2)
        counts[a.type][column] += 1
    rows = [AppointmentAnswers(t, *c) for t, c in counts.items()]
    rows.sort(key=lambda r: (-r.total, r.type))
    if rows:
        rows.append(AppointmentAnswers(TOTAL, sum(r.confirmed for r in rows),
                                       sum(r.declined for r in rows),
                                       sum(r.unanswered for r in rows)))
    return rows


ATTENDANCE_COLUMN = {Attendance.ATTENDED: 0, Attendance.NO_SHOW: 1,
                     Attendance.CANCELLED_BY_CLIENT: 3}


def appointment_attendance(appointments: list[Appointment], period: Period,
                           now: datetime) -> list[AppointmentAttendance]:
    """Per type, most no-shows first, and a total row last (AppointmentAttendance)."""
    as_of = period.as_of_day(now)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for a in appointments:
        if not period.start <= a.day <= min(period.end, as_of):
            continue
        if a.attendance is None:
            if a.state != EventState.CANCELLED:
                counts[a.type][4] += 1
            continue
        counts[a.type][ATTENDANCE_COLUMN[a.attendance]] += 1
        if a.attendance == Attendance.NO_SHOW and a.answered == EventState.CONFIRMED:
            counts[a.type][2] += 1
    rows = [AppointmentAttendance(t, *c) for t, c in counts.items()]
    rows.sort(key=lambda r: (-r.no_show, r.type))
    if rows:
        rows.append(AppointmentAttendance(TOTAL, *(sum(getattr(r, name) for r in rows) for name in (
            "attended", "no_show", "no_show_confirmed", "cancelled_by_client", "not_recorded"))))
    return rows


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def reply_waits(replies: list[Reply], period: Period, now: datetime) -> list[ReplyWaits]:
    """Per kind (in REPLY_KINDS order) and a total row last."""
    as_of = period.as_of(now)
    groups: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for r in replies:
        if r.kind not in REPLY_KINDS or not period.start_at <= r.received < period.end_at \
                or r.received > as_of:
            continue
        done = r.handled is not None and r.handled <= as_of
        end = r.handled if done and r.handled is not None else as_of
        groups[r.kind].append((_hours(end - r.received), done))
        groups[TOTAL].append((_hours(end - r.received), done))
    out = []
    for kind in (*REPLY_KINDS, TOTAL):
        rows = groups.get(kind)
        if not rows:
            continue
        handled = [h for h, done in rows if done]
        out.append(ReplyWaits(kind=kind, received=len(rows), handled=len(handled),
                              median_hours=_median(handled),
                              longest_hours=max(h for h, _ in rows),
                              waiting=len(rows) - len(handled)))
    return out


def service_path_report(period: Period, now: datetime, applications: list[Application],
                        appointments: list[Appointment], replies: list[Reply]
                        ) -> ServicePathReport:
    return ServicePathReport(period=period, as_of=period.as_of(now),
                             applications=application_waits(applications, period, now),
                             appointments=appointment_answers(appointments, period),
                             replies=reply_waits(replies, period, now),
                             attendance=appointment_attendance(appointments, period, now))


def report_rows(report: ServicePathReport) -> list[tuple[str, str, str, str]]:
    """The figures as (section, group, measure, value) rows, for CSV export."""
    def num(value: float | int | None) -> str:
        if value is None:
            return ""
        return str(value) if isinstance(value, int) else f"{value:.1f}"

    rows: list[tuple[str, str, str, str]] = []
    for a in report.applications:
        for measure, value in (("hakemuksia", a.applications), ("päätöksiä", a.decided),
                               ("mediaani_päivää", a.median_days),
                               ("pisin_päivää", a.longest_days), ("odottaa", a.waiting),
                               ("myöhässä", a.overdue)):
            rows.append(("hakemukset", a.agency, measure, num(value)))
    for p in report.appointments:
        for measure, value in (("vahvistettu", p.confirmed), ("ei_pääse", p.declined),
                               ("ei_vastausta", p.unanswered), ("yhteensä", p.total)):
            rows.append(("ajat", p.type, measure, num(value)))
    for t in report.attendance:
        for measure, value in (("tuli", t.attended), ("ei_tullut", t.no_show),
                               ("ei_tullut_vaikka_vahvisti", t.no_show_confirmed),
                               ("asiakas_perui", t.cancelled_by_client),
                               ("ei_kirjattu", t.not_recorded)):
            rows.append(("läsnäolo", t.type, measure, num(value)))
    for r in report.replies:
        for measure, value in (("saapuneita", r.received), ("käsitelty", r.handled),
                               ("mediaani_tuntia", r.median_hours),
                               ("pisin_tuntia", r.longest_hours), ("odottaa", r.waiting)):
            rows.append(("vastaukset", r.kind, measure, num(value)))
    return rows
