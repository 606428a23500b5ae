"""When one reminder should go out: rule + anchor + now + sending window -> send time.

Pure: no I/O and no clock (the caller passes `now`). The guarantees the rest of
the service relies on: a planned time is never at night (inside the window),
never before `now`, and never later than `latest - min_lead`, so a reminder
always leaves the client time to act. When no such time exists the reminder is
skipped with a stable reason code that the worker UI can explain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.domain.calendar.window import SendingWindow, as_utc
from service.domain.calendar.workdays import working_day_before

__all__ = [
    "ANCHORS",
    "CHANNELS",
    "FALLBACK_TRIGGERS",
    "RECIPIENTS",
    "SKIP_NO_WINDOW",
    "SKIP_REASONS",
    "SKIP_TOO_CLOSE",
    "SKIP_TOO_LATE",
    "PlanResult",
    "Rule",
    "ideal_send_time",
    "parse_offset",
    "plan_send_time",
]

ANCHORS = frozenset({"starts_at", "documents_due", "decision_expected"})
# A fallback is planned when its original reminder was sent and `wait` passed with
# no answer ("no_answer"), or when the original could not be delivered ("failed").
FALLBACK_TRIGGERS = frozenset({"no_answer", "failed"})
CHANNELS = frozenset({"sms", "voice", "auto", "task"})
RECIPIENTS = frozenset({"client", "trusted", "worker"})

SKIP_TOO_CLOSE = "too_close_when_registered"
SKIP_TOO_LATE = "too_late"
SKIP_NO_WINDOW = "no_window_before_event"
SKIP_REASONS = frozenset({SKIP_TOO_CLOSE, SKIP_TOO_LATE, SKIP_NO_WINDOW})

_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_OFFSET_RE = re.compile(r"(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?")


def parse_offset(text: str) -> timedelta:
    """Parse a team-written offset: "7d", "36h", "90m", "1d12h" (order d, h, m)."""
    match = _OFFSET_RE.fullmatch(text.strip().lower())
    if match is None or not any(match.groups()):
        raise ValueError(f"offset {text!r} is not like '7d', '36h', '90m' or '1d12h'")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class Rule:
    """One reminder of a schedule, as the team wrote it in schedules/*.toml.

    With `at`, the offset counts whole local calendar days ("the day before at
    18:00"), which is what people mean across a DST change; without it, the
    offset is absolute time ("2 h before"). With `working_days_before`, the day is
    that many working days (weekends and holidays skipped) before the anchor's day.
    A fallback (`fallback_of` + `fallback_on`) has no time of its own: it is planned
    from its original reminder's fate (service/domain/planning/fallbacks.py).
    """

    id: str
    anchor: str
    template: str
    channel: str = "auto"
    before: timedelta | None = None
    after: timedelta | None = None
    at: time | None = None
    min_days_ahead: int | None = None
    min_lead: timedelta = timedelta(hours=2)
    condition: str | None = None
    recipient: str = "client"
    fallback_of: str | None = None
    fallback_on: str | None = None
    wait: timedelta = timedelta(0)
    working_days_before: int | None = None
    # What a client's answer does to this rule's reminders not yet sent: "cancel" or
    # "keep"; None is the default (domain/planning/answers.py).
    after_confirm: str | None = None
    after_decline: str | None = None

    def __post_init__(self) -> None:
        # Fail when the schedule is loaded, not when a reminder is due.
        if not self.id:
            raise ValueError("rule id must not be empty")
        where = f"rule {self.id!r}"
        self._check_words(where)
        self._check_timing(where)
        self._check_working_days(where)
        self._check_fallback(where)

    def _check_words(self, where: str) -> None:
        for key, value, allowed in (("anchor", self.anchor, ANCHORS),
                                    ("channel", self.channel, CHANNELS),
                                    ("recipient", self.recipient, RECIPIENTS)):
            if value not in allowed:
                raise ValueError(f"{where}: {key} {value!r} is not one of {sorted(allowed)}")

    def _check_timing(self, where: str) -> None:
        if self.before is not None and self.after is not None:
            raise ValueError(f"{where}: give either 'before' or 'after', not both")
        if self.offset < _ZERO:
            raise ValueError(f"{where}: offsets are given as positive durations")
        if self.at is not None:
            if self.at.tzinfo is not None:
                raise ValueError(
                    f"{where}: 'at' is a local wall-clock time; give it without tzinfo")
            if self.offset % _DAY:
                raise ValueError(f"{where}: with 'at', the offset must be whole days (e.g. '7d')")
        if self.min_days_ahead is not None and self.min_days_ahead < 0:
            raise ValueError(f"{where}: min_days_ahead must not be negative")
        if self.min_lead < _ZERO:
            raise ValueError(f"{where}: min_lead must not be negative")

    def _check_working_days(self, where: str) -> None:
        if self.working_days_before is None:
            return
        if self.working_days_before < 1:
            raise ValueError(f"{where}: working_days_before must be 1 or more")
        if self.before is not None or self.after is not None:
            raise ValueError(f"{where}: give working_days_before or before/after, not both")
        if self.at is None:
            raise ValueError(f"{where}: working_days_before needs 'at' (a time of day)")

    def _check_fallback(self, where: str) -> None:
        if (self.fallback_of is None) != (self.fallback_on is None):
            raise ValueError(f"{where}: a fallback needs both fallback_of and its trigger")
        if self.fallback_on is not None and self.fallback_on not in FALLBACK_TRIGGERS:
            raise ValueError(f"{where}: fallback trigger {self.fallback_on!r} is not one of "
                             f"{sorted(FALLBACK_TRIGGERS)}")
        if self.wait < _ZERO:
            raise ValueError(f"{where}: wait must not be negative")

    @property
    def offset(self) -> timedelta:
        """Unsigned distance from the anchor (zero when neither before nor after is given)."""
        if self.before is not None:
            return self.before
        return self.after if self.after is not None else _ZERO

    @property
    def signed_offset(self) -> timedelta:
        """Offset with direction: negative before the anchor, positive after it."""
        return -self.before if self.before is not None else self.offset


@dataclass(frozen=True)
class PlanResult:
    """Either a send time (aware UTC) or a skip reason code, never both."""

    send_at: datetime | None
    skip_reason: str | None

    def __post_init__(self) -> None:
        if (self.send_at is None) == (self.skip_reason is None):
            raise ValueError("a plan has exactly one of send_at and skip_reason")
        if self.skip_reason is not None and self.skip_reason not in SKIP_REASONS:
            raise ValueError(f"unknown skip reason {self.skip_reason!r}")
        if self.send_at is not None:
            as_utc(self.send_at, "send_at")

    @property
    def skipped(self) -> bool:
        return self.skip_reason is not None


def ideal_send_time(anchor: datetime, rule: Rule, tz: ZoneInfo,
                    holidays_country: str | None = "FI") -> datetime:
    """The time the rule asks for, before the window and `now` are considered; aware UTC.

    With `at`, the day is counted on the anchor's local calendar date, so a
    date anchor stored as local midnight in UTC stays on its own day. A wall
    time that does not exist (spring gap) lands as far after the gap start as
    it was meant to be (03:30 -> 04:30); a repeated one (autumn) takes the first.
    """
    anchor = as_utc(anchor, "anchor")
    if rule.at is None:
        return anchor + rule.signed_offset
    day = anchor.astimezone(tz).date() + timedelta(days=rule.signed_offset.days)
    if rule.working_days_before is not None:
        day = working_day_before(anchor.astimezone(tz).date(), rule.working_days_before,
                                 holidays_country)
    return datetime.combine(day, rule.at.replace(fold=0), tzinfo=tz).astimezone(UTC)


def plan_send_time(
    rule: Rule,
    anchor: datetime,
    *,
    now: datetime,
    window: SendingWindow,
    latest: datetime | None,
) -> PlanResult:
    """Plan one reminder at planning time `now`.

    `latest` is the moment after which the reminder is useless (appointment
    start, end of the documents-due day), or None for follow-ups. Every send
    time returned is inside the window, >= now and <= latest - min_lead.
    """
    anchor = as_utc(anchor, "anchor")
    now = as_utc(now, "now")
    limit = None if latest is None else as_utc(latest, "latest") - rule.min_lead

    if rule.min_days_ahead is not None and anchor - now < timedelta(days=rule.min_days_ahead):
        return PlanResult(None, SKIP_TOO_CLOSE)

    ideal = ideal_send_time(anchor, rule, window.tz, window.holidays_country)

    if ideal < now:
        # Registered (or replanned) late: send at once, if that still helps.
        send_at = window.next_open(now)
        if limit is not None and send_at > limit:
            return PlanResult(None, SKIP_TOO_LATE)
        return PlanResult(send_at, None)

    send_at = window.next_open(ideal)
    if limit is not None and send_at > limit:
        # Waiting for the window would leave too little lead: send earlier
        # instead, at the last allowed moment before the ideal and the limit.
        send_at = window.last_open(min(ideal, limit))
        if send_at < now:
            return PlanResult(None, SKIP_NO_WINDOW)
    return PlanResult(send_at, None)
