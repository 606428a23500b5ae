"""The gateway's rate limit is one for all worker processes, kept in the database."""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from service.config import Config
from service.gateways.development import DevelopmentGateway
from service.gateways.rate_limit import PacedGateway
from service.gateways.shared_pace import SharedPace, SharedRateLimiter, share_rate_limits
from service.runtime import build_runtime
from service.store.db import make_session_factory


def _spacing_ok(slots: list[datetime], interval: timedelta) -> None:
    ordered = sorted(slots)
    assert len(set(ordered)) == len(ordered), "a slot was handed out twice"
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    assert min(gaps) >= interval - timedelta(microseconds=1)


def test_two_processes_share_one_rate(engine: Engine) -> None:
    # Two limiters on one database stand for two worker processes.
    first = SharedPace(make_session_factory(engine), "sms", 50.0)
    second = SharedPace(make_session_factory(engine), "sms", 50.0)
    slots = []
    for i in range(120):
        slots.append((first if i % 3 else second).next_slot())
    _spacing_ok(slots, timedelta(seconds=1 / 50))
    # Reserved in chunks, so both really took part.
    assert first.chunk == 25


def test_threads_in_several_processes_never_share_a_slot(engine: Engine) -> None:
    paces = [SharedPace(make_session_factory(engine), "voice", 100.0) for _ in range(3)]
    slots: list[datetime] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def sender(pace: SharedPace) -> None:
        start.wait()
        mine = [pace.next_slot() for _ in range(40)]
        with lock:
            slots.extend(mine)

    threads = [threading.Thread(target=sender, args=(paces[i % 3],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(slots) == 240
    _spacing_ok(slots, timedelta(seconds=1 / 100))


def test_kinds_are_paced_apart(engine: Engine) -> None:
    limiter = SharedRateLimiter(make_session_factory(engine), {"sms": 10.0, "voice": 1.0})
    sms = limiter._paces["sms"]
    voice = limiter._paces["voice"]
    assert voice.chunk == 1 and sms.chunk == 5
    first_call, second_call = voice.next_slot(), voice.next_slot()
    assert second_call - first_call >= timedelta(seconds=1)
    assert abs(sms.next_slot() - first_call) < timedelta(seconds=1)  # not behind the calls
    with pytest.raises(ValueError, match="fax"):
        limiter.acquire("fax")


def test_a_rate_must_be_positive(engine: Engine) -> None:
    with pytest.raises(ValueError, match="above zero"):
        SharedPace(make_session_factory(engine), "sms", 0.0)


def test_the_twilio_gateway_gets_the_shared_limiter(config: Config, engine: Engine) -> None:
    twilio = replace(config.twilio, account_sid="AC" + "1" * 32,
                     api_base_url="http://127.0.0.1:9")
    rt = build_runtime(replace(config, gateway_kind="twilio", twilio=twilio), engine=engine)
    assert rt.gateway.name == "twilio"
    assert isinstance(rt.gateway, PacedGateway)
    assert isinstance(rt.gateway.limiter, SharedRateLimiter)
    twilio_rates = {kind: pace.interval for kind, pace in rt.gateway.limiter._paces.items()}
    assert twilio_rates == {"sms": timedelta(seconds=1 / twilio.messages_per_second),
                            "voice": timedelta(seconds=1 / twilio.calls_per_second)}


def test_a_gateway_without_its_own_pacing_is_left_alone(engine: Engine) -> None:
    gateway = DevelopmentGateway()
    share_rate_limits(gateway, make_session_factory(engine), {"sms": 10.0, "voice": 1.0})
    assert not hasattr(gateway, "limiter")
