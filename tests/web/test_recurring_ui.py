"""The appointment form's "Toistuu", and a series' page: the occurrences listed with a
holiday flagged, skip, keep on the holiday, move one, pause and resume, cancel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from service import clock
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Event, Reminder, Worker
from service.store.states import EventState, ReminderState
from tests.web.conftest import Browser, make_client

NOW = datetime(2027, 4, 26, 7, 0, tzinfo=UTC)  # ma 26.4.2027 klo 10.00


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    clock.freeze(NOW)
    yield


def _form(client_id: int, **changes: str) -> dict[str, str]:
    return {"client_id": str(client_id), "appointment_type": "worker", "date": "29.4.2027",
            "time": "9.00", "place": "Kirjasto", "bring": "", "repeat": "weekly",
            "repeat_interval": "", "repeat_until": "", "repeat_count": "",
            "action": "preview", **changes}


def _series(rt: Runtime) -> Event:
    with transaction(rt.sessions) as session:
        event = session.scalars(select(Event).where(Event.recurrence.is_not(None))).one()
        session.expunge(event)
        return event


def _child(rt: Runtime, series_id: int, day: date) -> Event:
    with transaction(rt.sessions) as session:
        row = session.scalars(select(Event).where(Event.series_id == series_id,
                                                  Event.occurrence_date == day)).one()
        session.expunge(row)
        return row


def test_form_preview_then_save_a_weekly_series(signed_in: Browser, rt: Runtime,
                                                worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    page = signed_in.get(url).get_data(as_text=True)
    assert "Toistuu" in page and "Joka N. viikko" in page and "kuun 1. tiistai" in page
    preview = signed_in.post(url, _form(client.id)).get_data(as_text=True)
    assert "to 29.4.2027 klo 9.00" in preview and "to 6.5.2027 klo 9.00" in preview
    assert "pyhäpäivä" in preview  # Ascension Day, 6.5.2027
    with transaction(rt.sessions) as session:
        assert session.scalars(select(Event)).first() is None  # a preview saves nothing
    saved = signed_in.post(url, _form(client.id, action="save"))
    assert saved.status_code == 302
    series = _series(rt)
    assert series.recurrence is not None and "BYDAY=TH" in series.recurrence
    show = signed_in.get(saved.location).get_data(as_text=True)
    assert "Toistuva aika" in show and "joka viikko, to" in show
    assert 'id="occurrence-2027-05-06"' in show and "pyhäpäivä: pidetäänkö?" in show


def test_every_second_week_until_a_day_and_form_errors(signed_in: Browser, rt: Runtime,
                                                       worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    signed_in.get(url)
    bad = signed_in.post(url, _form(client.id, repeat="weeks", repeat_count="3",
                                    repeat_until="1.6.2027"))
    assert bad.status_code == 422
    assert "joko päättymispäivä tai kertojen määrä" in bad.get_data(as_text=True)
    ok = signed_in.post(url, _form(client.id, repeat="weeks", repeat_interval="2",
                                   repeat_until="10.6.2027", action="save"))
    assert ok.status_code == 302
    with transaction(rt.sessions) as session:
        days = list(session.scalars(select(Event.occurrence_date).where(
            Event.series_id.is_not(None)).order_by(Event.occurrence_date)))
    assert days == [date(2027, 4, 29), date(2027, 5, 13), date(2027, 5, 27), date(2027, 6, 10)]


def test_skip_keep_move_pause_resume_cancel(signed_in: Browser, rt: Runtime,
                                            worker: Worker) -> None:
    client = make_client(rt, worker.id)
    url = f"/events/new/appointment?client_id={client.id}"
    signed_in.get(url)
    signed_in.post(url, _form(client.id, action="save"))
    series = _series(rt)
    page = f"/events/{series.id}"
    signed_in.get(page)
    assert signed_in.post(f"/events/{series.id}/occurrences/keep",
                          {"date": "2027-05-06"}).status_code == 302
    assert _child(rt, series.id, date(2027, 5, 6)).holiday_kept_at is not None
    assert signed_in.post(f"/events/{series.id}/occurrences/skip",
                          {"date": "2027-05-13"}).status_code == 302
    assert _child(rt, series.id, date(2027, 5, 13)).state == EventState.CANCELLED
    moved = _child(rt, series.id, date(2027, 5, 20))
    change = f"/events/{moved.id}/change"
    signed_in.get(change)
    r = signed_in.post(change, {"appointment_type": "worker", "date": "21.5.2027",
                                "time": "12.00", "place": "Kirjasto", "action": "save"})
    assert r.status_code == 302
    show = signed_in.get(page).get_data(as_text=True)
    assert "siirretty" in show and "pe 21.5.2027 klo 12.00" in show
    signed_in.post(f"/events/{series.id}/series/pause")
    with transaction(rt.sessions) as session:
        planned = session.scalars(select(Reminder).join(Event).where(
            Event.series_id == series.id, Reminder.state == ReminderState.PLANNED)).all()
        assert planned == []
    assert "Sarja on tauolla" in signed_in.get(page).get_data(as_text=True)
    signed_in.post(f"/events/{series.id}/series/resume")
    with transaction(rt.sessions) as session:
        assert session.scalars(select(Reminder).join(Event).where(
            Event.series_id == series.id, Reminder.state == ReminderState.PLANNED)).first()
    signed_in.post(f"/events/{series.id}/series/cancel")
    assert _series(rt).state == EventState.CANCELLED
    assert _child(rt, series.id, date(2027, 6, 3)).state == EventState.CANCELLED
    assert signed_in.get(f"/events/{series.id}/cancel").status_code == 302
