"""API fuzzing: schemathesis sends generated requests, valid and invalid by the published
/api/v1/openapi.json, to every operation of the real app on each database.

The bar: no server error, every answer of a status, content type and shape the document
declares, every request that breaks the schema refused, and no answer without a token.
The number of examples is bounded so the whole run stays within a minute or two.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from service.web.api.openapi import OPENAPI
from tests.conftest import Api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection, ignored_auth]
EXAMPLES = 10


@pytest.fixture
def api_schema(app: Flask, api: Api) -> Any:
    """The schema as the running app serves it, with some rows for ids to find."""
    client = api.post("/clients", {"name": "Matti", "phone": "0401234567"}).json
    api.post("/appointments", {"client_id": client["id"],
                               "starts_at": "2099-06-03T10:00:00+03:00", "place": "Keskus"})
    api.post("/applications", {"client_id": client["id"], "agency": "Kela",
                               "documents_due": "2099-06-01"})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_published_schema(case: schemathesis.Case, api: Api) -> None:
    case.call_and_validate(headers=api.headers, checks=CHECKS)


def test_every_api_route_is_published_under_its_endpoint(app: Flask) -> None:
    """The document and the app cannot drift apart: each /api/v1 route (but the document
    itself) is an operation of the document, whose operationId is the route's endpoint."""
    published = {op["operationId"] for methods in OPENAPI["paths"].values()
                 for op in methods.values()}
    served = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"}
    assert published == served
