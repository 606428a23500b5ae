"""The long-running worker: the database holds the schedule; the worker sleeps until
the next thing in it is due.

A loop runs a dispatch pass, then sleeps until the next reminder or queued message
is due, at most [worker] tick_seconds (the safety tick), and is woken at once when
new work is committed (scheduling/waiting.py, store/work_signal.py: LISTEN/NOTIFY
on PostgreSQL, in-process on SQLite). APScheduler only runs the daily retention.
There is never one job per reminder. SIGTERM (or Ctrl-C) sets a flag: the pass in
hand finishes the batch it has claimed, claims no more, and the process exits.
Nothing is lost if it is killed harder than that: its claims are taken over when
their lease runs out.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
from datetime import datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from service.clock import utcnow
from service.operations.logmask import install_log_masking
from service.runtime import Runtime
from service.scheduling.daily import add_daily_jobs
from service.scheduling.dispatch import default_worker_name, tick
from service.scheduling.waiting import next_due, serve_passes
from service.store.work_signal import listen, work_signal

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
    """Pass whenever something is due or new work is written, until SIGTERM/SIGINT (or
    until `stopping` is set)."""
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
    scheduler = BackgroundScheduler(timezone="UTC")
    add_daily_jobs(scheduler, rt)
    scheduler.start()
    if rt.config.listen:
        listen(rt.engine, stopping)
    log.info("worker %s passing when work is due, at least every %ss",
             name, rt.config.tick_seconds)
    try:
        serve(rt, name, stopping)
    finally:
        stopping.set()
        scheduler.shutdown(wait=True)
    log.info("worker %s stopped", name)


def serve(rt: Runtime, name: str, stopping: threading.Event) -> None:
    """The dispatch loop (also the demo's, in a thread of the web process)."""
    bell = work_signal(rt.engine).doorbell()

    def ring_on_stop() -> None:  # `stopping` may be set from outside (tests, the demo)
        stopping.wait()
        bell.ring()

    threading.Thread(target=ring_on_stop, name="stop-bell", daemon=True).start()

    def one_pass() -> tuple[datetime | None, bool]:
        if stopping.is_set():
            return None, False
        try:
            result = tick(rt, worker_name=name, stop=stopping)
            progressed = result.summary() != "nothing due"
            if progressed:
                log.info("pass: %s", result.summary())
            if result.found_nothing:  # read in the pass's own look
                return result.next_due, False
            return next_due(rt, utcnow()), progressed
        except Exception:  # the loop must outlive a failed pass (database restart, ...)
            log.exception("dispatch pass failed; trying again at the next pass")
            return None, False

    serve_passes(one_pass, bell, stopping, utcnow, rt.config.tick_seconds)
