"""/healthz, /readyz (database, migrations, worker heartbeat) and /metrics."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, select

from service import clock
from service.app import create_app
from service.config import ConfigError, load_config
from service.domain.events.lifecycle import replan_client
from service.domain.people.clients import ClientInput, update_client
from service.gateways.base import GatewayError
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling.dispatch import beat, tick
from service.store.db import make_engine, transaction
from service.store.migrate import alembic_config
from service.store.models import Client, Heartbeat, Reminder
from tests.conftest import Api, signed_post

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_healthz_says_the_process_is_up(client) -> None:
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_needs_a_worker_heartbeat(client, rt: Runtime) -> None:
    clock.freeze(T0)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json["checks"]["database"] == "ok" and r.json["checks"]["migrations"] == "ok"
    assert "ei sykettä" in r.json["checks"]["worker"]

    beat(rt, "host:1", T0 - timedelta(seconds=10))
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json == {"status": "ok", "checks": {"database": "ok", "migrations": "ok",
                                                 "worker": "ok", "texts": "ok"}}


def test_readyz_fails_when_the_worker_has_stopped(client, rt: Runtime) -> None:
    limit = max(3 * rt.config.tick_seconds, rt.config.lease_seconds)
    beat(rt, "host:1", T0)
    clock.freeze(T0 + timedelta(seconds=limit))
    assert client.get("/readyz").status_code == 200  # exactly at the limit: still alive
    clock.freeze(T0 + timedelta(seconds=limit + 1))
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json["checks"]["worker"].startswith("worker-prosessin viimeisin syke 5 min")
    # a second, live worker is enough
    beat(rt, "host:2", T0 + timedelta(seconds=limit))
    assert client.get("/readyz").status_code == 200


def test_readyz_follows_a_real_tick(client, rt: Runtime) -> None:
    tick(rt, now=datetime.now(UTC))
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/no/such/dir/x.sqlite3",
                                 "postgresql://postgres@127.0.0.1:1/none"])
def test_readyz_fails_when_the_database_is_unreachable(rt: Runtime, tmp_path: Path,
                                                       url: str) -> None:
    dead = make_engine(url.format(tmp=tmp_path), **(
        {"connect_args": {"connect_timeout": 2}} if url.startswith("postgresql") else {}))
    app = create_app(runtime=replace(rt, engine=dead), TESTING=True)
    r = app.test_client().get("/readyz")
    assert r.status_code == 503
    assert r.json["checks"]["database"].startswith("tietokantaan ei saada yhteyttä")
    assert r.json["checks"]["worker"] == "ei tarkistettu"
    assert app.test_client().get("/healthz").status_code == 200  # the process itself is up


def test_readyz_fails_when_migrations_are_behind(rt: Runtime, engine: Engine) -> None:
    beat(rt, "host:1", datetime.now(UTC))
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    r = create_app(runtime=rt, TESTING=True).test_client().get("/readyz")
    assert r.status_code == 503
    assert "rinnalla init-db" in r.json["checks"]["migrations"]
    assert r.json["checks"]["database"] == "ok"


def metric_lines(text: str) -> dict[str, float]:
    """Every sample, read back with prometheus-client's own parser, as 'name{labels}'."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return out


def test_metrics_are_computed_from_the_database(api: Api, client, rt: Runtime,
                                                gateway: DevelopmentGateway) -> None:
    cid = api.post("/clients", {"name": "Matti Mäkinen", "phone": "040 123 4567"}).json["id"]
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=7, minute=0, second=0, microsecond=0)
    api.post("/appointments", {"client_id": cid, "starts_at": starts.isoformat(),
                               "place": "Keskuskatu 5"})
    planned = sorted(datetime.fromisoformat(r["send_at"]) for r in
                     api.get(f"/reminders?client_id={cid}").json["reminders"]
                     if r["state"] == "planned" and r["channel"] != "task")
    # the first goes 30 s late and fails for good; the next one 90 s late and goes through
    gateway.fail_next.append(GatewayError("invalid", code=21211, permanent=True))
    tick(rt, now=planned[0] + timedelta(seconds=30), limit=1)
    with transaction(rt.sessions) as session:  # the worker corrects the refused number
        row = session.get(Client, cid)
        assert row is not None and row.sms_blocked_at is not None
        update_client(session, row, ClientInput(row.name, "040 765 4321"), planned[0])
        replan_client(session, rt, row, planned[0])
    tick(rt, now=planned[1] + timedelta(seconds=90), limit=1)
    signed_post(client, "/twilio/sms", {"MessageSid": "SM" + "5" * 32,
                                        "From": "+358407654321", "To": "+358451234567",
                                        "Body": "Kyllä tulen"})
    clock.freeze(planned[1] + timedelta(seconds=120))
    body = client.get("/metrics")
    assert body.status_code == 200 and body.content_type.startswith("text/plain")
    m = metric_lines(body.get_data(as_text=True))
    assert m['rinnalla_reminders_failed{reason="invalid_number"}'] == 1
    assert m['rinnalla_gateway_errors_total{code="21211"}'] == 1
    assert m['rinnalla_reminders_sent{channel="sms"}'] == 1
    assert m['rinnalla_inbound_replies_total{channel="sms",intent="confirm"}'] == 1
    assert m['rinnalla_reminder_lateness_seconds{quantile="0.5",window="24h"}'] == 90
    assert m['rinnalla_reminder_lateness_sample_size{window="24h"}'] == 1
    assert m['rinnalla_inbox_unhandled{kind="failed"}'] == 1
    assert m['rinnalla_inbox_unhandled{kind="reply"}'] == 1
    assert 'rinnalla_messages{channel="sms",direction="in",status="received"}' in m
    text = body.get_data(as_text=True)
    for personal in ("Matti", "401234567", "407654321", "Keskuskatu", "Kyllä"):
        assert personal not in text


def test_metrics_show_the_backlog_and_its_age(api: Api, client, rt: Runtime) -> None:
    cid = api.post("/clients", {"name": "Liisa", "phone": "0501234567"}).json["id"]
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=7, minute=0, second=0, microsecond=0)
    api.post("/appointments", {"client_id": cid, "starts_at": starts.isoformat()})
    with transaction(rt.sessions) as session:
        first = session.scalar(select(func.min(Reminder.send_at)))
    clock.freeze(first + timedelta(minutes=10))
    m = metric_lines(client.get("/metrics").get_data(as_text=True))
    assert m["rinnalla_reminders_due"] >= 1
    assert m["rinnalla_reminders_due_oldest_seconds"] == 600


def test_metrics_list_live_workers(client, rt: Runtime) -> None:
    beat(rt, "host:7", T0)
    with transaction(rt.sessions) as session:
        session.add(Heartbeat(name="old:1", last_seen=T0 - timedelta(days=3)))
    clock.freeze(T0 + timedelta(seconds=42))
    m = metric_lines(client.get("/metrics").get_data(as_text=True))
    assert m['rinnalla_worker_heartbeat_age_seconds{worker="host:7"}'] == 42
    assert not any("old:1" in key for key in m)



def _app_with(rt: Runtime, **changes: object) -> Flask:
    return create_app(runtime=replace(rt, config=replace(rt.config, **changes)), TESTING=True)


def test_metrics_ask_for_the_bearer_token_when_one_is_set(rt: Runtime) -> None:
    client = _app_with(rt, metrics_token="metrics-token-0123456789").test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"},
                    {"Authorization": "metrics-token-0123456789"},
                    {"Authorization": "Basic bWV0cmljcy10b2tlbi0wMTIzNDU2Nzg5"}):
        r = client.get("/metrics", headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert "rinnalla_" not in r.get_data(as_text=True)
    r = client.get("/metrics", headers={"Authorization": "Bearer metrics-token-0123456789"})
    assert r.status_code == 200
    assert "rinnalla_reminders_due" in metric_lines(r.get_data(as_text=True))
    assert client.get("/readyz").status_code in (200, 503)  # readiness asks no token


def test_the_token_comes_from_the_environment_only(tmp_path: Path) -> None:
    assert load_config(env={"RINNALLA_METRICS_TOKEN": "abc"}).metrics_token == "abc"
    assert load_config(env={}).metrics_token == ""
    assert "abc" not in repr(load_config(env={"RINNALLA_METRICS_TOKEN": "abc"}))
    path = tmp_path / "config.toml"
    path.write_text('[metrics]\ntoken = "abc"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown section"):
        load_config(path, env={})


@pytest.mark.parametrize(("gateway_kind", "token", "warned"), [
    ("twilio", "", True), ("twilio", "metrics-token", False), ("development", "", False)])
def test_a_production_start_warns_when_metrics_are_open(
        rt: Runtime, caplog: pytest.LogCaptureFixture, gateway_kind: str, token: str,
        warned: bool) -> None:
    with caplog.at_level(logging.WARNING, logger="service.web.health"):
        _app_with(rt, gateway_kind=gateway_kind, metrics_token=token)
    warnings = [r for r in caplog.records if "RINNALLA_METRICS_TOKEN" in r.getMessage()]
    assert len(warnings) == (1 if warned else 0)


def test_metrics_speak_openmetrics_to_who_asks(client) -> None:
    r = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert r.status_code == 200
    assert r.content_type.startswith("application/openmetrics-text")
    text = r.get_data(as_text=True)
    assert text.endswith("# EOF\n")
    assert "# TYPE rinnalla_inbound_replies counter" in text
    plain = client.get("/metrics")
    assert plain.content_type == "text/plain; version=0.0.4; charset=utf-8"
