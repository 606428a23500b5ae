"""Operational figures for Prometheus, computed from the database at each scrape.

A custom collector (prometheus-client) reads the counts when Prometheus asks; the
library writes the exposition format. Any web process answers the same (the database is
the single source of truth), so scraping one of several is enough. Labels are states,
channels, intents, reasons and error codes only: never a name, a number or a text.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.domain.replies.received import MAX_ATTEMPTS, TEXTS
from service.domain.replies.unreadable import REASON as UNREAD_REASON
from service.store.models import Heartbeat, InboxItem, Message, Reminder
from service.store.states import Direction, InboxState, ReminderState

LATENESS_WINDOW = timedelta(hours=24)
QUANTILES = (0.5, 0.9, 0.99, 1.0)


def _gauge(name: str, doc: str, labels: Sequence[str],
           rows: Iterable[Sequence[Any]]) -> GaugeMetricFamily:
    """A gauge with one sample per row: the label values, then the number."""
    family = GaugeMetricFamily(name, doc, labels=labels)
    for *values, number in rows:
        family.add_metric([str(v) for v in values], number)
    return family


def _counter(name: str, doc: str, labels: Sequence[str],
             rows: Iterable[Sequence[Any]]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, doc, labels=labels)
    for *values, number in rows:
        family.add_metric([str(v) for v in values], number)
    return family


def _quantile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank quantile (the value a share q of samples do not exceed)."""
    index = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[index]


def reminder_families(session: Session, now: datetime) -> list[Metric]:
    states = _gauge("rinnalla_reminders", "Reminders by state.", ["state"], session.execute(
            select(Reminder.state, func.count()).group_by(Reminder.state).order_by(
                Reminder.state)))
    count, first = session.execute(select(func.count(), func.min(Reminder.send_at)).where(
        Reminder.state == ReminderState.PLANNED, Reminder.send_at <= now)).one()
    due = GaugeMetricFamily("rinnalla_reminders_due",
                            "Planned reminders whose send time has come (the backlog).",
                            value=count)
    oldest = GaugeMetricFamily(
        "rinnalla_reminders_due_oldest_seconds",
        "How long the oldest due reminder has waited past its send time.",
        value=(now - first).total_seconds() if first is not None else 0)
    sent = _gauge("rinnalla_reminders_sent",
                  "Reminders handed to the gateway (sent_at set), by channel.", ["channel"],
                  session.execute(
            select(Reminder.channel, func.count()).where(Reminder.sent_at.is_not(None))
            .group_by(Reminder.channel).order_by(Reminder.channel)))
    failed = _gauge("rinnalla_reminders_failed", "Failed reminders, by reason.", ["reason"],
                    ((reason or "unknown", n) for reason, n in session.execute(
            select(Reminder.reason, func.count()).where(Reminder.state == ReminderState.FAILED)
            .group_by(Reminder.reason).order_by(Reminder.reason))))
    return [states, due, oldest, sent, failed, *lateness_families(session, now)]


def lateness_families(session: Session, now: datetime) -> list[Metric]:
    """Seconds from send time (after any deferral) to hand-over, last 24 h."""
    pairs = session.execute(select(Reminder.send_at, Reminder.sent_at).where(
        Reminder.sent_at >= now - LATENESS_WINDOW, Reminder.channel != "task")).all()
    values = sorted(max(0.0, (sent_at - send_at).total_seconds()) for send_at, sent_at in pairs)
    quantiles = _gauge("rinnalla_reminder_lateness_seconds",
                       "Seconds from send time (after any deferral) to hand-over to the "
                       "gateway, for reminders sent in the last 24 h.", ["quantile", "window"],
                       ((q, "24h", _quantile(values, q) if values else 0) for q in QUANTILES))
    sample = _gauge("rinnalla_reminder_lateness_sample_size",
                    "How many reminders the lateness quantiles are computed from.", ["window"],
                    [("24h", len(values))])
    mean = _gauge("rinnalla_reminder_lateness_mean_seconds",
                  "Mean lateness over the same window.", ["window"],
                  [("24h", statistics.fmean(values) if values else 0)])
    return [quantiles, sample, mean]


def message_families(session: Session) -> list[Metric]:
    messages = _gauge("rinnalla_messages", "Messages and calls by direction, channel and "
                      "status.", ["direction", "channel", "status"], session.execute(
            select(Message.direction, Message.channel, Message.status, func.count())
            .group_by(Message.direction, Message.channel, Message.status)
            .order_by(Message.direction, Message.channel, Message.status)))
    replies = _counter("rinnalla_inbound_replies_total",
                       "Inbound replies (texts and key presses), by channel and intent.",
                       ["channel", "intent"],
                       ((channel, intent or "unknown", n) for channel, intent, n in session.execute(
            select(Message.channel, Message.intent, func.count())
            .where(Message.direction == Direction.IN)
            .group_by(Message.channel, Message.intent).order_by(Message.channel, Message.intent))))
    errors = _counter("rinnalla_gateway_errors_total",
                      "Gateway errors recorded on messages, by error code.", ["code"],
                      session.execute(
            select(Message.error_code, func.count()).where(Message.error_code.is_not(None))
            .group_by(Message.error_code).order_by(Message.error_code)))
    return [messages, replies, errors]


def other_families(session: Session, now: datetime) -> list[Metric]:
    inbox = _gauge("rinnalla_inbox_unhandled", "Inbox items not yet handled, by kind.",
                   ["kind"], session.execute(
            select(InboxItem.kind, func.count()).where(InboxItem.state != InboxState.HANDLED)
            .group_by(InboxItem.kind).order_by(InboxItem.kind)))
    beats = _gauge("rinnalla_worker_heartbeat_age_seconds",
                   "Seconds since each worker process (seen in the last day) last finished a "
                   "pass.", ["worker"],
                   ((name, max(0.0, (now - last_seen).total_seconds()))
                    for name, last_seen in session.execute(
            select(Heartbeat.name, Heartbeat.last_seen)
            .where(Heartbeat.last_seen >= now - timedelta(days=1)).order_by(Heartbeat.name))))
    return [inbox, beats, *text_families(session, now)]


def text_families(session: Session, now: datetime) -> list[Metric]:
    """Texts stored by the SMS webhook and not yet read by a worker (a few at most, for
    a moment; a growing number or age means no worker is reading)."""
    unread = TEXTS.c.attempts < MAX_ATTEMPTS
    count, first = session.execute(select(func.count(), func.min(TEXTS.c.received_at))
                                   .where(unread)).one()
    waiting = GaugeMetricFamily("rinnalla_inbound_texts_waiting",
                                "Texts stored and not yet read by a worker.", value=count)
    oldest = GaugeMetricFamily("rinnalla_inbound_texts_waiting_oldest_seconds",
                               "How long the oldest of them has waited.",
                               value=(now - first).total_seconds() if first is not None else 0)
    failed = GaugeMetricFamily(
        "rinnalla_inbound_texts_unreadable",
        f"Texts whose reading failed {MAX_ATTEMPTS} times: stored, waiting for a person "
        "(`rinnalla read-texts --retry` after the cause is fixed).",
        value=session.scalar(select(func.count()).where(~unread)) or 0)
    filed = GaugeMetricFamily(
        "rinnalla_inbound_texts_filed_unread",
        "Texts the service could not read, filed unread for a worker, whose items are not "
        "handled yet (each holds a client's reminders; the worker's log names the fault).",
        value=session.scalar(select(func.count()).select_from(InboxItem).join(
            Message, Message.id == InboxItem.message_id).where(
            Message.reading_reason == UNREAD_REASON,
            InboxItem.state != InboxState.HANDLED)) or 0)
    return [waiting, oldest, failed, filed]


class DatabaseCollector:
    """A prometheus-client collector whose every scrape counts the database afresh.

    Nothing is kept in the process: several web processes answer alike, and a restart
    loses nothing.
    """

    def __init__(self, sessions: Callable[[], Session],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    def collect(self) -> list[Metric]:
        now = self._clock()
        with self._sessions() as session:
            return (reminder_families(session, now) + message_families(session)
                    + other_families(session, now))


def metrics_registry(sessions: Callable[[], Session],
                     clock: Callable[[], datetime] = utcnow) -> CollectorRegistry:
    """A registry with only our collector (no process or platform metrics of the library)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(sessions, clock))
    return registry
