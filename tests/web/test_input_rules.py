"""Every bad input gets a clear answer, the same on SQLite and PostgreSQL, never a 500:
ids out of range, dates at the ends of the calendar, text over its limit or holding
NUL, control characters, lone surrogates or links, and JSON of the wrong type."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service import clock
from service.domain.fields import MAX_ID, TEXT_FIELDS
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Event, InboxItem, Message, Worker
from service.web.converters import up_to
from tests.conftest import Api, signed_post
from tests.web.conftest import Browser, make_appointment, make_client

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
TOO_BIG = (str(2**31), str(2**63), str(2**64), "99999999999")
NOT_ASCII = ("\u00b2", "\u0661", "\uff11")  # superscript two, Arabic-Indic one, fullwidth one


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(NOW)


def _count(rt: Runtime, model: type[Any]) -> int:
    with transaction(rt.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _future() -> str:
    return (NOW + timedelta(days=14)).isoformat()


# ---- ids -------------------------------------------------------------------------------

def test_the_id_pattern_is_exactly_one_to_the_limit() -> None:
    for limit in (1, 9, 10, 57, 100, 2000, MAX_ID):
        pattern = re.compile(up_to(limit))
        for number in (*range(0, 2100), limit - 1, limit, limit + 1, 2**31, 2**63):
            assert bool(pattern.fullmatch(str(number))) == (1 <= number <= limit), number
        assert not pattern.fullmatch("01") and not pattern.fullmatch("\u0661")


def test_ids_out_of_range_or_not_ascii_are_404_in_paths(api: Api, signed_in: Browser) -> None:
    for raw in (*TOO_BIG, *NOT_ASCII, "0", "-1", "1.0"):
        for path in (f"/clients/{raw}", f"/events/{raw}", f"/clients/{raw}/trusted-persons"):
            assert api.get(path).status_code == 404, (path, raw)
        for path in (f"/events/{raw}/cancel", f"/inbox/{raw}/handle"):
            assert api.post(path).status_code == 404, (path, raw)
        for path in (f"/clients/{raw}", f"/events/{raw}", f"/inbox/{raw}",
                     f"/admin/workers/{raw}", f"/simulator/{raw}"):
            assert signed_in.get(path).status_code in (403, 404), (path, raw)
    assert api.get(f"/clients/{MAX_ID}").status_code == 404  # in range: simply not there


def test_ids_in_queries_and_bodies_get_a_422_naming_the_field(
        api: Api, signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    for raw in (*TOO_BIG, *NOT_ASCII, "abc", "-1"):
        for path in ("/reminders", "/messages"):
            response = api.get(f"{path}?client_id={raw}")
            assert response.status_code == 422, (path, raw)
            assert "client_id" in response.json["errors"]
        page = signed_in.get(f"/events/new/appointment?client_id={raw}")
        assert page.status_code == 422 and "client_id" in page.get_data(as_text=True)
    for value in (2**31, 2**63, -5, 0, "1", 1.5, True, None, [1]):
        for path in ("/appointments", "/applications"):
            response = api.post(path, {"client_id": value, "starts_at": _future(),
                                       "agency": "Kela", "documents_due": "2026-07-01"})
            assert response.status_code == 422, (path, value)
            assert "client_id" in response.json["errors"], (path, value, response.json)
        response = api.post("/clients", {"name": "Matti", "phone": "0401234567",
                                         "worker_id": value if value is not None else "x"})
        assert response.status_code == 422 and "worker_id" in response.json["errors"]
    assert _count(rt, Event) == 0 and _count(rt, Client) == 0


def test_ui_ids_in_forms_and_filters(signed_in: Browser, admin: Worker, rt: Runtime,
                                     worker: Worker, client: FlaskClient, app: Any) -> None:
    person = make_client(rt, worker.id)
    signed_post(client, "/twilio/sms", {"MessageSid": "SM" + "a" * 32,
                                        "From": "+358401234567", "To": "+358451234567",
                                        "Body": "soita"})
    with transaction(rt.sessions) as session:
        item_id = session.scalars(select(InboxItem.id)).one()
    signed_in.get(f"/inbox/{item_id}")
    for raw in ("\u00b2", str(2**31)):
        moved = signed_in.post(f"/inbox/{item_id}/reassign", {"worker_id": raw})
        assert moved.status_code == 422, raw
        edited = signed_in.post(f"/clients/{person.id}/edit", {
            "name": "Matti", "phone": "0401234567", "language": "fi", "channel": "auto",
            "worker_id": raw})
        assert edited.status_code == 422 and "worker_id" in edited.get_data(as_text=True)
    boss = Browser(app.test_client())
    boss.login(admin.email)
    for name in ("worker_id", "object_id", "page"):
        listing = boss.get(f"/admin/audit?{name}={2**63}")
        assert listing.status_code == 422, name
    assert boss.get("/admin/audit?object_type=%00x").status_code == 422


# ---- dates -----------------------------------------------------------------------------

def test_dates_at_the_ends_of_the_calendar_are_refused_in_the_api(api: Api, rt: Runtime,
                                                                  worker: Worker) -> None:
    cid = api.post("/clients", {"name": "Matti", "phone": "0401234567"}).json["id"]
    for moment in ("9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-12:00",
                   "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+00:00"):
        response = api.post("/appointments", {"client_id": cid, "starts_at": moment})
        assert response.status_code == 422, moment
        assert "starts_at" in response.json["errors"]
    for day in ("9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"):
        for field in ("documents_due", "decision_expected", "submitted_on"):
            body = {"client_id": cid, "agency": "Kela", "documents_due": "2026-07-01", field: day}
            response = api.post("/applications", body)
            assert response.status_code == 422, (field, day)
            assert field in response.json["errors"]
    response = api.post(f"/clients/{cid}/trusted-persons", {
        "name": "Liisa", "phone": "0501234567", "consent_method": "phone",
        "consent_at": "0001-01-01T00:00:00+14:00"})
    assert response.status_code == 422 and "consent_at" in response.json["errors"]
    assert _count(rt, Event) == 0


def test_dates_at_the_ends_of_the_calendar_in_forms_and_the_service_path(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    person = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={person.id}"
    signed_in.get(url)
    for day in ("31.12.9999", "1.1.0001", "1.1.1999", "0001-01-01"):
        for action in ("preview", "save"):
            response = signed_in.post(url, {"client_id": str(person.id), "date": day,
                                            "time": "23.30", "appointment_type": "worker",
                                            "action": action})
            assert response.status_code == 422, (day, action)
            assert 'id="date-error"' in response.get_data(as_text=True)
    url = f"/events/new/application?client_id={person.id}"
    for day in ("31.12.9999", "1.1.0001"):
        for field in ("documents_due", "decision_expected", "submitted_on"):
            for action in ("preview", "save"):
                form = {"client_id": str(person.id), "agency": "Kela",
                        "documents_due": "1.7.2026", field: day, "action": action}
                response = signed_in.post(url, form)
                assert response.status_code == 422, (field, day, action)
                assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(rt, Event) == 0
    for query in ("from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31",
                  "from=9999-12-31"):
        assert signed_in.get(f"/service-path?{query}").status_code == 422, query
        assert signed_in.get(f"/service-path/export.csv?{query}").status_code == 422, query


# ---- text ------------------------------------------------------------------------------

BAD_TEXT = {
    "nul": "Keskus\x00katu 5",
    "control": "Keskuskatu\x0b5",
    "escape": "Keskuskatu \x1b[31m5",
    "c1": "Keskuskatu\x855",
    "surrogate": "Keskuskatu \ud800 5",
    "noncharacter": "Keskuskatu \uffff",
}
LINKS = ("Katso kela.fi/asiointi", "https://evil.example/x", "www.example.com")


def test_api_text_fields_have_one_limit_and_rule_on_both_databases(api: Api,
                                                                    rt: Runtime) -> None:
    cid = api.post("/clients", {"name": "Matti", "phone": "0401234567"}).json["id"]
    over = "K" * (TEXT_FIELDS["agency"].max_length + 1)
    response = api.post("/applications", {"client_id": cid, "agency": over,
                                           "documents_due": "2026-07-01"})
    assert response.status_code == 422 and "agency" in response.json["errors"]
    for field in ("place", "bring"):
        for name, bad in BAD_TEXT.items():
            response = api.post("/appointments", {"client_id": cid, "starts_at": _future(),
                                                  field: bad})
            assert response.status_code == 422, (field, name)
            assert field in response.json["errors"]
        for link in LINKS:
            response = api.post("/appointments", {"client_id": cid, "starts_at": _future(),
                                                  field: link})
            assert response.status_code == 422 and "verkko-osoite" in response.json[
                "errors"][field]
    for name, bad in BAD_TEXT.items():
        response = api.post("/clients", {"name": bad, "phone": "0501234567"})
        assert response.status_code == 422 and "name" in response.json["errors"], name
        response = api.post("/clients", {"name": "Liisa", "phone": "0501234567", "window": bad})
        assert response.status_code == 422 and "window" in response.json["errors"], name
    exact = "K" * TEXT_FIELDS["agency"].max_length
    ok = api.post("/applications", {"client_id": cid, "agency": exact,
                                    "documents_due": "2026-07-01"})
    assert ok.status_code == 201 and ok.json["agency"] == exact
    assert _count(rt, Event) == 1 and _count(rt, Client) == 1


def test_json_types_are_the_published_ones(api: Api, rt: Runtime) -> None:
    wrong: list[tuple[str, dict[str, Any], str]] = [
        ("/clients", {"name": None, "phone": "0401234567"}, "name"),
        ("/clients", {"name": ["a", "b"], "phone": "0401234567"}, "name"),
        ("/clients", {"name": "Matti", "phone": 401234567}, "phone"),
        ("/clients", {"name": "Matti", "phone": "0401234567", "window": 123}, "window"),
        ("/clients", {"name": "Matti", "phone": "0401234567", "language": ["fi"]}, "language"),
        ("/clients", {"phone": "0401234567"}, "name"),
        ("/appointments", {"client_id": 1, "starts_at": 20260603}, "starts_at"),
        ("/appointments", {"client_id": 1, "starts_at": _future(), "needs_transport": "false"},
         "needs_transport"),
        ("/appointments", {"client_id": 1, "starts_at": _future(), "needs_transport": 0},
         "needs_transport"),
        ("/appointments", {"client_id": 1, "starts_at": _future(), "place": None}, "place"),
        ("/appointments", {"client_id": 1, "starts_at": _future(), "place": {"a": 1}}, "place"),
        ("/applications", {"client_id": 1, "agency": "Kela", "documents_due": 20260603},
         "documents_due"),
        ("/applications", {"client_id": 1, "agency": None}, "agency"),
    ]
    for path, body, field in wrong:
        response = api.post(path, body)
        assert response.status_code == 422, (path, body)
        assert field in response.json["errors"], (path, body, response.json)
    assert _count(rt, Client) == 0 and _count(rt, Event) == 0


def test_deeply_nested_or_non_object_json_is_a_400(api: Api) -> None:
    headers = {**api.headers, "Content-Type": "application/json"}
    for body in ("[" * 100_000 + "]" * 100_000, '{"name": ' + "[" * 50_000 + "]" * 50_000 + "}",
                 "[1, 2]", '"text"', "not json", ""):
        response = api.client.post("/api/v1/clients", data=body, headers=headers)
        assert response.status_code == 400, body[:20]
        assert response.json["error"]
    nested = '{"name": ' + "[" * 500 + "]" * 500 + ', "phone": "0401234567"}'
    response = api.client.post("/api/v1/clients", data=nested, headers=headers)
    assert response.status_code == 422 and "name" in response.json["errors"]


def test_ui_text_fields_refuse_what_cannot_be_stored_or_sent(
        signed_in: Browser, rt: Runtime, worker: Worker, client: FlaskClient) -> None:
    person = make_client(rt, worker.id)
    event = make_appointment(rt, person.id, worker_id=worker.id)
    signed_in.get("/clients/new")
    for name, bad in BAD_TEXT.items():
        if name == "surrogate":
            continue  # a form cannot carry one (the browser sends UTF-8)
        response = signed_in.post("/clients/new", {"name": bad, "phone": "0501234567",
                                                   "language": "fi", "channel": "auto"})
        assert response.status_code == 422, name
        assert 'id="name-error"' in response.get_data(as_text=True)
        assert signed_in.get("/clients", query_string={"q": bad}).status_code == 422, name
    long_name = "N" * (TEXT_FIELDS["name"].max_length + 1)
    response = signed_in.post("/clients/new", {"name": long_name, "phone": "0501234567",
                                               "language": "fi", "channel": "auto"})
    assert response.status_code == 422
    url = f"/events/{event.id}/change"
    signed_in.get(url)
    for value in (*(v for k, v in BAD_TEXT.items() if k != "surrogate"), *LINKS):
        for field in ("place", "bring"):
            form = {"date": "15.6.2026", "time": "10.00", "appointment_type": "worker",
                    field: value, "action": "save"}
            response = signed_in.post(url, form)
            assert response.status_code == 422, (field, value)
            assert f'id="{field}-error"' in response.get_data(as_text=True)
    signed_post(client, "/twilio/sms", {"MessageSid": "SM" + "b" * 32,
                                        "From": "+358401234567", "To": "+358451234567",
                                        "Body": "soita"})
    with transaction(rt.sessions) as session:
        item_id = session.scalars(select(InboxItem.id)).one()
    signed_in.get(f"/inbox/{item_id}")
    for text in (*LINKS, "Hei\x00", "Hei\x1b"):
        reply = signed_in.post(f"/inbox/{item_id}/reply", {"body": text})
        assert reply.status_code == 422, text
    signed_in.get(f"/events/{event.id}/cancel")
    cancel = signed_in.post(f"/events/{event.id}/cancel",
                            {"notify": "1", "notice_text": "Aika peruttu, katso kela.fi"})
    assert cancel.status_code == 422 and "verkko-osoite" in cancel.get_data(as_text=True)
    with transaction(rt.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Client)) == 1
        assert session.scalars(select(Event.state)).one() == "planned"
        assert session.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "out")) == 0


def test_sign_in_with_a_nul_byte_is_a_plain_failure(browser: Browser, worker: Worker) -> None:
    browser.get("/login")
    for email, password in (("sanna@example.fi\x00", "x"), ("sanna@example.fi", "x\x00y"),
                            ("a" * 300 + "@example.fi", "x")):
        response = browser.post("/login", {"email": email, "password": password})
        assert response.status_code == 401
        assert "Sähköposti tai salasana on väärin." in response.get_data(as_text=True)


def test_the_documented_table_is_the_one_in_force() -> None:
    page = (Path(__file__).parents[2] / "docs" / "fields.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", page, re.MULTILINE))
    assert {name: int(limit) for name, limit in rows.items()} == {
        name: rule.max_length for name, rule in TEXT_FIELDS.items()}
    for name, rule in TEXT_FIELDS.items():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{name}` |"))
        assert ("| refused |" in row) == rule.no_links, name
        assert ("| several |" in row) == rule.multiline, name
