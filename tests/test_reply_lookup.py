"""The SMS webhook reads who wrote and what they answer in one statement
(domain/replies/sender_lookup.py), and what it reads there is what the separate
look-ups read: the sender, the event and reminder answered, the question last asked,
and where the item goes. Through the signed /twilio/sms webhook, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select

from service.domain.replies.sender_lookup import look_up_sender
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import Client, Message, Reminder, TrustedPerson, Worker
from tests.conftest import Api, load_all
from tests.reach import hel, inbox, new_appointment, new_client, reminders, run, sms_reply

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 20, 9, 0)
CLIENT = "+358401234567"
PERSON = {"name": "Liisa Mäkinen", "phone": "050 765 4321", "relation": "support_person",
          "consent_method": "in_person"}


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the service's engine runs meanwhile, first word and table."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(" ".join(sql.split()[:1]).upper())

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_reply_to_a_reminder_is_read_in_one_statement(
        api: Api, rt: Runtime, engine: Engine, client: FlaskClient, worker: Worker) -> None:
    cid = new_client(api)
    appointment = new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, hel(2026, 9, 23, 10, 0, 1))  # the week-before text went out
    with statements(engine) as seen:
        sms_reply(client, CLIENT, "Kyllä tulen", hel(2026, 9, 23, 12, 0))
    [item] = inbox(rt)
    week = next(r for r in reminders(rt, appointment["id"]) if r.rule_id == "week_before")
    # Read against the reminder's question, about that reminder's event, to the worker.
    assert (item.intent, item.event_id, item.reminder_id) == ("confirm", appointment["id"],
                                                                week.id)
    assert (item.worker_id, item.cover) == (worker.id, False)
    # The webhook: the team files' version, then the text stored as delivered (on
    # PostgreSQL the table's trigger rings the workers' doorbell); nothing is read there.
    stored = seen.index("INSERT")
    assert seen[:stored + 1] == ["SELECT", "INSERT"], seen
    reading = seen[stored + 1:]
    postgres = engine.dialect.name == "postgresql"
    if postgres:  # the reader's advisory lock
        assert reading[:1] == ["SELECT"], seen
        reading = reading[1:]
    # The worker's reading: the stored text and the one look-up before its first write;
    # nothing else reads (no separate client, question, event, worker or absence look-ups).
    first_write = next(i for i, s in enumerate(reading) if s in ("INSERT", "UPDATE"))
    assert reading[:first_write] == ["SELECT", "SELECT"], seen
    # then the reader looks for more and finds none (on PostgreSQL after its lock)
    reading, more = (reading[:-2], reading[-2:]) if postgres else (reading[:-1], reading[-1:])
    assert more == ["SELECT"] * len(more), seen
    assert reading.count("SELECT") <= 3, seen  # + the answered event's planned reminders
    assert reading.count("DELETE") == 1, seen  # the stored text, in the same transaction


def test_what_the_look_up_reads_for_a_client_with_nothing_sent(
        api: Api, rt: Runtime, worker: Worker) -> None:
    cid = new_client(api)
    appointment = new_appointment(api, cid, STARTS, REGISTERED)
    with transaction(rt.sessions) as session:
        found = look_up_sender(session, CLIENT, STARTS.date(), to="+358451234567")
        [only] = found.candidates
        assert (only.client.id, only.event and only.event.id, only.reminder) == (
            cid, appointment["id"], None)  # the latest event, no reminder sent yet
        assert (only.desk.active, only.desk.away) == (True, None)
        assert found.question is None
        assert look_up_sender(session, "+358409999999", STARTS.date()).candidates == []


def test_the_clients_own_stop_after_a_reminder_to_their_trusted_person(
        api: Api, rt: Runtime, client: FlaskClient) -> None:
    """The last reminder about the client went to their trusted person; the client then
    texts LOPETA from their own phone. It is the client's stop, never the person's."""
    cid = new_client(api)
    pid = api.post(f"/clients/{cid}/trusted-persons", PERSON).json["id"]
    appointment = new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, hel(2026, 9, 29, 12, 0, 1))  # the day-before reminders, also the person's
    last = load_all(rt, select(Message).where(Message.direction == "out",
                                              Message.client_id == cid)
                    .order_by(Message.created_at.desc(), Message.id.desc()).limit(1))[0]
    assert last.reminder_id is not None
    with transaction(rt.sessions) as session:
        about = session.get(Reminder, last.reminder_id)
        assert about is not None and about.recipient == "trusted"  # the case under test
    sms_reply(client, CLIENT, "LOPETA", hel(2026, 9, 29, 13, 0))
    with transaction(rt.sessions) as session:
        who = session.get(Client, cid)
        person = session.get(TrustedPerson, pid)
        assert who is not None and who.opted_out
        assert person is not None and person.active and not person.opted_out
        reply = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert (reply.client_id, reply.event_id) == (cid, appointment["id"])
    assert [i.kind for i in inbox(rt)] == ["stop"]
