"""A text is stored as Twilio delivered it and read by the worker's pass before anything
more goes to its number (domain/replies/received.py, scheduling/text_reading.py).
Through the signed /twilio/sms webhook and real dispatch passes, on both databases,
with a controlled clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from service import clock
from service.cli import read_texts_command
from service.domain.inbox import holds
from service.domain.replies import corrections, unreadable
from service.domain.replies.received import MAX_ATTEMPTS
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling import dispatch, text_reading
from service.scheduling.claims import Claim
from service.scheduling.dispatch import tick
from service.scheduling.text_reading import read_waiting
from service.store.db import transaction
from service.store.models import Client, InboundText, InboxItem, Message, Reminder, Worker
from service.store.work_signal import listening_connection, work_signal
from tests.conftest import Api, load_all, signed_post
from tests.reach import hel, inbox, new_appointment, new_client, run
from tests.test_health import metric_lines

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 20, 9, 0)
DUE = hel(2026, 9, 23, 10, 0, 1)  # the week-before text is due
CLIENT = "+358401234567"
OTHER = "+358401234568"
TRUSTED = "+358507654321"
_sids = iter(range(1, 10_000))


def store(client: FlaskClient, sender: str, body: str, sid: str | None = None) -> str:
    """The webhook as Twilio calls it; the text is stored, not read."""
    sid = sid or f"SM{next(_sids):032d}"
    r = signed_post(client, "/twilio/sms", {"MessageSid": sid, "AccountSid": "AC" + "0" * 32,
                                            "From": sender, "To": "+358451234567",
                                            "Body": body}, read=False)
    assert r.status_code == 200
    return sid


def stored(rt: Runtime) -> list[InboundText]:
    return load_all(rt, select(InboundText).order_by(InboundText.id))


def inbound(rt: Runtime) -> list[Message]:
    return load_all(rt, select(Message).where(Message.direction == "in").order_by(Message.id))


def texts_to(gateway: DevelopmentGateway, phone: str) -> list[str]:
    return [body for kind, to, body in gateway.sent if kind == "sms" and to == phone]


@contextmanager
def listening(engine: Engine) -> Iterator[Callable[[], int]]:
    """On PostgreSQL a connection of its own LISTENing on the workers' channel (the
    one store/work_signal.listen uses); yields: how many notifications came (waiting at
    most 10 s for the first). On SQLite there is nothing to hear: 0."""
    if engine.dialect.name != "postgresql":
        yield lambda: 0
        return
    with listening_connection(engine) as conn:
        yield lambda: len(list(conn.notifies(timeout=10.0, stop_after=1)))


def opted_out(rt: Runtime, phone: str) -> bool:
    with transaction(rt.sessions) as session:
        return bool(session.scalar(select(Client.opted_out).where(Client.phone == phone)))


def test_the_webhook_stores_the_text_and_the_next_pass_reads_it(
        api: Api, rt: Runtime, engine: Engine, client: FlaskClient, worker: Worker) -> None:
    new_client(api)
    clock.freeze(hel(2026, 9, 23, 12, 0))
    bell = work_signal(rt.engine).doorbell()
    with listening(engine) as heard:
        sid = store(client, CLIENT, "Soittakaa minulle")
        # Stored as delivered, nothing read yet; the commit rang this process's bell and,
        # on PostgreSQL, the table's trigger notified the other processes' workers.
        assert heard() == (1 if engine.dialect.name == "postgresql" else 0)
    [text] = stored(rt)
    assert (text.gateway_sid, text.from_number, text.body, text.attempts) == (
        sid, CLIENT, "Soittakaa minulle", 0)
    assert inbound(rt) == [] and inbox(rt) == []
    assert bell.wait(0)

    result = run(rt, hel(2026, 9, 23, 12, 0, 2))
    assert (result.texts_read, result.texts_failed) == (1, 0)
    [message] = inbound(rt)
    [item] = inbox(rt)
    assert (message.gateway_sid, message.intent, item.message_id) == (sid, "callback", message.id)
    assert item.worker_id == worker.id
    assert message.created_at == hel(2026, 9, 23, 12, 0)  # when it came, not when read
    assert stored(rt) == []


def test_a_stop_stored_before_a_pass_is_in_force_before_its_reminder(
        api: Api, rt: Runtime, client: FlaskClient, gateway: DevelopmentGateway) -> None:
    new_appointment(api, new_client(api), STARTS, REGISTERED)
    clock.freeze(hel(2026, 9, 23, 9, 59))
    store(client, CLIENT, "LOPETA")
    result = run(rt, DUE)
    assert result.texts_read == 1
    assert opted_out(rt, CLIENT)
    # Only the opt-out's confirmation went to the number: the due reminder did not.
    [confirmation] = texts_to(gateway, CLIENT)
    assert "ALOITA" in confirmation
    with transaction(rt.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.state == "sent")) == 0


def test_a_stop_stored_while_a_batch_is_claimed_is_read_before_it_is_prepared(
        api: Api, rt: Runtime, client: FlaskClient, gateway: DevelopmentGateway,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two clients due in the same pass, one reminder a batch: the second client's
    LOPETA comes after their reminder was claimed, before its batch is prepared."""
    new_appointment(api, new_client(api, phone=CLIENT), STARTS, REGISTERED)
    new_appointment(api, new_client(api, phone=OTHER, name="Maija Virtanen"), STARTS,
                    REGISTERED)
    claim_due = dispatch.claim_due
    stopped: list[str] = []

    def claim_then_stop(*args: Any) -> list[Claim]:
        claims = claim_due(*args)
        if claims and not stopped:
            with transaction(rt.sessions) as session:
                phone = session.scalar(select(Client.phone).join(Reminder).where(
                    Reminder.id == claims[0].id))
            assert phone is not None
            stopped.append(phone)
            store(client, phone, "LOPETA")
        return claims

    monkeypatch.setattr(dispatch, "claim_due", claim_then_stop)
    clock.freeze(DUE)
    result = tick(rt, now=DUE, limit=1)
    [phone] = stopped
    first = OTHER if phone == CLIENT else CLIENT
    assert result.texts_read == 1 and result.claimed == 2
    assert opted_out(rt, phone) and not opted_out(rt, first)
    assert len(texts_to(gateway, first)) == 1  # the first batch's reminder
    [confirmation] = texts_to(gateway, phone)  # and no reminder to the one who stopped
    assert "ALOITA" in confirmation


def test_texts_from_one_number_are_read_in_the_order_they_came(
        api: Api, rt: Runtime, client: FlaskClient) -> None:
    new_client(api)
    clock.freeze(hel(2026, 9, 23, 12, 0))
    store(client, CLIENT, "LOPETA")
    store(client, CLIENT, "ALOITA")
    assert run(rt, hel(2026, 9, 23, 12, 1)).texts_read == 2
    assert [m.intent for m in inbound(rt)] == ["stop", "start"]
    assert not opted_out(rt, CLIENT)


def test_a_text_delivered_again_is_read_once(api: Api, rt: Runtime,
                                             client: FlaskClient) -> None:
    new_client(api)
    clock.freeze(hel(2026, 9, 23, 12, 0))
    sid = store(client, CLIENT, "soita")
    store(client, CLIENT, "soita", sid)  # again while the first waits: stored once
    assert len(stored(rt)) == 1
    run(rt, hel(2026, 9, 23, 12, 1))
    store(client, CLIENT, "soita", sid)  # again after it was read
    assert len(stored(rt)) == 1
    assert run(rt, hel(2026, 9, 23, 12, 2)).texts_read == 1  # (dropped, not read again)
    assert len(inbound(rt)) == 1 and len(inbox(rt)) == 1
    assert stored(rt) == []


def broken(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("a fault in the reading")


def reminder_states(rt: Runtime) -> list[tuple[str, str | None]]:
    return [(r.state, r.reason) for r in
            load_all(rt, select(Reminder).where(Reminder.rule_id == "week_before"))]


def test_a_reading_that_keeps_failing_goes_unread_to_the_worker_and_holds_the_client(
        api: Api, rt: Runtime, client: FlaskClient, gateway: DevelopmentGateway,
        worker: Worker, monkeypatch: pytest.MonkeyPatch) -> None:
    """The text might say LOPETA: from its first failed reading until a worker has read
    it, nothing automated goes to the client; the failing reading costs nobody else."""
    new_appointment(api, new_client(api), STARTS, REGISTERED)
    new_appointment(api, new_client(api, phone=OTHER, name="Maija Virtanen"), STARTS,
                    REGISTERED)
    clock.freeze(hel(2026, 9, 23, 9, 57))
    sid = store(client, CLIENT, "lopettakaa nää")
    monkeypatch.setattr(text_reading, "record_reply", broken)
    for minute in (58, 59):
        result = run(rt, hel(2026, 9, 23, 9, minute))
        assert (result.texts_read, result.texts_failed) == (0, 1)
    [text] = stored(rt)
    assert (text.attempts, text.last_error) == (2, "RuntimeError: a fault in the reading")
    assert inbox(rt) == []

    result = run(rt, DUE)  # the last try fails; the week-before texts are due
    assert (result.texts_read, result.texts_failed, result.held) == (0, 1, 1), result.summary()
    assert texts_to(gateway, CLIENT) == [] and len(texts_to(gateway, OTHER)) == 1
    assert stored(rt) == []  # filed: the stored copy is gone
    [message] = inbound(rt)
    assert (message.body, message.from_number, message.gateway_sid, message.intent) == (
        "lopettakaa nää", CLIENT, sid, "unknown")
    assert message.created_at == hel(2026, 9, 23, 9, 57)
    [item] = inbox(rt)
    assert (item.worker_id, item.holds, item.event_id, item.message_id, item.summary) == (
        worker.id, True, None, message.id, holds.MESSAGES[holds.UNREADABLE])
    assert ("planned", holds.HELD) in reminder_states(rt)
    assert client.get("/readyz").json["checks"]["texts"] == "ok"
    assert message.reading_reason == unreadable.REASON
    m = metric_lines(client.get("/metrics").get_data(as_text=True))
    assert (m["rinnalla_inbound_texts_filed_unread"], m["rinnalla_inbound_texts_unreadable"]) \
        == (1, 0)
    monkeypatch.undo()

    # Still held on the next passes, until the worker handles the item: then due at once.
    assert run(rt, hel(2026, 9, 23, 11, 0)).held == 1
    assert texts_to(gateway, CLIENT) == []
    clock.freeze(hel(2026, 9, 23, 11, 5))
    assert api.post(f"/inbox/{item.id}/handle").status_code == 200
    result = run(rt, hel(2026, 9, 23, 11, 5, 1))
    assert (result.held, result.sent + result.delivered) == (0, 1), result.summary()
    m = metric_lines(client.get("/metrics").get_data(as_text=True))
    assert m["rinnalla_inbound_texts_filed_unread"] == 0
    assert len(texts_to(gateway, CLIENT)) == 1
    # Twilio delivering the same text again later finds it read.
    store(client, CLIENT, "lopettakaa nää", sid)
    assert run(rt, hel(2026, 9, 23, 11, 6)).texts_read == 1
    assert len(inbound(rt)) == 1 and stored(rt) == []


def test_a_text_read_at_its_second_try_releases_what_it_held(
        api: Api, rt: Runtime, client: FlaskClient, gateway: DevelopmentGateway,
        monkeypatch: pytest.MonkeyPatch) -> None:
    new_appointment(api, new_client(api), STARTS, REGISTERED)
    clock.freeze(hel(2026, 9, 23, 9, 59))
    store(client, CLIENT, "soita minulle")
    monkeypatch.setattr(text_reading, "record_reply", broken)
    result = run(rt, DUE)
    assert (result.texts_failed, result.held) == (1, 1), result.summary()
    assert reminder_states(rt) == [("planned", holds.HELD)]
    monkeypatch.undo()
    # The next pass reads it, and the reminder it held goes in the same pass, not after
    # the hold's 30-minute recheck.
    result = run(rt, DUE + timedelta(minutes=1))
    assert (result.texts_read, result.held, result.sent + result.delivered) == (1, 0, 1)
    assert reminder_states(rt)[0][0] in ("sent", "delivered")
    assert len(texts_to(gateway, CLIENT)) == 1


def test_a_trusted_persons_failed_text_holds_their_reminders_alone(
        api: Api, rt: Runtime, client: FlaskClient, gateway: DevelopmentGateway,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The single send path asks about the trusted person's own number too; the client's
    reminders go, and the reading at the next try releases the trusted person's."""
    cid = new_client(api)
    r = api.post(f"/clients/{cid}/trusted-persons", {
        "name": "Kaisa Virtanen", "phone": "050 765 4321", "consent_method": "in_person"})
    assert r.status_code == 201, r.json
    new_appointment(api, cid, STARTS, REGISTERED)
    morning = hel(2026, 9, 30, 8, 0, 1)  # same_morning, to the client and to Kaisa
    clock.freeze(morning - timedelta(minutes=5))
    store(client, TRUSTED, "soita minulle")
    monkeypatch.setattr(text_reading, "record_reply", broken)
    result = run(rt, morning)
    assert result.texts_failed == 1 and result.held >= 1, result.summary()
    assert texts_to(gateway, TRUSTED) == [] and texts_to(gateway, CLIENT) != []
    monkeypatch.undo()
    result = run(rt, morning + timedelta(minutes=1))
    assert result.texts_read == 1 and result.held == 0, result.summary()
    assert len(texts_to(gateway, TRUSTED)) == 1


def test_a_trusted_persons_unreadable_text_holds_the_client_until_handled(
        api: Api, rt: Runtime, client: FlaskClient, gateway: DevelopmentGateway,
        worker: Worker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Filed unread with the client's worker: everything automated about the client
    waits, as for the client's own unreadable text; the worker cannot "correct" it into
    the client's answer (corrections.can_correct), only handle it."""
    cid = new_client(api)
    r = api.post(f"/clients/{cid}/trusted-persons", {
        "name": "Kaisa Virtanen", "phone": "050 765 4321", "consent_method": "in_person"})
    assert r.status_code == 201, r.json
    new_appointment(api, cid, STARTS, REGISTERED)
    clock.freeze(hel(2026, 9, 23, 9, 57))
    store(client, TRUSTED, "ei enää näitä")
    monkeypatch.setattr(text_reading, "record_reply", broken)
    for minute in (58, 59):
        run(rt, hel(2026, 9, 23, 9, minute))
    result = run(rt, DUE)  # the last try; the client's week-before text is due
    monkeypatch.undo()
    # The week-before text to the client and to Kaisa: both wait.
    assert (result.texts_failed, result.held) == (1, 2), result.summary()
    [item] = inbox(rt)
    assert (item.client_id, item.worker_id, item.holds, item.kind) == (
        cid, worker.id, True, "reply")
    assert item.summary == holds.MESSAGES[holds.UNREADABLE_TRUSTED]
    assert [(m.from_number, m.client_id) for m in inbound(rt)] == [(TRUSTED, cid)]
    assert texts_to(gateway, CLIENT) == [] and texts_to(gateway, TRUSTED) == []
    with transaction(rt.sessions) as session:
        assert not corrections.can_correct(session.get(InboxItem, item.id))
    clock.freeze(hel(2026, 9, 23, 10, 30))
    assert api.post(f"/inbox/{item.id}/handle").status_code == 200
    run(rt, hel(2026, 9, 23, 10, 30, 1))
    assert len(texts_to(gateway, CLIENT)) == len(texts_to(gateway, TRUSTED)) == 1


def test_an_unreadable_text_from_a_stranger_goes_to_the_team_inbox(
        api: Api, rt: Runtime, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    clock.freeze(hel(2026, 9, 23, 12, 0))
    store(client, OTHER, "kuka siellä")
    monkeypatch.setattr(text_reading, "record_reply", broken)
    for minute in range(1, MAX_ATTEMPTS + 1):
        run(rt, hel(2026, 9, 23, 12, minute))
    [item] = inbox(rt)
    assert (item.kind, item.worker_id, item.client_id, item.holds) == (
        "unknown_sender", None, None, False)
    assert item.team_id is not None and item.summary == unreadable.STRANGER
    assert [m.body for m in inbound(rt)] == ["kuka siellä"] and stored(rt) == []


def test_a_text_that_cannot_even_be_filed_stays_stored_and_readyz_says_so(
        api: Api, rt: Runtime, app: Flask, client: FlaskClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    new_client(api)
    clock.freeze(hel(2026, 9, 23, 12, 0))
    store(client, CLIENT, "soita")
    file_unread = text_reading.file_unread

    def half_filed(*args: Any) -> None:
        file_unread(*args)  # the message and the item written, then a fault
        raise RuntimeError("a fault in the filing")

    monkeypatch.setattr(text_reading, "record_reply", broken)
    monkeypatch.setattr(text_reading, "file_unread", half_filed)
    for minute in range(1, MAX_ATTEMPTS + 1):
        result = run(rt, hel(2026, 9, 23, 12, minute))
        assert (result.texts_read, result.texts_failed) == (0, 1)
    [text] = stored(rt)
    assert text.attempts == MAX_ATTEMPTS
    assert run(rt, hel(2026, 9, 23, 12, 10)).texts_failed == 0  # no longer tried
    assert inbound(rt) == [] and inbox(rt) == []  # the half-done filing was rolled back
    checks = client.get("/readyz").json["checks"]
    assert checks["texts"].startswith("1 asiakkaan tekstiviestiä jäi lukematta"), checks
    assert "10 min" in checks["texts"] and "rinnalla read-texts --retry" in checks["texts"]
    m = metric_lines(client.get("/metrics").get_data(as_text=True))
    assert (m["rinnalla_inbound_texts_unreadable"], m["rinnalla_inbound_texts_waiting"]) == (1, 0)

    # The cause fixed, a person asks for it to be read again; it is, and /readyz is calm.
    monkeypatch.undo()
    result = app.test_cli_runner().invoke(read_texts_command, ["--retry"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Uudelleen luettavaksi: 1", "Luettu: 1, epäonnistui: 0"]
    [message] = inbound(rt)
    assert (message.intent, message.created_at) == ("callback", hel(2026, 9, 23, 12, 0))
    assert stored(rt) == []
    assert client.get("/readyz").json["checks"]["texts"] == "ok"


def test_metrics_count_the_texts_waiting_and_their_age(api: Api, rt: Runtime,
                                                       client: FlaskClient) -> None:
    new_client(api)
    clock.freeze(hel(2026, 9, 23, 12, 0))
    store(client, CLIENT, "soita")
    store(client, OTHER, "ok")
    clock.freeze(hel(2026, 9, 23, 12, 0, 45))
    m = metric_lines(client.get("/metrics").get_data(as_text=True))
    assert m["rinnalla_inbound_texts_waiting"] == 2
    assert m["rinnalla_inbound_texts_waiting_oldest_seconds"] == 45
    assert m["rinnalla_inbound_texts_unreadable"] == 0
    run(rt, hel(2026, 9, 23, 12, 1))
    m = metric_lines(client.get("/metrics").get_data(as_text=True))
    assert (m["rinnalla_inbound_texts_waiting"],
            m["rinnalla_inbound_texts_waiting_oldest_seconds"]) == (0, 0)


def test_texts_from_several_clients_read_in_one_batch_each_land_as_alone(
        api: Api, rt: Runtime, client: FlaskClient, gateway: DevelopmentGateway,
        worker: Worker) -> None:
    """Six texts from three clients, read in one transaction: each is read against its
    own client's reminder and lands in the worker's inbox, in the order they came."""
    phones = [CLIENT, OTHER, "+358401234569"]
    events = [new_appointment(api, new_client(api, phone=p, name=f"Asiakas {i}"), STARTS,
                              REGISTERED)["id"] for i, p in enumerate(phones)]
    run(rt, DUE)  # the week-before texts went out
    clock.freeze(hel(2026, 9, 23, 12, 0))
    bodies = [(CLIENT, "Kyllä tulen"), (OTHER, "en pääse"), (phones[2], "soita"),
              (CLIENT, "kiitos"), (OTHER, "LOPETA"), (phones[2], "ok")]
    for phone, body in bodies:
        store(client, phone, body)
    assert run(rt, hel(2026, 9, 23, 12, 1)).texts_read == 6
    messages = inbound(rt)
    assert [(m.from_number, m.body) for m in messages] == bodies
    assert [m.intent for m in messages] == ["confirm", "decline", "callback", "unknown",
                                            "stop", "confirm"]
    assert [m.event_id for m in messages] == [events[0], events[1], events[2]] * 2
    assert {i.worker_id for i in inbox(rt)} == {worker.id} and len(inbox(rt)) == 6
    assert opted_out(rt, OTHER) and not opted_out(rt, CLIENT)
    assert stored(rt) == []


def test_a_constraint_failing_in_a_reading_is_that_texts_fault_not_the_passs(
        api: Api, rt: Runtime, client: FlaskClient, gateway: DevelopmentGateway,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a repeat delivery's unique sid is dropped as read; any other constraint is
    counted against the text, and the pass goes on to send what is due."""
    new_appointment(api, new_client(api, phone=OTHER, name="Maija Virtanen"), STARTS,
                    REGISTERED)
    new_client(api)
    clock.freeze(hel(2026, 9, 23, 9, 59))
    store(client, CLIENT, "soita")

    def violates(*_args: Any, **_kwargs: Any) -> None:
        raise IntegrityError("INSERT ...", {}, Exception("a constraint\nDETAIL: the row"))

    monkeypatch.setattr(text_reading, "record_reply", violates)
    result = run(rt, DUE)
    assert (result.texts_read, result.texts_failed) == (0, 1), result.summary()
    assert len(texts_to(gateway, OTHER)) == 1  # the other client's reminder went out
    [text] = stored(rt)
    assert text.attempts == 1 and text.last_error is not None
    assert text.last_error.startswith("IntegrityError: ") and "DETAIL" not in text.last_error


def test_the_reader_lock_is_this_schemas_alone(api: Api, rt: Runtime, engine: Engine,
                                               client: FlaskClient) -> None:
    """Another deployment (or test) in the same PostgreSQL database reading its own texts
    does not stop ours; another reader of ours does (it reads them itself)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite runs one process")
    new_client(api)
    clock.freeze(hel(2026, 9, 23, 12, 0))
    store(client, CLIENT, "soita")
    with engine.connect() as other:
        schema = other.scalar(select(func.current_schema()))
        lock = "SELECT pg_advisory_lock(hashtext(%(schema)s), %(key)s)"
        other.exec_driver_sql(lock, {"schema": "elsewhere", "key": text_reading.READER_LOCK})
        assert read_waiting(rt).read == 1  # another schema's reader: ours reads
        store(client, CLIENT, "ok")
        other.exec_driver_sql(lock, {"schema": schema, "key": text_reading.READER_LOCK})
        assert read_waiting(rt).read == 0  # our own schema's reader holds it: it reads
        other.exec_driver_sql("SELECT pg_advisory_unlock_all()")
    assert read_waiting(rt).read == 1
