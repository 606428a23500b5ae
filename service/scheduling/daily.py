"""Daily jobs of the worker process: the recurring events' horizon at 02:30 and
retention at 03:00 local time.

APScheduler is only a timer here, on the worker's scheduler beside the dispatch pass.
Every worker process has one; retention is idempotent and claims each client with a
check-and-set, so several processes running it at once do no harm. A worker that
was down at 03:00 catches up shortly after it starts, judged by the audit log. The
horizon is extended shortly after every start too: extending is claimed per series
(domain/events/series.py), so a second run, or a second worker, changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from service.clock import utcnow
from service.domain.events import series
from service.domain.privacy.retention import RetentionResult, run_retention
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry

log = logging.getLogger(__name__)

RETENTION_HOUR = 3
HORIZON_HOUR, HORIZON_MINUTE = 2, 30
HORIZON_BATCH = 200
CATCH_UP_DELAY = timedelta(minutes=1)


def retention_now(rt: Runtime, now: datetime | None = None) -> RetentionResult:
    """One retention run with the configured times (also `rinnalla retention`)."""
    return run_retention(rt.sessions, now or utcnow(), rt.config.retention_message_days,
                         rt.config.retention_inactive_days)


def last_retention_run(rt: Runtime) -> datetime | None:
    with transaction(rt.sessions) as session:
        return session.scalar(select(func.max(AuditEntry.at)).where(
            AuditEntry.action == "erase", AuditEntry.object_type == "retention"))


def extend_horizon_now(rt: Runtime, now: datetime | None = None) -> int:
    """Make every series' occurrences up to today + horizon_days; how many were made.
    A batch of series a transaction; a series that fails is logged and left for tomorrow."""
    moment, after, made = now or utcnow(), 0, 0
    while True:
        with transaction(rt.sessions) as session:
            batch = series.due_series(session, rt, moment, rt.config.horizon_days, after,
                                      HORIZON_BATCH)
            for row in batch:
                made += series.extend(session, rt, row, moment, rt.config.horizon_days)
        if not batch:
            return made
        after = batch[-1].id


def _horizon_job(rt: Runtime) -> None:
    try:
        made = extend_horizon_now(rt)
        log.info("recurring events: %d occurrences made", made)
    except Exception:  # the worker must outlive a failed run; the next run tries again
        log.exception("extending the recurring events' horizon failed")


def _retention_job(rt: Runtime) -> None:
    try:
        retention_now(rt)
    except Exception:  # the worker must outlive a failed run; tomorrow tries again
        log.exception("retention run failed")


def add_daily_jobs(scheduler: BaseScheduler, rt: Runtime) -> None:
    """Add the horizon at 02:30 and retention at 03:00 local (and a catch-up run of
    each: the horizon always, retention if the last one was missed)."""
    scheduler.add_job(_horizon_job, CronTrigger(hour=HORIZON_HOUR, minute=HORIZON_MINUTE,
                                                timezone=rt.config.tz),
                      args=[rt], id="horizon", max_instances=1, coalesce=True,
                      misfire_grace_time=3600)
    scheduler.add_job(_horizon_job, "date", args=[rt], id="horizon_catch_up",
                      run_date=utcnow() + CATCH_UP_DELAY)
    scheduler.add_job(_retention_job, CronTrigger(hour=RETENTION_HOUR, minute=0,
                                                  timezone=rt.config.tz),
                      args=[rt], id="retention", max_instances=1, coalesce=True,
                      misfire_grace_time=3600)
    now = utcnow()
    try:
        last = last_retention_run(rt)
    except Exception:  # database down at start: the 03:00 run will do
        log.exception("could not read when retention last ran")
        last = now
    if last is None or now - last > timedelta(hours=25):
        scheduler.add_job(_retention_job, "date", args=[rt], id="retention_catch_up",
                          run_date=now + CATCH_UP_DELAY)
    log.info("retention runs daily at %02d:00 %s", RETENTION_HOUR, rt.config.time_zone)
