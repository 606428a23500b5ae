"""Operational figures in the Prometheus text format, computed from the database.

Any web process answers the same (the database is the single source of truth), so
scraping one of several is enough. Labels are states, channels, intents, reasons and
error codes only: never a name, a number or a text.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.store.models import Heartbeat, InboxItem, Message, Reminder
from service.store.states import Direction, InboxState, ReminderState

LATENESS_WINDOW = timedelta(hours=24)
QUANTILES = (0.5, 0.9, 0.99, 1.0)


def _label_value(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


@dataclass
class Family:
    name: str
    kind: str  # gauge | counter
    help: str
    samples: list[tuple[dict[str, object], float]] = field(default_factory=list)

    def add(self, value: float, **labels: object) -> None:
        self.samples.append((labels, value))

    def render(self) -> str:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]
        for labels, value in self.samples:
            text = ",".join(f'{k}="{_label_value(v)}"' for k, v in labels.items())
            number = repr(float(value)) if value != int(value) else str(int(value))
            lines.append(f"{self.name}{{{text}}} {number}" if text else f"{self.name} {number}")
        return "\n".join(lines)


def _quantile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank quantile (the value a share q of samples do not exceed)."""
    index = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[index]


def reminder_families(session: Session, now: datetime) -> list[Family]:
    states = Family("rinnalla_reminders", "gauge", "Reminders by state.")
    for state, count in session.execute(
            select(Reminder.state, func.count()).group_by(Reminder.state).order_by(
                Reminder.state)):
        states.add(count, state=state)
    due = Family("rinnalla_reminders_due", "gauge",
                 "Planned reminders whose send time has come (the backlog).")
    oldest = Family("rinnalla_reminders_due_oldest_seconds", "gauge",
                    "How long the oldest due reminder has waited past its send time.")
    count, first = session.execute(select(func.count(), func.min(Reminder.send_at)).where(
        Reminder.state == ReminderState.PLANNED, Reminder.send_at <= now)).one()
    due.add(count)
    oldest.add((now - first).total_seconds() if first is not None else 0)
    sent = Family("rinnalla_reminders_sent", "gauge",
                  "Reminders handed to the gateway (sent_at set), by channel.")
    for channel, n in session.execute(
            select(Reminder.channel, func.count()).where(Reminder.sent_at.is_not(None))
            .group_by(Reminder.channel).order_by(Reminder.channel)):
        sent.add(n, channel=channel)
    failed = Family("rinnalla_reminders_failed", "gauge", "Failed reminders, by reason.")
    for reason, n in session.execute(
            select(Reminder.reason, func.count()).where(Reminder.state == ReminderState.FAILED)
            .group_by(Reminder.reason).order_by(Reminder.reason)):
        failed.add(n, reason=reason or "unknown")
    return [states, due, oldest, sent, failed, *lateness_families(session, now)]


def lateness_families(session: Session, now: datetime) -> list[Family]:
    """Seconds from send time (after any deferral) to hand-over, last 24 h."""
    quantiles = Family("rinnalla_reminder_lateness_seconds", "gauge",
                       "Seconds from send time (after any deferral) to hand-over to the "
                       "gateway, for reminders sent in the last 24 h.")
    sample = Family("rinnalla_reminder_lateness_sample_size", "gauge",
                    "How many reminders the lateness quantiles are computed from.")
    mean = Family("rinnalla_reminder_lateness_mean_seconds", "gauge",
                  "Mean lateness over the same window.")
    pairs = session.execute(select(Reminder.send_at, Reminder.sent_at).where(
        Reminder.sent_at >= now - LATENESS_WINDOW, Reminder.channel != "task")).all()
    values = sorted(max(0.0, (sent_at - send_at).total_seconds()) for send_at, sent_at in pairs)
    for q in QUANTILES:
        quantiles.add(_quantile(values, q) if values else 0, quantile=q, window="24h")
    sample.add(len(values), window="24h")
    mean.add(statistics.fmean(values) if values else 0, window="24h")
    return [quantiles, sample, mean]


def message_families(session: Session) -> list[Family]:
    messages = Family("rinnalla_messages", "gauge", "Messages and calls by direction, "
                      "channel and status.")
    for direction, channel, status, n in session.execute(
            select(Message.direction, Message.channel, Message.status, func.count())
            .group_by(Message.direction, Message.channel, Message.status)
            .order_by(Message.direction, Message.channel, Message.status)):
        messages.add(n, direction=direction, channel=channel, status=status)
    replies = Family("rinnalla_inbound_replies_total", "counter",
                     "Inbound replies (texts and key presses), by channel and intent.")
    for channel, intent, n in session.execute(
            select(Message.channel, Message.intent, func.count())
            .where(Message.direction == Direction.IN)
            .group_by(Message.channel, Message.intent).order_by(Message.channel, Message.intent)):
        replies.add(n, channel=channel, intent=intent or "unknown")
    errors = Family("rinnalla_gateway_errors_total", "counter",
                    "Gateway errors recorded on messages, by error code.")
    for code, n in session.execute(
            select(Message.error_code, func.count()).where(Message.error_code.is_not(None))
            .group_by(Message.error_code).order_by(Message.error_code)):
        errors.add(n, code=code)
    return [messages, replies, errors]


def other_families(session: Session, now: datetime) -> list[Family]:
    inbox = Family("rinnalla_inbox_unhandled", "gauge", "Inbox items not yet handled, by kind.")
    for kind, n in session.execute(
            select(InboxItem.kind, func.count()).where(InboxItem.state != InboxState.HANDLED)
            .group_by(InboxItem.kind).order_by(InboxItem.kind)):
        inbox.add(n, kind=kind)
    beats = Family("rinnalla_worker_heartbeat_age_seconds", "gauge",
                   "Seconds since each worker process (seen in the last day) last finished a pass.")
    for name, last_seen in session.execute(
            select(Heartbeat.name, Heartbeat.last_seen)
            .where(Heartbeat.last_seen >= now - timedelta(days=1)).order_by(Heartbeat.name)):
        beats.add(max(0.0, (now - last_seen).total_seconds()), worker=name)
    return [inbox, beats]


def render_metrics(session: Session, now: datetime) -> str:
    families = (reminder_families(session, now) + message_families(session)
                + other_families(session, now))
    return "\n".join(f.render() for f in families) + "\n"
