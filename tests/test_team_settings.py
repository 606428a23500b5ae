"""Two teams with their own names, numbers, windows, senders and a template of their own:
a client hears from THEIR team, on both send paths, in ad-hoc texts, notices and calls;
a reply is routed by the number it was sent to (issue 15, teams as things with settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from service.domain.events import notices
from service.domain.messages.to_clients import queue_client_text
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime, build_runtime
from service.scheduling.adhoc_messages import send_message
from service.scheduling.claims import claim_due
from service.scheduling.dispatch import tick
from service.scheduling.reminder_send import Outcome, process_reminder
from service.store.db import transaction
from service.store.models import (
    Client,
    InboxItem,
    Message,
    Reminder,
    Team,
    TrustedPerson,
    Worker,
)
from service.store.states import InboxKind, ReminderState
from tests.conftest import signed_post
from tests.scale.seed import phone, seed_due

T0 = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)  # Wednesday 12:00 in Helsinki
INSTALLATION_FROM = "+358451234567"  # the conftest config's [twilio] from_number
B_SENDER = "+358457770000"
B_PHONE = "+358402223333"
OWN_LINE = "oma pohja"


@dataclass(frozen=True)
class TeamB:
    id: int
    folder: Path


def _team_b(rt: Runtime, tmp_path: Path, *, window: str | None = None,
            sender: str | None = B_SENDER) -> TeamB:
    """Team B: its own name (and Swedish name), numbers, sender and one template of its
    own; its window only when asked for."""
    folder = tmp_path / "pihtipudas"
    own = folder / "message_templates" / "sms"
    own.mkdir(parents=True)
    (own / "appointment_reminder.fi.txt").write_text(
        f"[client] {{team}}: {OWN_LINE} {{when}}\n[trusted] {{team}}: läheisesi aika {{when}}\n"
        "[client come] {place}\nVastaa 1 = tulen, 2 = en pääse.\nSoita {team_phone}\n",
        encoding="utf-8")
    with transaction(rt.sessions) as session:
        team = Team(name="Pihtipudas", name_sv="Pihtipudas sv", phone=B_PHONE,
                    booking_number="+358800999888", sender=sender, window=window,
                    files_dir=str(folder))
        session.add(team)
        session.flush()
        return TeamB(team.id, folder)


def _into_team(rt: Runtime, team_id: int, reminder_ids: list[int]) -> None:
    with transaction(rt.sessions) as session:
        clients = select(Reminder.client_id).where(Reminder.id.in_(reminder_ids))
        session.execute(update(Client).where(Client.id.in_(clients)).values(team_id=team_id))


def _message_of(rt: Runtime, reminder_id: int) -> Message:
    with transaction(rt.sessions) as session:
        message = session.scalars(select(Message).where(Message.reminder_id == reminder_id)).one()
        session.expunge(message)
        return message


def _sent_from(gateway: DevelopmentGateway, to: str) -> tuple[str, str | None]:
    """The body and the sender the gateway was asked to use for the text to `to`."""
    [(body, sender)] = [(s[2], who) for s, who in zip(gateway.sent, gateway.senders,
                                                      strict=True) if s[1] == to]
    return body, sender


def test_each_client_hears_from_their_own_team_on_the_batch_path(
        rt: Runtime, gateway: DevelopmentGateway, tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path)
    ids = seed_due(rt.engine, 4, T0 - timedelta(minutes=1))
    _into_team(rt, team_b.id, ids[2:])
    result = tick(rt, now=T0)
    assert result.claimed == 4 and result.delivered == 4
    for i, reminder_id in enumerate(ids):
        message = _message_of(rt, reminder_id)
        body, sender = _sent_from(gateway, phone(i))
        assert body == message.body
        if i < 2:  # team A, the installation's own team: its name, number and sender
            assert body.startswith("Sosiaalitoimi: aikasi") and OWN_LINE not in body
            assert "040 111 1111" in body
            assert message.from_number == INSTALLATION_FROM
        else:  # team B: its name, its number, its own template, its sender
            assert body.startswith(f"Pihtipudas: {OWN_LINE}")
            assert "040 222 3333" in body and "Sosiaalitoimi" not in body
            assert message.from_number == B_SENDER and sender == B_SENDER


def test_the_single_path_says_and_sends_the_same(rt: Runtime, gateway: DevelopmentGateway,
                                                 tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path)
    ids = seed_due(rt.engine, 2, T0 - timedelta(minutes=1))
    _into_team(rt, team_b.id, ids[1:])
    for claim in claim_due(rt, T0, "w", 10):
        assert process_reminder(rt, claim.id, T0, "w") in (Outcome.SENT, Outcome.DELIVERED)
    a, b = _message_of(rt, ids[0]), _message_of(rt, ids[1])
    assert a.body is not None and a.body.startswith("Sosiaalitoimi: aikasi")
    assert a.from_number == INSTALLATION_FROM
    assert b.body is not None and b.body.startswith(f"Pihtipudas: {OWN_LINE}")
    assert b.from_number == B_SENDER and _sent_from(gateway, phone(1))[1] == B_SENDER


def test_a_teams_window_holds_its_clients_reminders_only(rt: Runtime, tmp_path: Path) -> None:
    """At 12.00 on a Wednesday team A's window (08-20) is open, team B's (13-16) not:
    B's reminder waits until 13.00 on both paths."""
    team_b = _team_b(rt, tmp_path, window="13:00-16:00")
    batch = seed_due(rt.engine, 2, T0 - timedelta(minutes=1))
    single = seed_due(rt.engine, 1, T0 - timedelta(minutes=1), first=10)
    _into_team(rt, team_b.id, batch[1:] + single)
    with transaction(rt.sessions) as session:
        session.execute(update(Reminder).where(Reminder.id.in_(single))
                        .values(send_at=T0 + timedelta(minutes=1)))
    result = tick(rt, now=T0)
    assert (result.claimed, result.delivered, result.deferred) == (2, 1, 1)
    [claim] = claim_due(rt, T0 + timedelta(minutes=1), "w", 10)
    assert process_reminder(rt, claim.id, T0 + timedelta(minutes=1), "w") == Outcome.DEFERRED
    with transaction(rt.sessions) as session:
        for reminder_id in (batch[1], single[0]):
            reminder = session.get(Reminder, reminder_id)
            assert reminder is not None and reminder.state == ReminderState.PLANNED
            assert reminder.send_at == datetime(2026, 6, 3, 10, 0, tzinfo=UTC)  # 13.00 local


def test_a_workers_text_goes_from_the_clients_team(rt: Runtime, gateway: DevelopmentGateway,
                                                   worker: Worker, tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path)
    [reminder_id] = seed_due(rt.engine, 1, T0)
    _into_team(rt, team_b.id, [reminder_id])
    with transaction(rt.sessions) as session:
        client = session.get(Client, session.get(Reminder, reminder_id).client_id)
        message = queue_client_text(session, rt, client, "Soitan huomenna.", worker.id, T0) \
            if client is not None else None
        assert message is not None and message.from_number == B_SENDER
        message_id = message.id
    assert send_message(rt, message_id, T0)
    assert gateway.sent[-1][2] == "Soitan huomenna." and gateway.senders[-1] == B_SENDER


def test_a_team_without_a_sender_sends_from_the_installations(rt: Runtime,
                                                              gateway: DevelopmentGateway,
                                                              tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path, sender=None)
    [reminder_id] = seed_due(rt.engine, 1, T0 - timedelta(minutes=1))
    _into_team(rt, team_b.id, [reminder_id])
    tick(rt, now=T0)
    message = _message_of(rt, reminder_id)
    assert message.from_number == INSTALLATION_FROM and message.body is not None
    assert message.body.startswith("Pihtipudas")


def test_a_broken_team_folder_stops_the_start_naming_the_team(rt: Runtime,
                                                              tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path)
    (team_b.folder / "message_templates" / "sms" / "appointment_reminder.fi.txt").write_text(
        "{team}: katso kela.fi/asiointi {when}\n", encoding="utf-8")
    named = r"(?s)team \d+ \(Pihtipudas, folder .*pihtipudas\).*appointment_reminder.fi.txt.*link"
    with pytest.raises(ValueError, match=named):
        build_runtime(rt.config, engine=rt.engine, gateway=DevelopmentGateway())


def test_an_edit_reaches_the_next_pass(rt: Runtime, tmp_path: Path) -> None:
    """A team edited (in the UI, by another process) is in force at the next pass."""
    team_b = _team_b(rt, tmp_path)
    assert rt.for_team(team_b.id).sender.team == "Pihtipudas"
    with transaction(rt.sessions) as session:
        team = session.get(Team, team_b.id)
        assert team is not None
        team.name = "Pihtipudas PP"
    [reminder_id] = seed_due(rt.engine, 1, T0 - timedelta(minutes=1))
    _into_team(rt, team_b.id, [reminder_id])
    tick(rt, now=T0)
    body = _message_of(rt, reminder_id).body
    assert body is not None and body.startswith("Pihtipudas PP:")


# Inbound: one number is a client in both teams; the number texted decides whose reply.

def _same_number_in_both(rt: Runtime, team_b: int) -> tuple[int, int]:
    with transaction(rt.sessions) as session:
        a = Client(name="Aino A", phone="+358409876543", number_type="mobile", language="fi",
                   channel="auto", team_id=1)
        b = Client(name="Aino B", phone="+358409876543", number_type="mobile", language="fi",
                   channel="auto", team_id=team_b)
        session.add_all([a, b])
        session.flush()
        return a.id, b.id


def _text(app: Flask, sid: str, to: str, sender: str = "+358409876543") -> None:
    response = signed_post(app.test_client(), "/twilio/sms", {
        "MessageSid": sid, "From": sender, "To": to, "Body": "Soita minulle"})
    assert response.status_code == 200


def _item_of(rt: Runtime, sid: str) -> tuple[int | None, int]:
    with transaction(rt.sessions) as session:
        message = session.scalars(select(Message).where(Message.gateway_sid == sid)).one()
        item = session.scalars(select(InboxItem).where(InboxItem.message_id == message.id)).one()
        return message.client_id, item.team_id


def test_a_reply_goes_to_the_client_of_the_team_whose_number_was_texted(
        app: Flask, rt: Runtime, tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path)
    a, b = _same_number_in_both(rt, team_b.id)
    _text(app, "SM" + "b" * 32, B_SENDER)
    _text(app, "SM" + "a" * 32, INSTALLATION_FROM)
    assert _item_of(rt, "SM" + "b" * 32) == (b, team_b.id)
    assert _item_of(rt, "SM" + "a" * 32) == (a, 1)


def test_a_stranger_reaches_the_inbox_of_the_team_they_texted(app: Flask, rt: Runtime,
                                                             tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path)
    _text(app, "SM" + "c" * 32, B_SENDER, sender="+358401112223")
    _text(app, "SM" + "d" * 32, INSTALLATION_FROM, sender="+358401112223")
    assert _item_of(rt, "SM" + "c" * 32) == (None, team_b.id)
    assert _item_of(rt, "SM" + "d" * 32) == (None, 1)
    with transaction(rt.sessions) as session:
        kinds = set(session.scalars(select(InboxItem.kind)))
        assert kinds == {InboxKind.UNKNOWN_SENDER}


def test_a_call_to_team_bs_number_is_put_through_to_team_b(app: Flask, rt: Runtime,
                                                          tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path)
    _same_number_in_both(rt, team_b.id)
    params = {"CallSid": "CA" + "e" * 32, "From": "+358409876543", "To": B_SENDER}
    body = signed_post(app.test_client(), "/twilio/voice/incoming", params).get_data(
        as_text=True)
    assert B_PHONE in body and "+358401111111" not in body
    params["To"] = INSTALLATION_FROM
    body = signed_post(app.test_client(), "/twilio/voice/incoming", params).get_data(
        as_text=True)
    assert "+358401111111" in body and B_PHONE not in body


def test_a_notice_and_a_call_speak_for_the_clients_team(
        app: Flask, rt: Runtime, gateway: DevelopmentGateway, tmp_path: Path) -> None:
    team_b = _team_b(rt, tmp_path)
    [voice] = seed_due(rt.engine, 1, T0 - timedelta(minutes=1), channel="voice")
    _into_team(rt, team_b.id, [voice])
    tick(rt, now=T0)
    call = _message_of(rt, voice)
    assert call.from_number == B_SENDER and gateway.senders[-1] == B_SENDER
    twiml = signed_post(app.test_client(), f"/twilio/voice/{call.callback_token}",
                        {"CallSid": "CA" + "f" * 32, "AnsweredBy": "human"}).get_data(
        as_text=True)
    assert "Pihtipudas" in twiml and "Sosiaalitoimi" not in twiml
    with transaction(rt.sessions) as session:
        event = session.get(Reminder, voice).event
        notice = notices.queue_notice(session, rt, event, notices.CANCELLED, now=T0,
                                      worker_id=None)
        assert notice.message is not None and notice.message.from_number == B_SENDER
        assert "Pihtipudas" in notice.message.body


def test_a_text_through_a_teams_messaging_service_reaches_that_team(
        app: Flask, rt: Runtime, tmp_path: Path) -> None:
    service = "MG" + "0a" * 16
    team_b = _team_b(rt, tmp_path, sender=service)
    _, b = _same_number_in_both(rt, team_b.id)
    response = signed_post(app.test_client(), "/twilio/sms", {
        "MessageSid": "SM" + "9" * 32, "From": "+358409876543", "To": "+358457001122",
        "MessagingServiceSid": service, "Body": "Soita minulle"})
    assert response.status_code == 200
    assert _item_of(rt, "SM" + "9" * 32) == (b, team_b.id)


def test_a_trusted_persons_reply_goes_to_the_team_whose_number_was_texted(
        app: Flask, rt: Runtime, tmp_path: Path) -> None:
    """One person is a trusted person of a client in each team: their text to team B's
    number is about team B's client, and lands in team B."""
    team_b = _team_b(rt, tmp_path)
    close_one = "+358401230000"
    with transaction(rt.sessions) as session:
        a = Client(name="Aino A", phone="+358409876501", number_type="mobile",
                   language="fi", channel="auto", team_id=1)
        b = Client(name="Bertta B", phone="+358409876502", number_type="mobile",
                   language="fi", channel="auto", team_id=team_b.id)
        session.add_all([a, b])
        session.flush()
        for client in (b, a):  # team A's is the newer: the old rule would pick it
            session.add(TrustedPerson(client_id=client.id, name="Liisa Läheinen",
                                      phone=close_one, number_type="mobile",
                                      consent_at=T0, consent_method="in_person"))
            session.flush()
        a_id, b_id = a.id, b.id
    _text(app, "SM" + "e" * 32, B_SENDER, sender=close_one)
    _text(app, "SM" + "f" * 32, INSTALLATION_FROM, sender=close_one)
    assert _item_of(rt, "SM" + "e" * 32) == (b_id, team_b.id)
    assert _item_of(rt, "SM" + "f" * 32) == (a_id, 1)
