"""Sends per second: requests of one kind are spaced 1/rate apart, kinds independently."""

from __future__ import annotations

import threading

import pytest

from service.gateways.rate_limit import RateLimiter


class Time:
    """A clock the test moves; sleeping moves nothing, it is only recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(round(seconds, 6))


def test_calls_are_spaced_one_second_apart() -> None:
    t = Time()
    limiter = RateLimiter({"voice": 1.0, "sms": 10.0}, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        limiter.acquire("voice")
    assert t.slept == [1.0, 2.0]


def test_kinds_do_not_wait_for_each_other() -> None:
    t = Time()
    limiter = RateLimiter({"voice": 1.0, "sms": 10.0}, clock=t.clock, sleep=t.sleep)
    limiter.acquire("voice")
    limiter.acquire("sms")
    limiter.acquire("sms")
    assert t.slept == [0.1]


def test_no_wait_once_the_interval_has_passed() -> None:
    t = Time()
    limiter = RateLimiter({"sms": 10.0}, clock=t.clock, sleep=t.sleep)
    limiter.acquire("sms")
    t.now += 0.25
    limiter.acquire("sms")
    t.now += 0.05  # 0.05 s after the last one: waits the remaining 0.05 s
    limiter.acquire("sms")
    assert t.slept == [0.05]


def test_no_burst_after_a_quiet_spell() -> None:
    t = Time()
    limiter = RateLimiter({"voice": 1.0}, clock=t.clock, sleep=t.sleep)
    limiter.acquire("voice")
    t.now += 3600
    limiter.acquire("voice")
    limiter.acquire("voice")
    assert t.slept == [1.0]


def test_threads_get_distinct_slots() -> None:
    t = Time()
    limiter = RateLimiter({"sms": 10.0}, clock=t.clock, sleep=t.sleep)
    threads = [threading.Thread(target=limiter.acquire, args=("sms",)) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(t.slept) == [round(0.1 * i, 6) for i in range(1, 20)]


def test_unknown_kind_and_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter({"voice": 0.0})
    with pytest.raises(ValueError):
        RateLimiter({"voice": -1.0})
    with pytest.raises(ValueError):
        RateLimiter({"voice": 1.0}).acquire("fax")
