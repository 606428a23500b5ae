"""Teams cannot cross: every route with an id, in the UI and in the API document, as a
worker of another team is a 404; the team's own admin and the organisation's admin
reach the same objects; lists never show another team's names.

The walks read the URL map and the OpenAPI document themselves, so a new route with an
id fails here until this file knows how to fill it (FILL, API_FILL) or says why it is
not a team's object (NOT_A_TEAM_OBJECT).
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from werkzeug.routing import AnyConverter, Rule

from service.clock import utcnow
from service.domain.events import lifecycle as ev
from service.domain.events import recurrence as rec
from service.domain.events import series
from service.domain.people.clients import ClientInput, create_client
from service.domain.people.passwords import hash_password
from service.domain.teams.setup import create_team, first_team_id, join
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import (
    Absence,
    ApiToken,
    AuditEntry,
    Client,
    InboxItem,
    Message,
    TeamMember,
    TrustedPerson,
    Worker,
)
from service.store.states import Direction, InboxKind, InboxState, MessageStatus, Role
from service.web.api.endpoints import hash_token
from service.web.converters import IdConverter
from tests.web.conftest import PASSWORD, Browser, make_appointment

B_CLIENT = "Bertta Beeläinen"
B_PHONE = "+358409998877"
B_PERSON = "Bruno Beeläinen"
B_AGENCY = "Beetan virasto"
B_STRANGER = "+358501112299"  # an unknown sender who texted team B's number


@dataclass
class Teams:
    """Team A (the installation's first) and team B, each with its people; team B's
    objects are the ones the walks try to reach."""

    team_a: int
    team_b: int
    worker_a: Worker
    admin_a: Worker
    worker_b: Worker
    admin_b: Worker
    org_admin: Worker
    client_b: int
    event_b: int
    series_b: int
    application_b: int
    message_b: int
    item_b: int
    shared_item_b: int
    person_b: int
    token_b: int
    absence_b: int
    api_a: str
    api_admin_b: str
    api_org: str


def _worker(session: Any, email: str, role: Role, team_id: int | None) -> Worker:
    worker = Worker(name=email.split("@")[0].capitalize(), email=email, role=role,
                    password_hash=hash_password(PASSWORD))
    session.add(worker)
    session.flush()
    if team_id is not None:
        join(session, worker.id, team_id)
    return worker


def _token(session: Any, worker: Worker) -> tuple[int, str]:
    raw = secrets.token_urlsafe(24)
    row = ApiToken(worker_id=worker.id, token_hash=hash_token(raw))
    session.add(row)
    session.flush()
    return row.id, raw


def _team_b_objects(rt: Runtime, session: Any, worker_b: Worker, team_b: int
                    ) -> dict[str, int]:
    now = utcnow()
    client = create_client(session, ClientInput(B_CLIENT, B_PHONE, worker_id=worker_b.id,
                                                team_id=team_b), now)
    application = ev.build_application(session, ev.ApplicationInput(
        client_id=client.id, agency=B_AGENCY, submitted_on=date.today() - timedelta(days=3),
        decision_expected=date.today() + timedelta(days=30)), now)
    ev.register_event(session, rt, application, now, worker_b.id)
    weekly = ev.build_appointment(session, ev.AppointmentInput(
        client_id=client.id, starts_at=now + timedelta(days=2), place="Kirjasto"), now)
    series.create_series(session, rt, weekly, rec.rrule_from_spec(rec.RuleSpec("weekly")),
                         now, rt.config.horizon_days, worker_b.id)
    message = Message(direction=Direction.IN, channel="sms", client_id=client.id,
                      to_number="+358451234567", from_number=B_PHONE, body="Soita Bertalle",
                      status=MessageStatus.RECEIVED)
    stranger = Message(direction=Direction.IN, channel="sms", to_number="+358451234567",
                       from_number=B_STRANGER, body="Kuka olette", status=MessageStatus.RECEIVED)
    session.add_all([message, stranger])
    session.flush()
    item = InboxItem(worker_id=worker_b.id, client_id=client.id, team_id=team_b,
                     message_id=message.id, kind=InboxKind.CALLBACK, summary="Soita Bertalle")
    shared = InboxItem(worker_id=None, client_id=None, team_id=team_b, message_id=stranger.id,
                       kind=InboxKind.UNKNOWN_SENDER, summary="Tuntematon numero")
    person = TrustedPerson(client_id=client.id, name=B_PERSON, phone="+358401231231",
                           number_type="mobile", consent_at=now, consent_method="in_person")
    away = date.today() + timedelta(days=20)
    absence = Absence(worker_id=worker_b.id, starts_on=away, ends_on=away + timedelta(days=4),
                      created_by=worker_b.id)
    session.add_all([item, shared, person, absence])
    session.flush()
    return {"absence_b": absence.id, "client_b": client.id, "application_b": application.id,
            "series_b": weekly.id,
            "message_b": message.id, "item_b": item.id, "shared_item_b": shared.id,
            "person_b": person.id}


@pytest.fixture
def teams(rt: Runtime) -> Teams:
    with transaction(rt.sessions) as session:
        team_a = first_team_id(session)
        team_b = create_team(session, "Beetan tiimi", "+358401234000").id
        worker_a = _worker(session, "aino@example.fi", Role.WORKER, team_a)
        admin_a = _worker(session, "antti@example.fi", Role.TEAM_ADMIN, team_a)
        worker_b = _worker(session, "bea@example.fi", Role.WORKER, team_b)
        admin_b = _worker(session, "benjamin@example.fi", Role.TEAM_ADMIN, team_b)
        org_admin = _worker(session, "olga@example.fi", Role.ORG_ADMIN, team_a)
        objects = _team_b_objects(rt, session, worker_b, team_b)
        token_b, _raw = _token(session, worker_b)
        _id, api_a = _token(session, worker_a)
        _id, api_admin_b = _token(session, admin_b)
        _id, api_org = _token(session, org_admin)
        for worker in (worker_a, admin_a, worker_b, admin_b, org_admin):
            session.expunge(worker)
    event_b = make_appointment(rt, objects["client_b"], worker_id=worker_b.id).id
    return Teams(team_a=team_a, team_b=team_b, worker_a=worker_a, admin_a=admin_a,
                 worker_b=worker_b, admin_b=admin_b, org_admin=org_admin, event_b=event_b,
                 token_b=token_b, api_a=api_a, api_admin_b=api_admin_b, api_org=api_org,
                 **objects)


# Each id in a path, filled with team B's object of that kind.
FILL = {"client_id": "client_b", "event_id": "event_b", "item_id": "item_b",
        "person_id": "person_b", "message_id": "message_b", "token_id": "token_b",
        "worker_id": "worker_b", "team_id": "team_b", "absence_id": "absence_b"}
# A series' own routes (web/ui/series.py) need a series: team B's recurring appointment.
SERIES_FILL = {"event_id": "series_b"}
# Path parts that name no object: a plain value will do (the object beside them is B's).
PLAIN = {"day": "2030-06-03", "date": "2030-06-03"}
# Rules with an id that is no team's object, and why.
NOT_A_TEAM_OBJECT = {
    "team_file_edit.undo": "the installation's team files: a version is no team's object",
    "static": "files", "twilio.status_callback": "Twilio's signed webhook, no worker",
    "twilio_voice.speak": "Twilio's signed webhook", "twilio_voice.gather": "Twilio",
    "twilio_voice.stop": "Twilio's signed webhook, no worker",
}
# Admin pages refuse a worker by role before any id is looked up (a 403 that says
# nothing about the id); as team A's admin the same pages must answer 404.
ROLE_REFUSED = (403,)
# Pages only the organisation's admin may use: a team admin is refused by role there too,
# before the id is looked up (the same 403 for their own team's id).
ORG_ADMIN_ONLY = frozenset({"teams.edit", "teams.add_member", "teams.remove_member"})


def _id_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if any(isinstance(c, IdConverter) for c in rule._converters.values())
            or rule.endpoint in NOT_A_TEAM_OBJECT]


def _fill(rule: Rule, teams: Teams) -> str | None:
    """The rule's URL with team B's objects, None for a rule that is no team's object;
    fails for a variable this walk does not know."""
    if rule.endpoint in NOT_A_TEAM_OBJECT:
        return None
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif name in PLAIN:
            values[name] = PLAIN[name]
        elif name in FILL:
            field = SERIES_FILL.get(name, FILL[name]) if rule.endpoint.startswith(
                "series.") else FILL[name]
            value = getattr(teams, field)
            values[name] = value.id if isinstance(value, Worker) else value
        else:
            pytest.fail(f"{rule.endpoint} ({rule.rule}): the access walk does not know how "
                        f"to fill <{name}>; add it to FILL or NOT_A_TEAM_OBJECT")
    built = rule.build(values)
    assert built is not None
    return built[1]


def _signed_in(app: Flask, worker: Worker) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(worker.email).status_code == 302
    return browser


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _walk_as(app: Flask, teams: Teams, who: Worker, allowed: tuple[int, ...]) -> int:
    browser, walked = _signed_in(app, who), 0
    for rule in _id_rules(app):
        url = _fill(rule, teams)
        if url is None or url.startswith("/api/"):
            continue  # the API is walked through its own document below
        expected = (*allowed, *ROLE_REFUSED) if rule.endpoint in ORG_ADMIN_ONLY else allowed
        for method in _methods(rule):
            response = browser.get(url) if method == "GET" else browser.post(url, {})
            assert response.status_code in expected, (who.email, method, url,
                                                      response.status_code)
            walked += 1
    return walked


def test_every_ui_route_with_an_id_is_a_404_for_another_teams_worker(
        app: Flask, teams: Teams) -> None:
    assert _walk_as(app, teams, teams.worker_a, (404, *ROLE_REFUSED)) > 30
    # Team A's admin passes every role check, so every answer must be the 404.
    assert _walk_as(app, teams, teams.admin_a, (404,)) > 30


def test_query_and_body_ids_are_refused_as_if_missing(app: Flask, client: FlaskClient,
                                                       teams: Teams) -> None:
    browser = _signed_in(app, teams.worker_a)
    for kind in ("appointment", "application"):
        assert browser.get(f"/events/new/{kind}?client_id={teams.client_b}"
                           ).status_code == 404
    headers = {"Authorization": f"Bearer {teams.api_a}"}
    body = {"client_id": teams.client_b, "starts_at": "2030-06-03T10:00:00+03:00",
            "agency": "Kela"}
    for path in ("/api/v1/appointments", "/api/v1/applications"):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 422 and "client_id" in response.get_json()["errors"]
    for path in ("/api/v1/messages", "/api/v1/reminders"):
        assert client.get(f"{path}?client_id={teams.client_b}",
                          headers=headers).status_code == 404


API_FILL = {"clients": "client_b", "events": "event_b", "inbox": "item_b",
            "trusted-persons": "person_b", "workers": "worker_b", "teams": "team_b",
            "absences": "absence_b"}


def _api_url(path: str, teams: Teams) -> str:
    """An OpenAPI path with each {param} filled by the kind its segment names."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        if part.strip("{}") in PLAIN:
            parts[i] = PLAIN[part.strip("{}")]
        elif part.startswith("{"):
            kind = API_FILL.get(parts[i - 1])
            if kind is None:
                pytest.fail(f"{path}: the access walk does not know how to fill {part}")
            value = getattr(teams, kind)
            parts[i] = str(value.id if isinstance(value, Worker) else value)
    return "/api/v1" + "/".join(parts)


def _api_walk(client: FlaskClient, token: str, teams: Teams) -> dict[tuple[str, str], int]:
    document = client.get("/api/v1/openapi.json").get_json()
    headers, answers = {"Authorization": f"Bearer {token}"}, {}
    for path, operations in document["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            url = _api_url(path, teams)
            answers[(method, url)] = client.open(url, method=method.upper(), json={},
                                                 headers=headers).status_code
    return answers


def test_every_api_path_with_an_id_is_a_404_for_another_teams_worker(
        client: FlaskClient, teams: Teams) -> None:
    answers = _api_walk(client, teams.api_a, teams)
    assert len(answers) >= 13
    assert {k: v for k, v in answers.items() if v != 404} == {}


def test_team_b_admin_and_org_admin_reach_team_b_objects(app: Flask, client: FlaskClient,
                                                          teams: Teams) -> None:
    for who in (teams.admin_b, teams.org_admin):
        browser = _signed_in(app, who)
        for rule in _id_rules(app):
            url = _fill(rule, teams)
            if url is None or url.startswith("/api/") or "GET" not in _methods(rule) or (
                    rule.endpoint in ORG_ADMIN_ONLY and who is teams.admin_b):
                continue
            assert browser.get(url).status_code == 200, (who.email, url)
    for token in (teams.api_admin_b, teams.api_org):
        headers = {"Authorization": f"Bearer {token}"}
        for url in (f"/api/v1/clients/{teams.client_b}", f"/api/v1/events/{teams.event_b}",
                    f"/api/v1/clients/{teams.client_b}/trusted-persons"):
            assert client.get(url, headers=headers).status_code == 200, url
    handled = client.post(f"/api/v1/inbox/{teams.item_b}/handle",
                          headers={"Authorization": f"Bearer {teams.api_admin_b}"})
    assert handled.status_code == 200 and handled.get_json()["state"] == InboxState.HANDLED


def _texts(browser: Browser, urls: list[str]) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = browser.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    return pages


TEAM_B_WORDS = (B_CLIENT, "040 999 8877", B_PHONE, B_PERSON, B_AGENCY, "050 111 2299")


def test_lists_of_team_a_show_nothing_of_team_b(app: Flask, client: FlaskClient,
                                                teams: Teams) -> None:
    _texts(_signed_in(app, teams.worker_b), [f"/clients/{teams.client_b}"])  # audited
    pages = _texts(_signed_in(app, teams.worker_a), [
        "/", "/clients?scope=all", "/clients?scope=all&q=Bertta", "/inbox",
        "/inbox?box=team", "/inbox?box=team&state=all", "/appointments/upcoming",
        "/service-path", "/service-path/export.csv", "/simulator", "/bulk"])
    pages.update(_texts(_signed_in(app, teams.admin_a), [
        "/admin/audit", "/admin/workers", "/inbox?box=all&state=all",
        "/inbox/export-corrections.csv"]))
    headers = {"Authorization": f"Bearer {teams.api_a}"}
    for url in ("/api/v1/messages", "/api/v1/reminders", "/api/v1/inbox",
                "/api/v1/inbox?team=1"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    leaks = {url: [w for w in TEAM_B_WORDS if w in text] for url, text in pages.items()}
    assert {url: words for url, words in leaks.items() if words} == {}
    assert teams.worker_b.name not in pages["/admin/workers"]
    # The same lists as team B's admin do show team B: the check above can fail.
    seen = _texts(_signed_in(app, teams.admin_b), [
        "/clients?scope=all", "/inbox?box=team", "/inbox?box=all", "/service-path",
        "/admin/workers", "/admin/audit"])
    assert B_CLIENT in seen["/clients?scope=all"] and "050 111 2299" in seen["/inbox?box=team"]
    assert B_CLIENT in seen["/inbox?box=all"] and B_AGENCY in seen["/service-path"]
    assert teams.worker_b.name in seen["/admin/workers"] and B_CLIENT in seen["/admin/audit"]


def test_a_team_admin_hands_over_any_item_of_the_team_within_the_team(
        app: Flask, rt: Runtime, teams: Teams) -> None:
    admin_b = _signed_in(app, teams.admin_b)
    admin_b.get(f"/inbox/{teams.item_b}")
    outside = admin_b.post(f"/inbox/{teams.item_b}/reassign", {"worker_id": teams.worker_a.id})
    assert outside.status_code == 422 and 'id="worker_id-error"' in outside.get_data(
        as_text=True)
    assert admin_b.post(f"/inbox/{teams.item_b}/reassign",
                        {"worker_id": teams.admin_b.id}).status_code == 302
    with transaction(rt.sessions) as session:
        item = session.get(InboxItem, teams.item_b)
        assert item is not None and item.worker_id == teams.admin_b.id
    # The old owner, a plain worker, no longer reaches it; the team box item they do.
    worker_b = _signed_in(app, teams.worker_b)
    assert worker_b.get(f"/inbox/{teams.item_b}").status_code == 404
    assert worker_b.post(f"/inbox/{teams.shared_item_b}/reassign",
                         {"worker_id": teams.worker_b.id}).status_code == 302


def test_new_client_goes_to_one_of_the_callers_teams(client: FlaskClient, rt: Runtime,
                                                     teams: Teams) -> None:
    headers = {"Authorization": f"Bearer {teams.api_a}"}
    body = {"name": "Aapo Aaltonen", "phone": "040 765 1111"}
    made = client.post("/api/v1/clients", json=body, headers=headers)
    assert made.status_code == 201 and made.get_json()["team_id"] == teams.team_a
    foreign = client.post("/api/v1/clients", json={**body, "team_id": teams.team_b},
                          headers=headers)
    assert foreign.status_code == 422 and "team_id" in foreign.get_json()["errors"]
    with transaction(rt.sessions) as session:
        join(session, teams.worker_a.id, teams.team_b)
    unnamed = client.post("/api/v1/clients", json={**body, "phone": "040 765 2222"},
                          headers=headers)
    assert unnamed.status_code == 422 and "team_id" in unnamed.get_json()["errors"]
    chosen = client.post("/api/v1/clients", json={**body, "phone": "040 765 2222",
                                                   "team_id": teams.team_b}, headers=headers)
    assert chosen.status_code == 201 and chosen.get_json()["team_id"] == teams.team_b
    org = client.post("/api/v1/clients", json={**body, "phone": "040 765 5555",
                                               "team_id": teams.team_b},
                      headers={"Authorization": f"Bearer {teams.api_org}"})
    assert org.status_code == 201 and org.get_json()["team_id"] == teams.team_b
    assert org.get_json()["worker_id"] is None  # not in team B: the team's shared client
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "team_id" in schema["ClientInput"]["properties"]


def test_client_form_asks_the_team_only_of_a_worker_in_several(
        app: Flask, rt: Runtime, teams: Teams) -> None:
    browser = _signed_in(app, teams.worker_a)
    assert 'id="team_id"' not in browser.get("/clients/new").get_data(as_text=True)
    with transaction(rt.sessions) as session:
        join(session, teams.worker_a.id, teams.team_b)
    page = browser.get("/clients/new").get_data(as_text=True)
    assert 'id="team_id"' in page and "Beetan tiimi" in page
    form = {"name": "Aapo Aaltonen", "phone": "040 765 3333", "language": "fi",
            "channel": "auto", "worker_id": "", "team_id": str(teams.team_b)}
    assert browser.post("/clients/new", form).status_code == 302
    with transaction(rt.sessions) as session:
        join(session, teams.worker_b.id, teams.team_a)  # irrelevant to worker_a's choice
        session.execute(delete(TeamMember).where(TeamMember.worker_id == teams.worker_a.id,
                                                 TeamMember.team_id == teams.team_b))
    refused = browser.post("/clients/new", {**form, "phone": "040 765 4444"})
    assert refused.status_code == 422 and 'id="team_id-error"' in refused.get_data(as_text=True)


def test_a_team_admin_manages_only_their_teams_workers(app: Flask, rt: Runtime,
                                                       teams: Teams) -> None:
    admin_a = _signed_in(app, teams.admin_a)
    page = admin_a.get("/admin/workers/new").get_data(as_text=True)
    assert 'value="org_admin"' not in page and 'value="team_admin"' in page
    refused = admin_a.post("/admin/workers/new", {"name": "Uusi", "email": "uusi@example.fi",
                                                  "role": "org_admin", "ui_language": "fi"})
    assert refused.status_code == 422
    assert admin_a.post("/admin/workers/new", {"name": "Uusi", "email": "uusi@example.fi",
                                               "role": "worker", "ui_language": "fi"}
                        ).status_code == 200
    with transaction(rt.sessions) as session:
        new = session.scalars(select(Worker).where(Worker.email == "uusi@example.fi")).one()
        assert [t.id for t in new.teams] == [teams.team_a]
    listed = admin_a.get("/admin/workers").get_data(as_text=True)
    assert teams.org_admin.name not in listed and teams.worker_a.name in listed
    assert admin_a.get(f"/admin/workers/{teams.org_admin.id}").status_code == 404


def test_audit_entries_carry_the_objects_team(app: Flask, rt: Runtime, teams: Teams) -> None:
    _texts(_signed_in(app, teams.worker_b), [f"/clients/{teams.client_b}",
                                             f"/events/{teams.event_b}"])
    with transaction(rt.sessions) as session:
        teams_of = dict(session.execute(select(AuditEntry.object_type, AuditEntry.team_id)
                                        .where(AuditEntry.action == "view")).tuples().all())
    assert teams_of == {"client": teams.team_b, "event": teams.team_b}


def test_import_goes_into_one_chosen_team_of_the_worker(app: Flask, rt: Runtime,
                                                        teams: Teams) -> None:
    with transaction(rt.sessions) as session:
        join(session, teams.worker_a.id, teams.team_b)
    browser = _signed_in(app, teams.worker_a)
    assert 'id="team_id"' in browser.get("/import").get_data(as_text=True)
    data = b"nimi;puhelin\nIida Import;040 765 6666\n"
    unchosen = browser.post("/import/preview", {"file": (io.BytesIO(data), "a.csv")},
                            content_type="multipart/form-data")
    assert unchosen.status_code == 422 and 'id="team_id-error"' in unchosen.get_data(
        as_text=True)
    preview = browser.post("/import/preview", {"file": (io.BytesIO(data), "a.csv"),
                                               "team_id": str(teams.team_b)},
                           content_type="multipart/form-data")
    assert preview.status_code == 200
    assert browser.post("/import/run", {"csv_text": data.decode(), "encoding": "UTF-8",
                                        "team_id": str(teams.team_b)}).status_code == 302
    with transaction(rt.sessions) as session:
        imported = session.scalars(select(Client).where(Client.name == "Iida Import")).one()
        assert imported.team_id == teams.team_b
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
        assert entry.team_id == teams.team_b
