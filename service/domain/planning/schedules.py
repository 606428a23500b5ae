"""Reminder rules the team edits: schedules/appointment.toml and schedules/application.toml.

Each file is a list of [[rule]] tables. Errors name the file and the line of the
rule (or of the key) so the team can fix them without a programmer.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from service.domain.planning.send_times import FALLBACK_TRIGGERS, Rule, parse_offset
from service.domain.texts.templates import TemplateSet
from service.store.states import EventKind

EVENT_KINDS: tuple[str, ...] = tuple(EventKind)  # one file each: schedules/<kind>.toml
ANCHORS: dict[str, tuple[str, ...]] = {
    EventKind.APPOINTMENT: ("starts_at",),
    EventKind.APPLICATION: ("documents_due", "decision_expected"),
}
CHANNELS = ("sms", "voice", "auto", "task")
RECIPIENTS = ("client", "trusted", "worker")
CONDITIONS = ("unconfirmed", "documents_missing", "needs_transport", "undecided",
              "something_to_bring")
AFTER_ANSWER = ("cancel", "keep")  # after_confirm / after_decline
# Conditions an answer from the client changes: a "no_answer" fallback waits on one.
ANSWER_CONDITIONS = ("unconfirmed", "undecided")
_KEYS = {"id", "anchor", "template", "channel", "before", "after", "at", "min_days_ahead",
         "min_lead", "condition", "recipient", "fallback_of", "description", "on", "wait",
         "working_days_before", "after_confirm", "after_decline"}
# A fallback's time comes from its original reminder, so these keys make no sense on it.
_NOT_ON_FALLBACKS = ("anchor", "before", "after", "at", "min_days_ahead",
                     "working_days_before")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ScheduleError(ValueError):
    """A problem in a schedule file; str() names the file and line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass
class ScheduleSet:
    rules: dict[str, list[Rule]] = field(default_factory=dict)

    def for_kind(self, kind: str) -> list[Rule]:
        return self.rules.get(kind, [])

    def find(self, kind: str, rule_id: str) -> Rule | None:
        return next((r for r in self.for_kind(kind) if r.id == rule_id), None)


def _line_of(lines: list[str], index: int, key: str | None) -> int | None:
    """The line of the index-th [[rule]] header, or of `key` inside that rule."""
    seen = -1
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith("[[rule]]"):
            seen += 1
            if seen == index and key is None:
                return number
        elif seen == index and key is not None and re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
        elif seen > index:
            break
    return None


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", value.strip())
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            return time(int(match.group(1)), int(match.group(2)))
    raise ValueError(f"expected a time of day like \"10:00\", got {value!r}")


def _rule(kind: str, raw: dict[str, Any]) -> Rule:
    """Build one rule; a _KeyProblem names the offending key. The checks run in a fixed
    order (what the rule is, whom it reaches, when it goes): the first problem is the
    one reported."""
    _check_identity(raw)
    anchors = ANCHORS[kind]
    anchor = raw.get("anchor", anchors[0])
    if anchor not in anchors:
        raise _KeyProblem("anchor", f"anchor must be one of {', '.join(anchors)}")
    channel, recipient = _channel_and_recipient(raw)
    fallback_of, fallback_on, wait = _fallback_keys(raw, channel)
    if fallback_of is not None and recipient == "trusted":
        raise _KeyProblem("recipient", "a fallback reaches the client (or is a task for the "
                                       "worker), not a trusted person")
    before, after, working_days = _offsets(raw, fallback_of)
    at = _at(raw, anchor, fallback_of, working_days)
    min_days, min_lead = _lead(raw)
    condition = raw.get("condition")
    if condition is not None and condition not in CONDITIONS:
        raise _KeyProblem("condition", f"condition must be one of {', '.join(CONDITIONS)}")
    after_confirm, after_decline = _after_answer(raw, condition)
    try:
        return Rule(id=raw["id"], anchor=anchor, template=raw["template"], channel=channel,
                    before=before, after=after, at=at,
                    min_days_ahead=min_days, min_lead=min_lead, condition=condition,
                    recipient=recipient, fallback_of=fallback_of, fallback_on=fallback_on,
                    wait=wait, working_days_before=working_days,
                    after_confirm=after_confirm, after_decline=after_decline)
    except ValueError as exc:
        raise _KeyProblem("before" if "before" in raw else "after", str(exc)) from exc


def _check_identity(raw: dict[str, Any]) -> None:
    """Only known keys, and an id and a template."""
    unknown = set(raw) - _KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _KeyProblem(key, f"unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
    for required in ("id", "template"):
        if not isinstance(raw.get(required), str) or not raw[required]:
            raise _KeyProblem(None, f"every rule needs {required} = \"...\"")
    if not _ID.match(raw["id"]):
        raise _KeyProblem("id", "id must be lower-case letters, digits and _")


def _after_answer(raw: dict[str, Any], condition: str | None) -> tuple[str | None, str | None]:
    """after_confirm and after_decline: "cancel" or "keep" (domain/planning/answers.py)."""
    values: list[str | None] = []
    for key in ("after_confirm", "after_decline"):
        value = raw.get(key)
        if value is not None and value not in AFTER_ANSWER:
            raise _KeyProblem(key, f"{key} must be one of {', '.join(AFTER_ANSWER)}")
        values.append(value)
    if values[0] == "keep" and (condition == "unconfirmed" or "fallback_of" in raw):
        raise _KeyProblem("after_confirm", "after_confirm = \"keep\" cannot keep a rule that "
                                           "waits for an answer (condition \"unconfirmed\" or "
                                           "a fallback): a confirm always ends it")
    return values[0], values[1]


def _channel_and_recipient(raw: dict[str, Any]) -> tuple[str, str]:
    channel = raw.get("channel", "auto")
    if channel not in CHANNELS:
        raise _KeyProblem("channel", f"channel must be one of {', '.join(CHANNELS)}")
    recipient = raw.get("recipient", "worker" if channel == "task" else "client")
    if recipient not in RECIPIENTS:
        raise _KeyProblem("recipient", f"recipient must be one of {', '.join(RECIPIENTS)}")
    if (channel == "task") != (recipient == "worker"):
        raise _KeyProblem("recipient", "channel = \"task\" goes with recipient = \"worker\"")
    return channel, recipient


def _offsets(raw: dict[str, Any], fallback_of: str | None
             ) -> tuple[timedelta | None, timedelta | None, int | None]:
    """before, after and working_days_before: at most one of them, and one unless the
    rule is a fallback (which takes its time from its original)."""
    if "before" in raw and "after" in raw:
        raise _KeyProblem("after", "give before or after, not both")
    offsets: dict[str, timedelta | None] = {"before": None, "after": None}
    for key in ("before", "after"):
        if key in raw:
            try:
                offsets[key] = parse_offset(str(raw[key]))
            except ValueError as exc:
                raise _KeyProblem(key, f"{exc} (write e.g. \"7d\", \"2h\", \"1d12h\")") from exc
    working_days = raw.get("working_days_before")
    if working_days is not None:
        if isinstance(working_days, bool) or not isinstance(working_days, int) \
                or working_days < 1:
            raise _KeyProblem("working_days_before",
                              "working_days_before must be a whole number, 1 or more")
        if "before" in raw or "after" in raw:
            raise _KeyProblem("working_days_before",
                              "give working_days_before or before/after, not both")
    if offsets["before"] is None and offsets["after"] is None and working_days is None \
            and fallback_of is None:
        raise _KeyProblem(None, "a rule needs before = \"...\", after = \"...\", "
                                "working_days_before = N or fallback_of = \"...\"")
    return offsets["before"], offsets["after"], working_days


def _at(raw: dict[str, Any], anchor: str, fallback_of: str | None,
        working_days: int | None) -> time | None:
    """The time of day, which a date anchor and working_days_before need."""
    at = None
    if "at" in raw:
        try:
            at = _parse_time(raw["at"])
        except ValueError as exc:
            raise _KeyProblem("at", str(exc)) from exc
    if anchor != "starts_at" and at is None and fallback_of is None:
        raise _KeyProblem("at", f"a rule anchored on a date ({anchor}) needs at = \"HH:MM\"")
    if working_days is not None and at is None:
        raise _KeyProblem("working_days_before",
                          "working_days_before needs at = \"HH:MM\" (the time on that day)")
    return at


def _lead(raw: dict[str, Any]) -> tuple[int | None, timedelta]:
    """min_days_ahead and min_lead: how far ahead a reminder must still be worth it."""
    min_days = raw.get("min_days_ahead")
    if min_days is not None and (not isinstance(min_days, int) or min_days < 0):
        raise _KeyProblem("min_days_ahead", "min_days_ahead must be a whole number of days")
    min_lead = timedelta(hours=2)
    if "min_lead" in raw:
        try:
            min_lead = parse_offset(str(raw["min_lead"]))
        except ValueError as exc:
            raise _KeyProblem("min_lead", str(exc)) from exc
    return min_days, min_lead


def _fallback_keys(raw: dict[str, Any], channel: str) -> tuple[str | None, str | None,
                                                                 timedelta]:
    """fallback_of, on and wait: checked together, since each needs the others."""
    fallback_of = raw.get("fallback_of")
    if fallback_of is None:
        for key in ("on", "wait"):
            if key in raw:
                raise _KeyProblem(key, f"{key} belongs to a fallback: add fallback_of = \"...\"")
        return None, None, timedelta(0)
    if not isinstance(fallback_of, str) or not _ID.match(fallback_of):
        raise _KeyProblem("fallback_of", "fallback_of names another rule's id")
    for key in _NOT_ON_FALLBACKS:
        if key in raw:
            raise _KeyProblem(key, f"a fallback takes its time from the reminder it backs up; "
                                   f"remove {key} (use wait = \"3h\")")
    if channel not in ("sms", "voice", "task"):
        raise _KeyProblem("channel", "a fallback names its channel: \"sms\", \"voice\" "
                                     "or \"task\"")
    on = raw.get("on")
    if on not in FALLBACK_TRIGGERS:
        raise _KeyProblem("on" if "on" in raw else "fallback_of",
                          "a fallback needs on = \"no_answer\" (no answer within wait) or "
                          "on = \"failed\" (the reminder did not get through)")
    if on == "no_answer" and "wait" not in raw:
        raise _KeyProblem("on", "on = \"no_answer\" needs wait = \"...\" (e.g. \"3h\"): "
                                "how long to wait for an answer")
    wait = timedelta(0)
    if "wait" in raw:
        try:
            wait = parse_offset(str(raw["wait"]))
        except ValueError as exc:
            raise _KeyProblem("wait", f"{exc} (write e.g. \"3h\", \"90m\")") from exc
    return fallback_of, on, wait


class _KeyProblem(ValueError):
    def __init__(self, key: str | None, message: str) -> None:
        self.key = key
        super().__init__(message)


def load_schedule_file(path: Path, kind: str, templates: TemplateSet | None) -> list[Rule]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ScheduleError(path, int(match.group(1)) if match else None, str(exc)) from exc
    extra = set(data) - {"rule"}
    if extra:
        raise ScheduleError(path, None, f"unknown top-level key(s): {', '.join(sorted(extra))}; "
                                        "write rules as [[rule]] tables")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise ScheduleError(path, None, "write rules as [[rule]] tables")
    rules: list[Rule] = []
    for index, raw in enumerate(raw_rules):
        try:
            rule = _rule(kind, raw)
        except _KeyProblem as exc:
            raise ScheduleError(path, _line_of(lines, index, exc.key)
                                or _line_of(lines, index, None), str(exc)) from exc
        if any(r.id == rule.id for r in rules):
            raise ScheduleError(path, _line_of(lines, index, "id"), f"duplicate id {rule.id!r}")
        if templates is not None:
            channels = ("sms", "voice") if rule.channel == "auto" else (rule.channel,)
            for channel in channels:
                if not templates.has(channel, rule.template):
                    raise ScheduleError(
                        path, _line_of(lines, index, "template"),
                        f"template {rule.template!r} not found in "
                        f"message_templates/{channel}/ (write {rule.template}.fi.txt there)")
        rules.append(rule)
    return _link_fallbacks(path, lines, rules)


def _link_fallbacks(path: Path, lines: list[str], rules: list[Rule]) -> list[Rule]:
    """Check each fallback's original, and let it inherit the original's anchor and condition."""
    by_id = {r.id: r for r in rules}
    for index, rule in enumerate(rules):
        seen = {rule.id}
        current = rule
        while current.fallback_of is not None:
            original = by_id.get(current.fallback_of)
            if original is None:
                raise ScheduleError(path, _line_of(lines, index, "fallback_of"),
                                    f"fallback_of names no rule {current.fallback_of!r} "
                                    "in this file")
            if original.id in seen:
                raise ScheduleError(path, _line_of(lines, index, "fallback_of"),
                                    f"fallbacks go round in a circle through {original.id!r}")
            seen.add(original.id)
            current = original
    linked: dict[str, Rule] = {}

    def resolve(rule: Rule) -> Rule:
        if rule.id in linked or rule.fallback_of is None:
            return linked.setdefault(rule.id, rule)
        original = resolve(by_id[rule.fallback_of])
        if original.channel == "task":
            raise ScheduleError(path, _line_of(lines, rules.index(rule), "fallback_of"),
                                "a task for the worker cannot have a fallback")
        linked[rule.id] = replace(rule, anchor=original.anchor,
                                  condition=rule.condition or original.condition)
        return linked[rule.id]

    out = [resolve(r) for r in rules]
    for index, rule in enumerate(out):
        if rule.fallback_on == "no_answer" and rule.condition not in ANSWER_CONDITIONS:
            raise ScheduleError(path, _line_of(lines, index, "on"),
                                "on = \"no_answer\" needs a condition an answer changes "
                                f"({', '.join(ANSWER_CONDITIONS)}), here or on the original")
    return out


def load_schedules(directory: Path, templates: TemplateSet | None = None) -> ScheduleSet:
    """Read schedules/<kind>.toml for every event kind; raise ScheduleError on problems."""
    if not directory.is_dir():
        raise ScheduleError(directory, None, "schedule folder not found")
    result = ScheduleSet()
    for path in sorted(directory.glob("*.toml")):
        if path.stem not in EVENT_KINDS:
            raise ScheduleError(path, None, f"unknown schedule file; expected "
                                            f"{', '.join(k + '.toml' for k in EVENT_KINDS)}")
    for kind in EVENT_KINDS:
        path = directory / f"{kind}.toml"
        if not path.exists():
            raise ScheduleError(path, None, "missing schedule file")
        result.rules[kind] = load_schedule_file(path, kind, templates)
    return result
