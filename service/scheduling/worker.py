"""The long-running worker: APScheduler is only a timer; the database holds the schedule."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from service.runtime import Runtime
from service.scheduling.dispatch import default_worker_name, tick

log = logging.getLogger(__name__)


def run_worker(rt: Runtime, name: str | None = None) -> None:
    """Tick every [worker] tick_seconds until SIGTERM/SIGINT; a tick in hand is finished."""
    name = name or default_worker_name()
    stopping = threading.Event()
    scheduler = BlockingScheduler(timezone="UTC")

    def one_pass() -> None:
        if stopping.is_set():
            return
        try:
            result = tick(rt, worker_name=name)
            if result.claimed or result.messages_sent or result.released:
                log.info("tick: %s", result.summary())
        except Exception:  # the timer must survive a failed pass (database restart, ...)
            log.exception("dispatch pass failed; trying again at the next tick")

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the pass in hand, then stopping", signum)
        stopping.set()
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.add_job(one_pass, "interval", seconds=rt.config.tick_seconds, id="dispatch",
                      max_instances=1, coalesce=True)
    one_pass()
    log.info("worker %s ticking every %ss", name, rt.config.tick_seconds)
    scheduler.start()
