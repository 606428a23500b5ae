"""A reply to one occurrence's reminder applies to that occurrence only; a stop stops
the whole series (the client is opted out, nothing more is sent). Through the real
dispatch pass, the development gateway and the signed SMS webhook, on both databases."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Event, Message
from service.store.states import EventState, MessageStatus
from tests.conftest import Api
from tests.reach import hel, new_client, run, sms_reply

NOW = hel(2027, 3, 1, 8, 0)


def _series(api: Api) -> tuple[int, int]:
    client_id = new_client(api)
    clock.freeze(NOW)
    r = api.post("/appointments", {"client_id": client_id, "place": "Kirjasto",
                                   "starts_at": "2027-03-09T09:00:00+02:00",
                                   "recurrence": {"freq": "weekly", "byweekday": ["TU"]}})
    assert r.status_code == 201, r.json
    return client_id, int(r.json["id"])


def _states(rt: Runtime, series_id: int) -> list[EventState]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(Event.state).where(Event.series_id == series_id)
                                    .order_by(Event.occurrence_date)))


def test_a_reply_answers_its_own_occurrence(api: Api, client: FlaskClient, rt: Runtime) -> None:
    _client_id, sid = _series(api)
    run(rt, hel(2027, 3, 2, 10, 1))  # the week-before reminder of ti 9.3.
    sms_reply(client, "+358401234567", "1", hel(2027, 3, 2, 10, 30))
    states = _states(rt, sid)
    assert states[0] == EventState.CONFIRMED
    assert set(states[1:]) == {EventState.PLANNED}


def test_a_stop_stops_the_whole_series(api: Api, client: FlaskClient, rt: Runtime) -> None:
    client_id, _sid = _series(api)
    run(rt, hel(2027, 3, 2, 10, 1))
    sms_reply(client, "+358401234567", "LOPETA", hel(2027, 3, 2, 10, 30))
    with transaction(rt.sessions) as session:
        assert session.get_one(Client, client_id).opted_out
        before = session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1))
    for day in (8, 9, 15, 16, 22):
        run(rt, hel(2027, 3, day, 10, 1))
    with transaction(rt.sessions) as session:
        sent = session.scalars(select(Message).where(
            Message.id > (before or 0), Message.direction == "out",
            Message.status != MessageStatus.CREATED)).all()
        assert [m for m in sent if m.reminder_id is not None] == []
