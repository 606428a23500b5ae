"""Who may reach what: every route but the public ones needs a signed-in worker, every
browser form needs its CSRF token, and responses carry protective headers."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, Rule

from service.store.models import Worker
from service.web.converters import IdConverter
from tests.web.conftest import Browser

PUBLIC_PREFIXES = ("/twilio/", "/api/v1/", "/static/")
PUBLIC_PATHS = {"/healthz", "/readyz", "/metrics", "/login", "/language", "/favicon.ico"}
CSRF_EXEMPT = ("/twilio/", "/api/v1/")


def _url(rule: Rule) -> str:
    """The rule's URL with a plausible value for each variable part."""
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, (IdConverter, IntegerConverter, FloatConverter)):
            values[name] = 1
        else:
            values[name] = "x"
    built = rule.build(values)
    assert built is not None
    return built[1]


def _is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES) or path in PUBLIC_PATHS


def _private_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if not _is_public(rule.rule)]


def test_every_private_route_refuses_an_anonymous_request(app: Flask,
                                                           client: FlaskClient) -> None:
    checked = 0
    for rule in _private_rules(app):
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (302, 401, 403), (method, url, response.status_code)
            if response.status_code == 302:
                assert response.location.startswith("/login"), (method, url, response.location)
            body = response.get_data(as_text=True)
            assert "Matti" not in body and "csrf_token" not in body
            checked += 1
    assert checked >= 40  # the UI's own routes alone are more than that


def test_the_public_routes_are_exactly_these(app: Flask) -> None:
    """A new public route must be a decision: add it here and to security.PUBLIC_*."""
    public = {rule.rule for rule in app.url_map.iter_rules() if _is_public(rule.rule)}
    outside_prefixes = {path for path in public if not path.startswith(PUBLIC_PREFIXES)}
    assert outside_prefixes == {"/healthz", "/readyz", "/metrics", "/login", "/language",
                                "/favicon.ico"}


def test_anonymous_request_goes_to_sign_in_and_back(client: FlaskClient, worker: Worker) -> None:
    response = client.get("/clients?scope=all")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fclients%3Fscope%3Dall"
    browser = Browser(client)
    browser.get(response.location)
    signed = browser.post(response.location, {"email": worker.email, "password": "salasana-123"})
    assert signed.status_code == 302 and signed.location == "/clients?scope=all"


def test_every_browser_form_refuses_a_post_without_csrf_token(app: Flask, signed_in: Browser
                                                              ) -> None:
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith(CSRF_EXEMPT):
            continue
        response = signed_in.post(_url(rule), {"body": "x", "phone": "0401234567"}, csrf=False)
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "Lomake vanheni" in response.get_data(as_text=True)
        checked += 1
    assert checked >= 15


def test_a_token_from_another_session_is_refused(client: FlaskClient, app: Flask,
                                                 worker: Worker) -> None:
    other = Browser(app.test_client())
    other.get("/login")
    browser = Browser(client)
    browser.login(worker.email)
    response = browser.post("/clients/new", {"csrf_token": other.token, "name": "X",
                                             "phone": "0401234567"})
    assert response.status_code == 400


def test_webhooks_and_api_do_not_need_a_csrf_token(client: FlaskClient) -> None:
    # refused for their own reasons (signature, token), never for a missing CSRF token
    assert client.post("/twilio/sms", data={"From": "+358401234567"}).status_code == 403
    assert client.post("/api/v1/clients", json={}).status_code == 401


def test_session_cookie_and_headers(browser: Browser, worker: Worker) -> None:
    response = browser.login(worker.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the test app's public URL is https
    page = browser.get("/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src" not in page.headers["Content-Security-Policy"]  # 'self' from default
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"


def test_insecure_cookie_only_on_plain_http(rt, engine) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from service.app import create_app
    from service.runtime import Runtime

    plain: Runtime = replace(rt, config=replace(rt.config,
                                                public_base_url="http://127.0.0.1:5000"))
    app = create_app(runtime=plain, TESTING=True)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
