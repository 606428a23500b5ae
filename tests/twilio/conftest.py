"""A runtime on the Twilio gateway: the real SDK, talking to the Prism peer through a
scripted HTTP boundary, on the same database as the shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from service.app import create_app
from service.config import Config
from service.gateways.twilio import TwilioGateway
from service.runtime import Runtime, build_runtime
from tests.conftest import Api
from tests.twilio.helpers import ScriptedHttpClient, twilio_config


@pytest.fixture
def peer_http(twilio_peer: str) -> Iterator[ScriptedHttpClient]:
    """The HTTP boundary pointed at Prism; a request Prism refused (422) fails the test."""
    http = ScriptedHttpClient(twilio_peer)
    yield http
    refused = http.peer_refusals()
    assert not refused, f"the Twilio peer refused requests as not valid for Twilio: {refused}"


def runtime_on(config: Config, engine: Engine, http: ScriptedHttpClient) -> Runtime:
    cfg = replace(config, database_url=str(engine.url))
    return build_runtime(cfg, engine=engine, gateway=TwilioGateway(cfg.twilio, http_client=http))


@pytest.fixture
def twilio_rt(config: Config, engine: Engine, peer_http: ScriptedHttpClient) -> Runtime:
    return runtime_on(twilio_config(config, peer_http.peer or ""), engine, peer_http)


@pytest.fixture
def twilio_app(twilio_rt: Runtime) -> Flask:
    return create_app(runtime=twilio_rt, TESTING=True, SECRET_KEY="test-secret")


@pytest.fixture
def twilio_client(twilio_app: Flask) -> FlaskClient:
    return twilio_app.test_client()


@pytest.fixture
def twilio_api(twilio_client: FlaskClient, api_token: str) -> Api:
    return Api(twilio_client, api_token)
