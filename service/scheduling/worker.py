"""The long-running worker: APScheduler is only the timer; the database holds the schedule.

One interval job runs a dispatch pass every [worker] tick_seconds (never two at once,
missed runs coalesced); a cron job runs retention daily. There is never one job per
reminder. SIGTERM (or Ctrl-C) sets a flag: the pass in hand finishes the batch it
has claimed, claims no more, and the process exits. Nothing is lost if it is killed
harder than that: its claims are taken over when their lease runs out.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from service.clock import utcnow
from service.operations.logmask import install_log_masking
from service.runtime import Runtime
from service.scheduling.daily import add_daily_jobs
from service.scheduling.dispatch import default_worker_name, tick

log = logging.getLogger(__name__)


def settle_heap() -> None:
    """Take what start-up built out of the garbage collector's rounds.

    The imports, SQLAlchemy's metadata and the Twilio SDK are a few hundred thousand
    objects that live as long as the process; without this every full collection
    walks them all again. Measured with bench/dispatch_overhead.py: about a tenth of
    a millisecond per reminder sent (docs/performance.md).
    """
    gc.collect()
    gc.freeze()


def run_worker(rt: Runtime, name: str | None = None,
               stopping: threading.Event | None = None) -> None:
    """Pass every [worker] tick_seconds until SIGTERM/SIGINT (or until `stopping` is set)."""
    name = name or default_worker_name()
    stopping = stopping or threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the batch in hand, then stopping", signum)
        stopping.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    install_log_masking()
    settle_heap()

    def one_pass() -> None:
        if stopping.is_set():
            return
        try:
            result = tick(rt, worker_name=name, stop=stopping)
            if result.claimed or result.messages_sent or result.released or result.uncertain:
                log.info("pass: %s", result.summary())
        except Exception:  # the timer must outlive a failed pass (database restart, ...)
            log.exception("dispatch pass failed; trying again at the next pass")

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(one_pass, "interval", seconds=rt.config.tick_seconds, id="dispatch",
                      max_instances=1, coalesce=True, next_run_time=utcnow(),
                      misfire_grace_time=None)
    add_daily_jobs(scheduler, rt)
    scheduler.start()
    log.info("worker %s passing every %ss", name, rt.config.tick_seconds)
    try:
        stopping.wait()
    finally:
        stopping.set()
        scheduler.shutdown(wait=True)  # waits for the pass in hand to finish its batch
    log.info("worker %s stopped", name)
