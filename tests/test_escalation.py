"""Escalation: an unhandled item is raised to the whole team after the team's N
working hours (holidays and weekends not counted), not before; a handled one never.
Driven by the dispatch pass with a controlled clock, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.domain.calendar.dates import HELSINKI
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.scheduling.escalations import Throttle
from service.store.db import transaction
from service.store.models import InboxItem, Team, Worker
from service.store.states import InboxKind
from tests.conftest import Api, load
from tests.test_cover import text_in
from tests.web.conftest import make_client


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def escalated_at(rt: Runtime, item_id: int) -> datetime | None:
    return load(rt, InboxItem, item_id).escalated_at


def test_a_callback_escalates_after_four_working_hours_over_a_holiday(
        rt: Runtime, client: FlaskClient, api: Api, worker: Worker) -> None:
    make_client(rt, worker.id, "Matti Mäkinen", "+358401234567")
    clock.freeze(local(2027, 12, 3, 15, 0))  # Fri; Mon 6.12.2027 is Independence Day
    item = text_in(client, "Soita minulle")
    due = local(2027, 12, 7, 11, 0)  # Fri 15-16, then Tue 8-11
    assert item.kind == "callback" and item.due_at == due
    listed = api.get("/inbox").json["items"][0]
    assert datetime.fromisoformat(listed["due_at"]) == due and listed["escalated_at"] is None
    for moment in (local(2027, 12, 3, 23, 0), local(2027, 12, 6, 15, 0),
                   due - timedelta(minutes=1)):
        assert tick(rt, now=moment).escalated == 0
        assert escalated_at(rt, item.id) is None
    assert tick(rt, now=due).escalated == 1
    assert escalated_at(rt, item.id) == due
    assert tick(rt, now=due + timedelta(hours=1)).escalated == 0  # once only
    assert escalated_at(rt, item.id) == due


def test_a_handled_item_never_escalates(rt: Runtime, client: FlaskClient, api: Api,
                                        worker: Worker) -> None:
    make_client(rt, worker.id, "Matti Mäkinen", "+358401234567")
    clock.freeze(local(2026, 12, 23, 15, 0))  # Wed before Christmas
    item = text_in(client, "Soita minulle")
    assert item.due_at == local(2026, 12, 28, 11, 0)
    assert api.post(f"/inbox/{item.id}/handle").status_code == 200
    assert tick(rt, now=local(2027, 1, 20, 12, 0)).escalated == 0
    assert escalated_at(rt, item.id) is None


def test_the_teams_own_hours_and_the_kinds_that_escalate(
        rt: Runtime, client: FlaskClient, worker: Worker) -> None:
    make_client(rt, worker.id, "Matti Mäkinen", "+358401234567")
    with transaction(rt.sessions) as session:
        for team in session.scalars(select(Team)):
            team.escalate_after_hours = 2
    clock.freeze(local(2026, 12, 2, 9, 0))  # Wed
    unclear = text_in(client, "mulla on nälkä")  # not an answer: a person reads it
    stop = text_in(client, "LOPETA")
    with transaction(rt.sessions) as session:  # a certain answer: nothing to chase
        confirm = InboxItem(worker_id=worker.id, team_id=stop.team_id, kind=InboxKind.REPLY,
                            intent="confirm", summary="Asiakas vahvisti ajan.",
                            created_at=clock.utcnow())
        session.add(confirm)
    assert tick(rt, now=local(2026, 12, 2, 10, 59)).escalated == 0
    assert tick(rt, now=local(2026, 12, 2, 11, 0)).escalated == 2
    assert escalated_at(rt, unclear.id) is not None and escalated_at(rt, stop.id) is not None
    assert escalated_at(rt, confirm.id) is None


def test_the_throttle_lets_a_job_run_once_a_minute() -> None:
    throttle = Throttle(timedelta(minutes=1))
    start = local(2026, 12, 2, 9, 0)
    assert throttle.due(start)
    assert not throttle.due(start + timedelta(seconds=59))
    assert throttle.due(start + timedelta(minutes=1))
    assert throttle.due(start - timedelta(hours=1))  # a clock set back is not stuck

