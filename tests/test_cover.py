"""Cover: during an absence a client's reply goes to the substitute (or the team inbox
when there is none), marked cover; after it, back to the worker. A worker back
early ends the absence, and the next reply is theirs again. Through the signed
/twilio/sms webhook and the API, on both databases, with a controlled clock."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.domain.teams.cover import Route, route_worker
from service.domain.teams.setup import create_team, first_team_id, join
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Absence, ApiToken, AuditEntry, InboxItem, Worker
from service.web.api.endpoints import hash_token
from tests.conftest import Api, load_all, signed_post
from tests.web.conftest import make_client, make_worker

CLIENT_PHONE = "+358401234567"
OUR_NUMBER = "+358451234567"
MON = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)  # Mon 7.12.2026 10.30 in Helsinki
_sids = count(1)


def token_for(rt: Runtime, worker: Worker) -> str:
    token = secrets.token_urlsafe(32)
    with transaction(rt.sessions) as session:
        session.add(ApiToken(worker_id=worker.id, token_hash=hash_token(token)))
    return token


def text_in(client: FlaskClient, body: str = "Soita minulle", sender: str = CLIENT_PHONE,
            to: str = OUR_NUMBER) -> InboxItem:
    """A signed inbound text; the inbox item it made."""
    sid = f"SM{next(_sids):032d}"
    response = signed_post(client, "/twilio/sms", {"MessageSid": sid, "From": sender,
                                                   "To": to, "Body": body})
    assert response.status_code == 200
    return load_all(client.application.extensions["rinnalla"],
                    select(InboxItem).order_by(InboxItem.id.desc()).limit(1))[0]


@pytest.fixture
def sub(rt: Runtime) -> Worker:
    return make_worker(rt, "sirpa@example.fi", "Sirpa Sijainen")


def absence(api: Api, worker: Worker, starts: str, ends: str, substitute: int | None) -> Any:
    return api.post(f"/workers/{worker.id}/absences",
                    {"starts_on": starts, "ends_on": ends, "substitute_id": substitute})


def test_the_substitute_gets_the_reply_during_the_absence(
        rt: Runtime, client: FlaskClient, api: Api, worker: Worker, sub: Worker) -> None:
    clock.freeze(MON)
    make_client(rt, worker.id, "Matti Mäkinen", CLIENT_PHONE)
    made = absence(api, worker, "2026-12-07", "2026-12-11", sub.id)
    assert made.status_code == 201, made.json
    assert made.json["worker_id"] == worker.id and made.json["substitute_id"] == sub.id
    item = text_in(client)
    assert (item.worker_id, item.cover) == (sub.id, True)
    assert item.kind == "callback" and item.due_at is not None
    # The substitute's own inbox in the API lists it (it is theirs: worker_id).
    theirs = Api(client, token_for(rt, sub)).get("/inbox").json["items"]
    assert [(i["id"], i["cover"]) for i in theirs] == [(item.id, True)]
    assert api.get("/inbox").json["items"] == []  # not the absent worker's
    # The last day still counts (Helsinki date), the day after it does not.
    clock.freeze(datetime(2026, 12, 11, 21, 30, tzinfo=UTC))  # Fri 23.30 local
    assert text_in(client, "ok").worker_id == sub.id
    clock.freeze(datetime(2026, 12, 11, 22, 30, tzinfo=UTC))  # Sat 00.30 local
    back = text_in(client, "kyllä tulen")
    assert (back.worker_id, back.cover) == (worker.id, False)


def test_without_a_substitute_the_reply_goes_to_the_team_inbox(
        rt: Runtime, client: FlaskClient, api: Api, worker: Worker) -> None:
    clock.freeze(MON)
    make_client(rt, worker.id, "Matti Mäkinen", CLIENT_PHONE)
    assert absence(api, worker, "2026-12-01", "2026-12-07", None).status_code == 201
    item = text_in(client)
    assert (item.worker_id, item.cover) == (None, True)
    team = api.get("/inbox?team=1").json["items"]
    assert [(i["id"], i["cover"]) for i in team] == [(item.id, True)]
    clock.freeze(datetime(2026, 12, 8, 8, 0, tzinfo=UTC))
    assert text_in(client, "ok").worker_id == worker.id


def test_an_absent_or_inactive_substitute_does_not_cover(
        rt: Runtime, api: Api, worker: Worker, sub: Worker) -> None:
    clock.freeze(MON)
    assert absence(api, worker, "2026-12-07", "2026-12-07", sub.id).status_code == 201
    with transaction(rt.sessions) as session:
        team_id = first_team_id(session)
        assert route_worker(session, worker.id, team_id, MON) == Route(sub.id, team_id, True)
        # a client of a team the substitute is not in: that team's inbox
        other = create_team(session, "Vammaispalvelut", "+358401119999").id
        join(session, worker.id, other)
        assert route_worker(session, worker.id, other, MON) == Route(None, other, True)
        session.add(Absence(worker_id=sub.id, starts_on=date(2026, 12, 7),
                            ends_on=date(2026, 12, 8)))  # the substitute is away too
        session.flush()
        assert route_worker(session, worker.id, team_id, MON) == Route(None, team_id, True)
        tomorrow = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
        assert route_worker(session, worker.id, team_id, tomorrow) == Route(worker.id, team_id)
        found = session.get(Worker, worker.id)
        assert found is not None
        found.active = False  # an inactive worker's items: the team inbox
        assert route_worker(session, worker.id, team_id, tomorrow) == Route(None, team_id, True)


def test_unknown_sender_goes_to_the_team_whose_number_was_texted(
        rt: Runtime, client: FlaskClient) -> None:
    clock.freeze(MON)
    with transaction(rt.sessions) as session:
        other = create_team(session, "Vammaispalvelut", "+358401119999")
        other.sender = "+358459998888"
        other_id = other.id
    assert text_in(client, "hei", to="+358459998888").team_id == other_id
    assert text_in(client, "hei", to="+358401119999").team_id == other_id
    first = text_in(client, "hei", to=OUR_NUMBER)
    assert first.team_id != other_id and first.worker_id is None and not first.cover


def test_absence_validation(rt: Runtime, api: Api, worker: Worker, sub: Worker) -> None:
    clock.freeze(MON)
    wrong = absence(api, worker, "2026-12-10", "2026-12-09", worker.id)
    assert wrong.status_code == 422
    assert set(wrong.json["errors"]) == {"ends_on", "substitute_id"}
    with transaction(rt.sessions) as session:
        elsewhere = create_team(session, "Vanhuspalvelut", "+358401118888")
        outsider = Worker(name="Ulla Ulkopuolinen", email="ulla@example.fi")
        session.add(outsider)
        session.flush()
        join(session, outsider.id, elsewhere.id)
        outsider_id = outsider.id
    other_team = absence(api, worker, "2026-12-09", "2026-12-10", outsider_id)
    assert other_team.status_code == 422 and "substitute_id" in other_team.json["errors"]
    not_a_day = absence(api, worker, "9.12.2026", "2026-12-10", None)
    assert not_a_day.status_code == 422 and "starts_on" in not_a_day.json["errors"]
    missing = api.post(f"/workers/{worker.id}/absences", {"starts_on": "2026-12-09"})
    assert missing.status_code == 422 and "ends_on" in missing.json["errors"]
    # Someone else's absence: a colleague may not record it, an outsider does not see them.
    assert absence(Api(api.client, token_for(rt, sub)), worker, "2026-12-09", "2026-12-10",
                   None).status_code == 403
    assert api.post(f"/workers/{outsider_id}/absences",
                    {"starts_on": "2026-12-09", "ends_on": "2026-12-10"}).status_code == 404


def _end(api: Api, worker: Worker, absence_id: int) -> Any:
    return api.post(f"/workers/{worker.id}/absences/{absence_id}/end")


def test_back_early_the_worker_ends_the_absence_and_gets_the_next_reply(
        rt: Runtime, client: FlaskClient, api: Api, worker: Worker, sub: Worker) -> None:
    clock.freeze(MON)
    make_client(rt, worker.id, "Matti Mäkinen", CLIENT_PHONE)
    made = absence(api, worker, "2026-12-01", "2026-12-11", sub.id).json
    covered = text_in(client)
    assert (covered.worker_id, covered.cover) == (sub.id, True)
    ended = _end(api, worker, made["id"])
    assert ended.status_code == 200, ended.json
    assert ended.json == {**made, "ends_on": "2026-12-06", "removed": False}
    back = text_in(client, "kyllä tulen")
    assert (back.worker_id, back.cover) == (worker.id, False)
    # What the substitute already has stays with them.
    [kept] = load_all(rt, select(InboxItem).where(InboxItem.id == covered.id))
    assert (kept.worker_id, kept.cover) == (sub.id, True)
    assert api.get(f"/workers/{worker.id}/absences").json["absences"] == []
    again = _end(api, worker, made["id"])
    assert again.status_code == 409 and "error" in again.json
    audits = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "absence",
                                                   AuditEntry.object_id == made["id"])
                      .order_by(AuditEntry.id))
    assert [(a.action, a.worker_id) for a in audits] == [("create", worker.id),
                                                         ("update", worker.id)]
    assert "last day 2026-12-06" in audits[1].detail


def test_ending_is_judged_on_the_helsinki_date(
        rt: Runtime, client: FlaskClient, api: Api, worker: Worker, sub: Worker) -> None:
    clock.freeze(MON)
    make_client(rt, worker.id, "Matti Mäkinen", CLIENT_PHONE)
    made = absence(api, worker, "2026-12-07", "2026-12-11", sub.id).json
    # Mon 7.12. 23.30 UTC is already Tue 8.12. 01.30 in Helsinki: the last day is Monday.
    clock.freeze(datetime(2026, 12, 7, 23, 30, tzinfo=UTC))
    assert text_in(client).worker_id == sub.id
    ended = _end(api, worker, made["id"])
    assert ended.status_code == 200 and ended.json["ends_on"] == "2026-12-07"
    assert text_in(client, "ok").worker_id == worker.id


def test_an_absence_begun_today_is_removed_and_one_not_begun_cannot_be_ended(
        rt: Runtime, client: FlaskClient, api: Api, worker: Worker, sub: Worker) -> None:
    clock.freeze(MON)
    make_client(rt, worker.id, "Matti Mäkinen", CLIENT_PHONE)
    today = absence(api, worker, "2026-12-07", "2026-12-09", None).json
    coming = absence(api, worker, "2026-12-14", "2026-12-18", sub.id).json
    assert text_in(client).worker_id is None  # the team inbox meanwhile
    removed = _end(api, worker, today["id"])
    assert removed.status_code == 200 and removed.json == {**today, "removed": True}
    assert [a.id for a in load_all(rt, select(Absence))] == [coming["id"]]
    assert text_in(client, "ok").worker_id == worker.id
    not_begun = _end(api, worker, coming["id"])
    assert not_begun.status_code == 409
    assert load_all(rt, select(Absence))[0].ends_on == date(2026, 12, 18)
    audits = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "absence",
                                                   AuditEntry.object_id == today["id"])
                      .order_by(AuditEntry.id))
    assert [a.action for a in audits] == ["create", "delete"]


def test_who_may_end_an_absence(rt: Runtime, api: Api, worker: Worker, sub: Worker) -> None:
    clock.freeze(MON)
    made = absence(api, worker, "2026-12-01", "2026-12-11", None).json
    colleague = Api(api.client, token_for(rt, sub))
    assert _end(colleague, worker, made["id"]).status_code == 403  # not theirs to end
    assert _end(colleague, sub, made["id"]).status_code == 404  # not sub's absence
    with transaction(rt.sessions) as session:
        elsewhere = create_team(session, "Vanhuspalvelut", "+358401118888")
        outsider = Worker(name="Ulla Ulkopuolinen", email="ulla@example.fi")
        session.add(outsider)
        session.flush()
        join(session, outsider.id, elsewhere.id)
        session.expunge(outsider)
    assert _end(Api(api.client, token_for(rt, outsider)), worker,
                made["id"]).status_code == 404  # another team's worker: not there
    assert _end(api, worker, made["id"] + 1000).status_code == 404
    assert load_all(rt, select(Absence))[0].ends_on == date(2026, 12, 11)
    admin = make_worker(rt, "tiina@example.fi", "Tiina Tiiminvetäjä", role="team_admin")
    by_admin = _end(Api(api.client, token_for(rt, admin)), worker, made["id"])
    assert by_admin.status_code == 200 and by_admin.json["ends_on"] == "2026-12-06"
