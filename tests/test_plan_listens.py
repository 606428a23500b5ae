"""A plan that listens, end to end: the real schedule, the development gateway, a
controlled clock, on SQLite and PostgreSQL.

The appointment is on Wednesday 30 September 2026 at 10.30, registered on Friday the
25th at 9.00 (too close for the week-before reminder), with something to bring and a
taxi to book. schedules/appointment.toml then plans: what to bring on Sunday the 27th,
book the taxi on Tuesday at 10.00, the day before at 12.00 (unconfirmed), the worker's
task at 15.30 (unconfirmed) and the same morning (unconfirmed).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain.events.lifecycle import replan_client
from service.domain.people.clients import ClientInput, update_client
from service.domain.planning import reminder_states as rstate
from service.gateways.base import GatewayError
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Worker
from tests.conftest import Api, load, load_all, signed_post
from tests.reach import (
    SECOND,
    by_rule,
    hel,
    inbox,
    last_message,
    new_appointment,
    new_client,
    reminders,
    run,
    sms_reply,
)
from tests.twilio.helpers import local_path, parse_twiml, spoken
from tests.web.conftest import Browser

STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 25, 9, 0)
FACTS = {"bring": "henkilökortti", "needs_transport": True}
CLIENT_PHONE = "+358401234567"


def _appointment(api: Api, cid: int, starts: datetime = STARTS,
                 registered: datetime = REGISTERED) -> int:
    return int(new_appointment(api, cid, starts, registered, **FACTS)["id"])


def _states(rt: Runtime, event_id: int) -> dict[str, tuple[str, str | None]]:
    return {rule: (r.state, r.reason) for rule, r in by_rule(rt, event_id).items()}


def test_a_decline_by_text_stops_every_remaining_client_reminder(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = _appointment(api, cid)
    bring = by_rule(rt, event)["what_to_bring"].send_at
    assert run(rt, bring + SECOND).delivered == 1
    sms_reply(client, CLIENT_PHONE, "en pääse", bring + timedelta(hours=1))

    states = _states(rt, event)
    for rule in ("book_transport", "day_before", "same_morning"):
        assert states[rule] == (rstate.SKIPPED, "declined"), rule
    [item] = inbox(rt, "reply")
    assert (item.intent, item.event_id) == ("decline", event)
    for day in (29, 30):
        run(rt, hel(2026, 9, day, 9, 0))
        run(rt, hel(2026, 9, day, 16, 0))
    assert [kind for kind, _, _ in gateway.sent] == ["sms"]  # only what went before


def test_a_confirm_keeps_the_informational_reminders_and_ends_the_questions(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = _appointment(api, cid)
    bring = by_rule(rt, event)["what_to_bring"].send_at
    assert run(rt, bring + SECOND).delivered == 1
    sms_reply(client, CLIENT_PHONE, "kyllä tulen", bring + timedelta(hours=1))

    states = _states(rt, event)
    assert states["book_transport"] == (rstate.PLANNED, None)
    for rule in ("day_before", "call_the_client", "same_morning"):
        assert states[rule] == (rstate.SKIPPED, "confirmed"), rule
    taxi = by_rule(rt, event)["book_transport"].send_at
    assert run(rt, taxi + SECOND).delivered == 1
    assert "tilaa Kela-taksi" in gateway.sent[-1][2]
    assert run(rt, hel(2026, 9, 30, 9, 0)).claimed == 0
    assert len(gateway.sent) == 2


def test_after_downtime_only_the_latest_reminder_goes(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = _appointment(api, cid)
    rows = by_rule(rt, event)
    # The worker was down from Saturday until Wednesday morning.
    result = run(rt, rows["same_morning"].send_at + SECOND)
    assert (result.delivered, result.tasks, result.skipped) == (1, 1, 3)
    states = _states(rt, event)
    for rule in ("what_to_bring", "book_transport", "day_before"):
        assert states[rule] == (rstate.SKIPPED, "superseded"), rule
    assert states["same_morning"] == (rstate.DELIVERED, None)
    assert states["call_the_client"] == (rstate.DELIVERED, None)  # the worker's: not superseded
    [(kind, to, body)] = gateway.sent
    assert (kind, to) == ("sms", CLIENT_PHONE) and "tänään" in body


def test_a_later_reminder_that_will_be_skipped_does_not_silence_an_earlier_one(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = _appointment(api, cid)
    bring = by_rule(rt, event)["what_to_bring"].send_at
    assert run(rt, bring + SECOND).delivered == 1
    sms_reply(client, CLIENT_PHONE, "kyllä tulen", bring + timedelta(hours=1))
    # Down from Tuesday morning: the taxi reminder is due with the same-morning one,
    # which the confirm already skipped, so the taxi reminder still goes.
    run(rt, by_rule(rt, event)["day_before"].send_at + timedelta(hours=20))
    assert _states(rt, event)["book_transport"] == (rstate.DELIVERED, None)
    assert "tilaa Kela-taksi" in gateway.sent[-1][2]


def test_an_appointment_registered_late_skips_the_passed_rules(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    event = _appointment(api, cid, registered=hel(2026, 9, 29, 13, 0))
    states = _states(rt, event)
    for rule in ("book_transport", "day_before"):
        assert states[rule] == (rstate.SKIPPED, "offset_passed"), rule
    assert states["same_morning"] == (rstate.PLANNED, None)
    assert run(rt, hel(2026, 9, 29, 13, 0) + SECOND).claimed == 0  # nothing at once


def test_registered_hours_ahead_only_the_last_passed_rule_goes_at_once(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api)
    registered = hel(2026, 9, 30, 8, 30)
    event = _appointment(api, cid, registered=registered)
    rows = by_rule(rt, event)
    assert (rows["same_morning"].state, rows["same_morning"].send_at) == (
        rstate.PLANNED, registered)
    for rule in ("book_transport", "day_before"):
        assert (rows[rule].state, rows[rule].reason) == (rstate.SKIPPED, "offset_passed")
    assert run(rt, registered + SECOND).delivered == 1
    assert len(gateway.sent) == 1


def _two_events(api: Api, rt: Runtime) -> tuple[int, int, int]:
    cid = new_client(api)
    first = _appointment(api, cid)
    second = _appointment(api, cid, starts=hel(2026, 10, 7, 10, 30))
    return cid, first, second


def test_a_number_that_does_not_exist_stops_texts_for_every_event_and_tells_once(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid, first, second = _two_events(api, rt)
    day_before = by_rule(rt, first)["day_before"].send_at
    gateway.fail_next.append(GatewayError("no such number", code=21211, permanent=True))
    assert run(rt, day_before + SECOND).failed == 1  # (the earlier ones: superseded)
    row = load(rt, Client, cid)
    assert (row.phone_check_reason, row.sms_blocked_at, row.voice_blocked_at) == (
        "no_number", day_before + SECOND, None)
    assert _states(rt, first)["day_before"] == (rstate.FAILED, "invalid_number")
    rows = reminders(rt, first) + reminders(rt, second)
    assert not [r for r in rows if r.channel == "sms" and r.state == rstate.PLANNED]
    assert {r.event_id for r in rows if r.reason == "sms_blocked"} == {first, second}
    [item] = inbox(rt, "failed")
    assert "Tarkista asiakkaan puhelinnumero" in item.summary and "numero ei kelpaa" in item.summary
    # Calls were not refused: the fallback call is tried at once; when it is refused
    # too, calls stop as well, and the worker is not told again.
    call = by_rule(rt, first)["day_before_call"]
    assert (call.state, call.channel, call.send_at) == (rstate.PLANNED, "voice",
                                                        day_before + SECOND)
    gateway.fail_next.append(GatewayError("no such number", code=21211, permanent=True))
    assert run(rt, call.send_at + SECOND).failed == 1
    assert load(rt, Client, cid).voice_blocked_at == call.send_at + SECOND
    assert len(inbox(rt, "failed")) == 1
    run(rt, hel(2026, 10, 7, 9, 0))
    assert gateway.sent == []


def test_editing_the_number_clears_the_marks_and_plans_texts_again(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid, first, second = _two_events(api, rt)
    gateway.fail_next.append(GatewayError("no such number", code=21211, permanent=True))
    run(rt, by_rule(rt, first)["what_to_bring"].send_at + SECOND)
    assert load(rt, Client, cid).sms_blocked_at is not None
    now = hel(2026, 9, 27, 15, 0)
    with transaction(rt.sessions) as session:
        row = session.get(Client, cid)
        assert row is not None
        update_client(session, row, ClientInput(name=row.name, phone="040 765 4321"), now)
        replan_client(session, rt, row, now)
    row = load(rt, Client, cid)
    assert (row.phone_check_reason, row.sms_blocked_at, row.voice_blocked_at) == (
        None, None, None)
    assert by_rule(rt, second)["day_before"].state == rstate.PLANNED
    assert run(rt, by_rule(rt, second)["what_to_bring"].send_at + SECOND).delivered == 1
    assert gateway.sent[-1][:2] == ("sms", "+358407654321")


def test_a_landline_for_texts_moves_the_client_to_calls(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid, first, second = _two_events(api, rt)
    bring = by_rule(rt, first)["what_to_bring"].send_at
    gateway.fail_next.append(GatewayError("landline", code=30006, permanent=True))
    assert run(rt, bring + SECOND).failed == 1
    row = load(rt, Client, cid)
    assert (row.number_type, row.phone_check_reason) == ("fixed_line", "no_sms")
    for event in (first, second):
        planned = [r for r in reminders(rt, event) if r.state == rstate.PLANNED
                   and r.recipient == "client"]
        assert planned and {r.channel for r in planned} == {"voice"}, event
    [item] = inbox(rt, "failed")
    assert "puheluina" in item.summary
    taxi = by_rule(rt, first)["book_transport"].send_at
    assert run(rt, taxi + SECOND).delivered == 1
    assert gateway.sent[-1][0] == "voice"


def _call_twiml(client: FlaskClient, rt: Runtime, at: datetime) -> tuple[dict[str, str], str]:
    """Twilio fetching the TwiML of the last call placed (as an answered call)."""
    message = last_message(rt, "voice")
    call = {"CallSid": message.gateway_sid or "", "AccountSid": "AC" + "0" * 32,
            "From": "+358451234567", "To": CLIENT_PHONE, "CallStatus": "in-progress",
            "AnsweredBy": "human"}
    twiml = signed_post(client, f"/twilio/voice/{message.callback_token}", call)
    root = parse_twiml(twiml.data)
    assert "Jos et halua puheluita, paina 3." in spoken(root)
    return call, local_path(root.find("Gather").attrib["action"])  # type: ignore[union-attr]


def test_key_2_in_a_call_declines_and_asks_for_a_call_back(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api, channel="voice")
    event = _appointment(api, cid)
    gateway.call_status = "queued"
    bring = by_rule(rt, event)["what_to_bring"].send_at
    assert run(rt, bring + SECOND).sent == 1
    call, gather = _call_twiml(client, rt, bring + timedelta(seconds=30))
    ack = signed_post(client, gather, {**call, "Digits": "2"})
    assert spoken(parse_twiml(ack.data))[0] == "Kiitos. Sinulle soitetaan."
    assert api.get(f"/events/{event}").json["state"] == "declined"
    states = _states(rt, event)
    for rule in ("book_transport", "day_before", "same_morning"):
        assert states[rule] == (rstate.SKIPPED, "declined"), rule
    [item] = inbox(rt, "callback")
    assert item.event_id == event and "näppäin 2" in item.summary
    run(rt, hel(2026, 9, 30, 9, 0))
    assert [kind for kind, _, _ in gateway.sent] == ["voice"]


def test_key_3_twice_stops_the_calls_and_tells_the_worker(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway,
        worker: Worker) -> None:
    cid = new_client(api, channel="voice", phone="09 123 4567")  # a landline
    event = _appointment(api, cid)
    gateway.call_status = "queued"
    bring = by_rule(rt, event)["what_to_bring"].send_at
    assert run(rt, bring + SECOND).sent == 1
    call, gather = _call_twiml(client, rt, bring + timedelta(seconds=30))
    ask = parse_twiml(signed_post(client, gather, {**call, "Digits": "3"}).data)
    assert "Jos haluat lopettaa ne, paina 3 uudelleen." in spoken(ask)
    stop_path = local_path(ask.find("Gather").attrib["action"])  # type: ignore[union-attr]
    assert not load(rt, Client, cid).opted_out  # one key is not yet certain
    done = parse_twiml(signed_post(client, stop_path, {**call, "Digits": "3"}).data)
    assert spoken(done)[0].startswith("Muistutussoitot on nyt lopetettu.")
    assert load(rt, Client, cid).opted_out
    signed_post(client, stop_path, {**call, "Digits": "3"})  # Twilio retries: once only
    [item] = inbox(rt, "stop")
    assert "näppäin 3" in item.summary
    audits = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "client",
                                                   AuditEntry.object_id == cid,
                                                   AuditEntry.worker_id.is_(None)))
    assert [a.detail for a in audits if "opted_out" in a.detail] == [
        "opted_out: asiakas lopetti soitot näppäimellä"]
    # Why, where a worker's recorded reason is kept: the client page shows it.
    assert load(rt, Client, cid).opt_reason == (
        "Asiakas lopetti muistutussoitot itse puhelussa (näppäin 3 kahdesti).")
    browser = Browser(client)
    browser.login(worker.email)
    page = browser.get(f"/clients/{cid}").get_data(as_text=True)
    assert ('id="opt-reason">Viimeksi kirjattu syy: Asiakas lopetti muistutussoitot itse '
            'puhelussa (näppäin 3 kahdesti).') in page
    browser.post("/language", {"lang": "sv", "next": "/"})
    page = browser.get(f"/clients/{cid}").get_data(as_text=True)
    assert "Klienten avslutade själv påminnelsesamtalen" in page
    run(rt, hel(2026, 9, 30, 9, 0))
    assert len(gateway.sent) == 1
    assert {r.reason for r in reminders(rt, event) if r.state == rstate.SKIPPED} >= {
        "opted_out"}


def test_key_3_then_another_key_changes_nothing(
        api: Api, client: FlaskClient, rt: Runtime, gateway: DevelopmentGateway) -> None:
    cid = new_client(api, channel="voice")
    event = _appointment(api, cid)
    gateway.call_status = "queued"
    bring = by_rule(rt, event)["what_to_bring"].send_at
    run(rt, bring + SECOND)
    call, gather = _call_twiml(client, rt, bring + timedelta(seconds=30))
    ask = parse_twiml(signed_post(client, gather, {**call, "Digits": "3"}).data)
    stop_path = local_path(ask.find("Gather").attrib["action"])  # type: ignore[union-attr]
    bye = parse_twiml(signed_post(client, stop_path, {**call, "Digits": "1"}).data)
    assert spoken(bye)[-1] == "Näkemiin."
    assert not load(rt, Client, cid).opted_out and inbox(rt) == []
