"""Property: whatever text arrives in whatever field, the answer is never a 500.

Hypothesis sends random Unicode (control characters, NUL, lone surrogates, right-to-left
text, emoji, very long strings) to every text field of every form, of every JSON
endpoint, and of the inbound-SMS webhook, on each database. The app runs with TESTING,
so an unhandled exception fails the example instead of hiding in a 500 page.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from service.runtime import Runtime
from service.scheduling.text_reading import read_waiting
from service.store.db import transaction
from service.store.models import InboxItem, Worker
from tests.conftest import Api, sign, signed_post
from tests.web.conftest import Browser, make_appointment, make_client

SPECIAL = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\ufeff", "\uffff",
           "\u202e", "\u2028", "\n", "\r\n", "\t", "مرحبا", "שלום", "😊", "👩‍👩‍👧", "Ä", "\\",
           "'", '"', "<b>", "%00", "kela.fi", "9999-12-31", "0001-01-01", "²", "١"]
TEXT = st.one_of(
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
            max_size=40),
    st.lists(st.sampled_from(SPECIAL), max_size=8).map("".join),
    st.builds(lambda piece, n: piece * n, st.sampled_from(["a", "ä", "😊", "\x00", " "]),
              st.integers(min_value=150, max_value=6000)),
)
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
FORM_SETTINGS = settings(SETTINGS, max_examples=5)  # each text goes to all ~70 fields


def EXAMPLES(test: Any) -> Any:
    """The texts every field must take whatever hypothesis draws besides."""
    for text in ("nimi\x00", "a\ud800b", "\x1b[31m\x0b\x85\uffff", "مرحبا بك 😊 \u202eevil",
                 "ä" * 5000, "9999-12-31", "²"):
        test = example(text=text)(test)
    return test


def _form_body(fields: dict[str, str]) -> bytes:
    """A urlencoded form that may carry what a browser cannot (a lone surrogate's bytes)."""
    return "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}"
                    for k, v in fields.items()).encode("ascii")


def _post_form(browser: Browser, url: str, fields: dict[str, str]) -> int:
    fields = {**fields, "csrf_token": browser.token or ""}
    response = browser.client.post(url, data=_form_body(fields),
                                   content_type="application/x-www-form-urlencoded")
    return int(response.status_code)


def _get(browser: Browser, url: str, params: dict[str, str]) -> int:
    query = _form_body(params).decode("ascii")
    return int(browser.client.get(f"{url}?{query}").status_code)


@pytest.fixture
def scene(app: Flask, signed_in: Browser, admin: Worker, rt: Runtime, worker: Worker,
          client: FlaskClient) -> dict[str, Any]:
    """A client, an appointment and an inbox item for the forms to act on."""
    person = make_client(rt, worker.id)
    event = make_appointment(rt, person.id, worker_id=worker.id)
    params = {"MessageSid": "SM" + "e" * 32, "From": person.phone, "To": "+358451234567",
              "Body": "soita"}
    signed_post(client, "/twilio/sms", params)  # stored, then read as the worker reads it
    with transaction(rt.sessions) as session:
        item_id = session.scalars(select(InboxItem.id)).one()
    boss = Browser(app.test_client())
    boss.login(admin.email)
    signed_in.get("/clients")
    return {"client": person.id, "event": event.id, "item": item_id, "boss": boss,
            "anonymous": Browser(app.test_client())}


def _forms(ids: dict[str, Any]) -> list[tuple[str, str, dict[str, str], str]]:
    """(method, url, the other fields, the field that gets the random text)."""
    c, e, i = ids["client"], ids["event"], ids["item"]
    client_form = {"name": "Matti", "phone": "0401234567", "language": "fi",
                   "channel": "auto", "window": ""}
    appointment = {"date": "15.6.2030", "time": "10.00", "place": "", "bring": "",
                   "appointment_type": "worker", "action": "preview"}
    application = {"agency": "Kela", "submitted_on": "", "documents_due": "1.7.2030",
                   "decision_expected": "", "action": "preview"}
    forms: list[tuple[str, str, dict[str, str], str]] = []
    for field in client_form:
        forms += [("POST", "/clients/new", client_form, field),
                  ("POST", f"/clients/{c}/edit", client_form, field)]
    for field in ("date", "time", "place", "bring"):
        forms += [("POST", f"/events/new/appointment?client_id={c}",
                   {**appointment, "action": action}, field) for action in ("preview", "save")]
        forms.append(("POST", f"/events/{e}/change", {**appointment, "action": "save"}, field))
    for field in ("agency", "submitted_on", "documents_due", "decision_expected"):
        for action in ("preview", "save"):
            forms.append(("POST", f"/events/new/application?client_id={c}",
                          {**application, "action": action}, field))
    forms += [
        ("GET", "/clients", {"scope": "all"}, "q"),
        ("POST", "/clients/phone-check", {}, "phone"),
        ("POST", f"/inbox/{i}/reply", {}, "body"),
        ("POST", f"/inbox/{i}/reassign", {}, "worker_id"),
        ("POST", f"/events/{e}/cancel", {"notify": "1"}, "notice_text"),
        ("POST", "/account/password", {"new_password": "x", "new_password_again": "x"},
         "current_password"),
        ("POST", "/account/password", {"current_password": "x"}, "new_password"),
        ("POST", "/language", {"lang": "sv"}, "next"),
        ("POST", "/language", {}, "lang"),
        ("GET", "/service-path", {}, "from"),
        ("GET", "/service-path/export.csv", {}, "to"),
        ("GET", "/events/new/appointment", {}, "client_id"),
        ("POST", f"/simulator/{c}/sms", {}, "body"),
        ("POST", "/import/run", {"encoding": "UTF-8"}, "csv_text"),
        ("POST", "/import/run", {"csv_text": "nimi;puhelin\nA;0401234567"}, "encoding"),
    ]
    return forms


ADMIN_FORMS = [("POST", "/admin/workers/new", {"name": "Uusi", "email": "u@example.fi",
                                               "role": "worker", "ui_language": "fi"}, f)
               for f in ("name", "email", "role")] + [
    ("GET", "/admin/audit", {}, f) for f in ("object_type", "worker_id", "from", "to", "page")]
ANONYMOUS_FORMS = [("POST", "/login", {"email": "sanna@example.fi", "password": "x"}, f)
                   for f in ("email", "password")]


def _send(browser: Browser, method: str, url: str, fields: dict[str, str], field: str,
          text: str) -> int:
    values = {**fields, field: text}
    return _get(browser, url, values) if method == "GET" else _post_form(browser, url, values)


def test_random_text_in_every_form_field_is_never_a_server_error(
        scene: dict[str, Any], signed_in: Browser) -> None:
    forms = [(signed_in, *form) for form in _forms(scene)]
    forms += [(scene["boss"], *form) for form in ADMIN_FORMS]
    forms += [(scene["anonymous"], *form) for form in ANONYMOUS_FORMS]
    scene["anonymous"].get("/login")

    statuses: set[int] = set()

    @FORM_SETTINGS
    @given(text=TEXT)
    @EXAMPLES
    def check(text: str) -> None:
        for browser, method, url, fields, field in forms:  # every field gets every text
            status = _send(browser, method, url, fields, field, text)
            assert status < 500, (method, url, field, text[:80])
            statuses.add(status)

    check()
    assert 400 not in statuses and {200, 302, 422} <= statuses, statuses


API_FIELDS = [
    ("/clients", {"name": "Matti", "phone": "0401234567"}, f)
    for f in ("name", "phone", "window")] + [
    ("/appointments", {"client_id": 0, "starts_at": "2030-06-03T10:00:00+03:00"}, f)
    for f in ("place", "bring", "starts_at")] + [
    ("/applications", {"client_id": 0, "agency": "Kela", "documents_due": "2030-07-01"}, f)
    for f in ("agency", "submitted_on", "documents_due", "decision_expected")] + [
    ("/clients/{c}/trusted-persons", {"name": "Liisa", "phone": "0501234567",
                                      "consent_method": "phone"}, f)
    for f in ("name", "phone", "consent_at", "relation", "language")]


def test_random_text_in_every_api_field_is_never_a_server_error(api: Api,
                                                                 rt: Runtime) -> None:
    cid = api.post("/clients", {"name": "Matti", "phone": "0401234567"}).json["id"]
    headers = {**api.headers, "Content-Type": "application/json"}

    @FORM_SETTINGS
    @given(text=TEXT)
    @EXAMPLES
    def check(text: str) -> None:
        for path, fields, field in API_FIELDS:
            body = {**fields, field: text}
            if "client_id" in body:
                body["client_id"] = cid
            # json.dumps writes a lone surrogate as \\ud800, which is how JSON carries one
            response = api.client.post("/api/v1" + path.replace("{c}", str(cid)),
                                       data=json.dumps(body), headers=headers)
            assert response.status_code < 500, (path, field, text[:80])
        for query in ("/reminders?client_id=", "/messages?client_id=", "/inbox?state=",
                      "/inbox?team="):
            listed = api.client.get("/api/v1" + query + quote(
                text.encode("utf-8", "surrogatepass")), headers=api.headers)
            assert listed.status_code < 500, (query, text[:80])

    check()


def test_random_text_in_an_inbound_sms_is_never_a_server_error(client: FlaskClient,
                                                                rt: Runtime,
                                                                worker: Worker) -> None:
    make_client(rt, worker.id)
    counter = iter(range(10**6))

    @SETTINGS
    @given(text=TEXT)
    @EXAMPLES
    def check(text: str) -> None:
        for field in ("Body", "From", "To"):
            params = {"MessageSid": f"SM{next(counter):032x}", "From": "+358401234567",
                      "To": "+358451234567", "Body": "ok", field: text}
            clean = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                     for k, v in params.items()}  # what Twilio would sign: valid UTF-8
            response = client.post("/twilio/sms", data=_form_body(clean),
                                   content_type="application/x-www-form-urlencoded",
                                   headers={"X-Twilio-Signature": sign("/twilio/sms", clean)})
            assert response.status_code in (200, 413), (field, text[:80])
            assert read_waiting(rt).failed == 0, (field, text[:80])  # the worker reads it

    check()
