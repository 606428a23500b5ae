"""Retention with a controlled clock: what is erased, what is anonymised, what is kept."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import select

from service.domain.privacy.anonymise import ERASED_NAME, ERASED_SUMMARY, ERASED_TASK_TEXT
from service.domain.privacy.retention import RetentionResult, run_retention
from service.privacy_commands import retention_command
from service.runtime import Runtime
from service.scheduling.daily import add_daily_jobs
from service.store.db import transaction
from service.store.models import (
    AuditEntry,
    Client,
    Event,
    InboxItem,
    Message,
    Reminder,
    TrustedPerson,
    Worker,
)

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MESSAGE_DAYS, INACTIVE_DAYS = 90, 730


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _client(session, name: str, phone: str, last: datetime, worker: Worker) -> Client:
    client = Client(name=name, phone=phone, number_type="mobile", worker_id=worker.id,
                    created_at=ago(1000), updated_at=last, last_activity_at=last)
    session.add(client)
    session.flush()
    return client


def _message(session, client: Client, at: datetime, body: str, direction: str = "out",
             **kw) -> Message:
    m = Message(direction=direction, channel="sms", client_id=client.id,
                to_number=client.phone if direction == "out" else "+358451234567",
                from_number="+358451234567" if direction == "out" else client.phone,
                body=body, status="delivered", created_at=at, updated_at=at, **kw)
    session.add(m)
    session.flush()
    return m


def _appointment(session, client: Client, starts: datetime, place: str, **kw) -> Event:
    e = Event(client_id=client.id, kind="appointment", appointment_type="health",
              starts_at=starts, place=place, bring="henkilökortti", created_at=starts - 30 * DAY,
              updated_at=starts - 30 * DAY, **kw)
    session.add(e)
    session.flush()
    return e


@pytest.fixture
def seeded(rt: Runtime, worker: Worker) -> dict[str, int]:
    """A small world with known answers (see each comment)."""
    with transaction(rt.sessions) as s:
        active = _client(s, "Aktiivi Asiakas", "+358401110001", ago(5), worker)
        old_msg = _message(s, active, ago(90) - timedelta(seconds=1), "vanha muistutus")
        old_msg.reading_reason = "epävarma 'vanha'"  # quotes the words: erased with them
        edge_msg = _message(s, active, ago(90), "juuri ja juuri säilyvä")
        new_msg = _message(s, active, ago(10), "kyllä tulen", direction="in")
        old_event = _appointment(s, active, ago(800), "Vanha paikka 1")  # inactive event
        new_event = _appointment(s, active, ago(20), "Uusi paikka 2")
        old_task = InboxItem(worker_id=worker.id, client_id=active.id, kind="task",
                             summary="Kysy Aktiivilta päätöksestä", created_at=ago(100))
        new_task = InboxItem(worker_id=worker.id, client_id=active.id, kind="task",
                             summary="Kysy päätöksestä", created_at=ago(5))
        old_reply_item = InboxItem(worker_id=worker.id, client_id=active.id, kind="reply",
                                   summary="Asiakas vahvisti.", created_at=ago(100))
        s.add_all([old_task, new_task, old_reply_item])

        gone = _client(s, "Unohtunut Asiakas", "+358401110002", ago(731), worker)
        gone_event = _appointment(s, gone, ago(740), "Terveysasema, Kuja 3",
                                  state="confirmed")
        gone_app = Event(client_id=gone.id, kind="application", agency="Kela",
                         submitted_on=date(2024, 1, 2), decision_expected=date(2024, 3, 1),
                         state="decided", decided_at=ago(760), created_at=ago(900),
                         updated_at=ago(760))
        s.add(gone_app)
        gone_out = _message(s, gone, ago(745), "muistutus Kuja 3")
        gone_in = _message(s, gone, ago(744), "en pääse", direction="in")
        s.add(TrustedPerson(client_id=gone.id, name="Sisko Läheinen", phone="+358401110003",
                            number_type="mobile", consent_at=ago(900),
                            consent_method="in_person"))
        s.add(InboxItem(worker_id=worker.id, client_id=gone.id, kind="task",
                        summary="Soita Unohtuneelle", created_at=ago(744)))

        upcoming = _client(s, "Tuleva Asiakas", "+358401110004", ago(800), worker)
        _appointment(s, upcoming, NOW + 10 * DAY, "Kela, Torikatu 1")  # keeps it active
        messaged = _client(s, "Viestitty Asiakas", "+358401110005", ago(800), worker)
        _message(s, messaged, ago(100), "viesti sadan päivän takaa")  # keeps it active
        s.flush()
        return {"active": active.id, "old_msg": old_msg.id, "edge_msg": edge_msg.id,
                "new_msg": new_msg.id, "old_event": old_event.id, "new_event": new_event.id,
                "old_task": old_task.id, "new_task": new_task.id,
                "old_reply_item": old_reply_item.id, "gone": gone.id,
                "gone_event": gone_event.id, "gone_app": gone_app.id,
                "gone_out": gone_out.id, "gone_in": gone_in.id, "upcoming": upcoming.id,
                "messaged": messaged.id}


def run(rt: Runtime) -> RetentionResult:
    return run_retention(rt.sessions, NOW, MESSAGE_DAYS, INACTIVE_DAYS)


def test_retention_erases_and_keeps_exactly_what_it_should(rt: Runtime,
                                                           seeded: dict[str, int]) -> None:
    result = run(rt)
    # bodies older than 90 days: old_msg, and the gone client's two (the edge one stays);
    # "messaged" has one 100 days old too.
    assert result == RetentionResult(bodies_erased=4, task_texts_erased=2,
                                     events_anonymised=1, clients_anonymised=1)
    with transaction(rt.sessions) as s:
        get = s.get
        assert get(Message, seeded["old_msg"]).body is None
        assert get(Message, seeded["old_msg"]).body_erased_at == NOW
        assert get(Message, seeded["old_msg"]).reading_reason is None
        assert get(Message, seeded["old_msg"]).to_number == "+358401110001"  # kept: active
        assert get(Message, seeded["edge_msg"]).body == "juuri ja juuri säilyvä"
        assert get(Message, seeded["new_msg"]).body == "kyllä tulen"
        assert get(InboxItem, seeded["old_task"]).summary == ERASED_TASK_TEXT
        assert get(InboxItem, seeded["new_task"]).summary == "Kysy päätöksestä"
        assert get(InboxItem, seeded["old_reply_item"]).summary == "Asiakas vahvisti."

        old_event, new_event = get(Event, seeded["old_event"]), get(Event, seeded["new_event"])
        assert (old_event.place, old_event.bring, old_event.anonymised_at) == (None, None, NOW)
        assert old_event.appointment_type == "health" and old_event.starts_at == ago(800)
        assert (new_event.place, new_event.anonymised_at) == ("Uusi paikka 2", None)
        assert get(Client, seeded["active"]).name == "Aktiivi Asiakas"

        gone = get(Client, seeded["gone"])
        assert (gone.name, gone.phone, gone.anonymised_at, gone.opted_out) == (
            ERASED_NAME, "", NOW, True)
        assert gone.worker_id is None
        event, app = get(Event, seeded["gone_event"]), get(Event, seeded["gone_app"])
        assert (event.place, event.bring, event.state) == (None, None, "confirmed")
        assert (app.agency, app.state, app.submitted_on) == ("Kela", "decided", date(2024, 1, 2))
        out, inbound = get(Message, seeded["gone_out"]), get(Message, seeded["gone_in"])
        assert (out.body, out.to_number, inbound.body, inbound.from_number) == (
            None, "", None, "")
        person = s.scalars(select(TrustedPerson)).one()
        assert (person.name, person.phone, person.active) == (ERASED_NAME, "", False)
        summaries = s.scalars(select(InboxItem.summary).where(
            InboxItem.client_id == seeded["gone"])).all()
        assert summaries == [ERASED_SUMMARY]

        for key in ("upcoming", "messaged"):
            assert get(Client, seeded[key]).anonymised_at is None

        audits = [(a.action, a.object_type, a.object_id, a.detail) for a in s.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]
    assert audits == [
        ("anonymise", "client", seeded["gone"],
         "retention messages=2 events=2 trusted_persons=1 inbox_items=1"),
        ("erase", "retention", None, "bodies_erased=4 task_texts_erased=2 "
                                     "events_anonymised=1 clients_anonymised=1"),
    ]


def test_a_second_run_finds_nothing_more(rt: Runtime, seeded: dict[str, int]) -> None:
    run(rt)
    assert run(rt) == RetentionResult()


def test_a_day_later_the_edge_message_goes_too(rt: Runtime, seeded: dict[str, int]) -> None:
    run(rt)
    later = run_retention(rt.sessions, NOW + DAY, MESSAGE_DAYS, INACTIVE_DAYS)
    assert later.bodies_erased == 1
    with transaction(rt.sessions) as s:
        assert s.get(Message, seeded["edge_msg"]).body is None


def test_pending_reminders_keep_a_client(rt: Runtime, worker: Worker) -> None:
    with transaction(rt.sessions) as s:
        c = _client(s, "Odottava", "+358401110009", ago(800), worker)
        e = _appointment(s, c, ago(790), "Paikka")
        s.add(Reminder(event_id=e.id, client_id=c.id, rule_id="r", template="t", channel="sms",
                       send_at=ago(795), state="uncertain", created_at=ago(800),
                       updated_at=ago(800)))
    assert run(rt).clients_anonymised == 0


def test_counts_are_logged_without_content(rt: Runtime, seeded: dict[str, int],
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="service.domain.privacy.retention")
    run(rt)
    assert ("retention: bodies_erased=4 task_texts_erased=2 events_anonymised=1 "
            "clients_anonymised=1") in caplog.text
    assert "Unohtunut" not in caplog.text and "401110002" not in caplog.text


def test_cli_runs_retention_as_of_a_given_moment(app: Flask, rt: Runtime,
                                                 seeded: dict[str, int]) -> None:
    result = app.test_cli_runner().invoke(retention_command,
                                          ["--now", "2026-06-01T03:00:00+03:00"])
    assert result.exit_code == 0, result.output
    assert "viestien tekstejä poistettu 4" in result.output
    assert "asiakkaita anonymisoitu 1" in result.output
    with transaction(rt.sessions) as s:
        assert s.get(Message, seeded["old_msg"]).body is None


def test_cli_refuses_a_time_without_offset(app: Flask) -> None:
    result = app.test_cli_runner().invoke(retention_command, ["--now", "2026-06-01T03:00"])
    assert result.exit_code != 0 and "aikavyöhyke" in result.output


def test_worker_schedules_retention_daily_at_three_local(rt: Runtime) -> None:
    rt = replace(rt, config=replace(rt.config, retention_message_days=MESSAGE_DAYS))
    scheduler = BackgroundScheduler(timezone="UTC")
    add_daily_jobs(scheduler, rt)
    scheduler.start(paused=True)
    try:
        trigger = scheduler.get_job("retention").trigger
        nxt = trigger.get_next_fire_time(None, datetime(2026, 6, 1, 12, tzinfo=rt.config.tz))
        assert nxt == datetime(2026, 6, 2, 3, 0, tzinfo=rt.config.tz)
        winter = trigger.get_next_fire_time(None, datetime(2026, 1, 10, 4, tzinfo=rt.config.tz))
        assert winter.astimezone(UTC) == datetime(2026, 1, 11, 1, tzinfo=UTC)
        # Never ran before: a catch-up run is queued shortly after start.
        assert scheduler.get_job("retention_catch_up") is not None
    finally:
        scheduler.shutdown(wait=False)


def test_no_catch_up_when_retention_ran_recently(rt: Runtime) -> None:
    run_retention(rt.sessions, datetime.now(UTC), MESSAGE_DAYS, INACTIVE_DAYS)
    scheduler = BackgroundScheduler(timezone="UTC")
    add_daily_jobs(scheduler, rt)
    scheduler.start(paused=True)
    try:
        assert scheduler.get_job("retention_catch_up") is None
    finally:
        scheduler.shutdown(wait=False)
