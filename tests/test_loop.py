"""The whole loop on a real database: API -> planned reminders -> tick -> gateway ->
signed inbound webhook -> inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service import clock
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Client, InboxItem, Message
from tests.conftest import Api, signed_post

HEL_OFFSET = "+03:00"


def _appointment_in(days: int, now: datetime) -> str:
    start = (now + timedelta(days=days)).replace(hour=7, minute=0, second=0, microsecond=0)
    return start.isoformat()


def test_register_tick_reply_inbox(api: Api, client, rt: Runtime, gateway: DevelopmentGateway,
                                   worker) -> None:
    created = api.post("/clients", {"name": "Matti Mäkinen", "phone": "040 123 4567",
                                    "language": "fi", "channel": "auto"})
    assert created.status_code == 201, created.json
    assert created.json["phone"] == "+358401234567"
    assert created.json["number_type"] == "mobile"
    client_id = created.json["id"]

    now = datetime.now(UTC)
    appt = api.post("/appointments", {
        "client_id": client_id, "starts_at": _appointment_in(10, now),
        "place": "Sosiaalitoimisto, Keskuskatu 5", "bring": "henkilökortti",
        "needs_transport": False})
    assert appt.status_code == 201, appt.json
    reminders = appt.json["reminders"]
    rules = {r["rule"]: r for r in reminders}
    assert set(rules) == {"week_before", "what_to_bring", "day_before", "call_the_client",
                          "same_morning"}
    assert all(r["state"] == "planned" and r["channel"] == ("task" if r["recipient"] == "worker"
                                                            else "sms") for r in reminders)
    assert "Keskuskatu 5" in rules["week_before"]["text"]
    assert "http" not in rules["week_before"]["text"]
    event_id = appt.json["id"]

    # Nothing is due yet.
    assert tick(rt, now=now).claimed == 0
    # At the week-before moment, exactly that reminder goes out.
    week_before = datetime.fromisoformat(rules["week_before"]["send_at"])
    result = tick(rt, now=week_before + timedelta(seconds=1))
    assert (result.claimed, result.delivered) == (1, 1)
    assert gateway.sent[0][0] == "sms" and gateway.sent[0][1] == "+358401234567"
    assert "Sosiaalitoimisto" in gateway.sent[0][2]
    # A second pass at the same moment sends nothing again.
    assert tick(rt, now=week_before + timedelta(seconds=2)).claimed == 0

    clock.freeze(week_before + timedelta(minutes=5))  # the client answers a bit later
    reply = signed_post(client, "/twilio/sms", {
        "MessageSid": "SM" + "1" * 32, "AccountSid": "AC" + "0" * 32,
        "From": "+358401234567", "To": "+358451234567", "Body": "Kyllä tulen"})
    assert reply.status_code == 200
    assert api.get(f"/events/{event_id}").json["state"] == "confirmed"

    inbox = api.get("/inbox").json["items"]
    assert len(inbox) == 1
    assert inbox[0]["intent"] == "confirm" and inbox[0]["body"] == "Kyllä tulen"
    assert inbox[0]["client_id"] == client_id

    # The same MessageSid again (Twilio retries) is recorded once.
    again = signed_post(client, "/twilio/sms", {
        "MessageSid": "SM" + "1" * 32, "AccountSid": "AC" + "0" * 32,
        "From": "+358401234567", "To": "+358451234567", "Body": "Kyllä tulen"})
    assert again.status_code == 200
    assert len(api.get("/inbox").json["items"]) == 1

    # What to bring goes whatever the answer; the day-before reminder is conditional
    # on no answer yet: the confirm skipped it at once.
    bring = datetime.fromisoformat(rules["what_to_bring"]["send_at"])
    assert tick(rt, now=bring + timedelta(seconds=1)).delivered == 1
    assert "henkilökortti" in gateway.sent[-1][2]
    day_before = datetime.fromisoformat(rules["day_before"]["send_at"])
    result = tick(rt, now=day_before + timedelta(seconds=1))
    assert result.claimed == 0 and result.delivered == 0
    states = {r["rule"]: (r["state"], r["reason"])
              for r in api.get(f"/reminders?client_id={client_id}").json["reminders"]}
    assert states["day_before"] == ("skipped", "confirmed")
    assert states["week_before"][0] == "delivered"

    handled = api.post(f"/inbox/{inbox[0]['id']}/handle")
    assert handled.status_code == 200 and handled.json["state"] == "handled"
    messages = api.get(f"/messages?client_id={client_id}").json["messages"]
    assert [m["direction"] for m in messages] == ["out", "in", "out"]


def test_unknown_number_goes_to_team_inbox(api: Api, client, rt: Runtime) -> None:
    r = signed_post(client, "/twilio/sms", {"MessageSid": "SM" + "2" * 32,
                                            "From": "+358409999999", "To": "+358451234567",
                                            "Body": "Kuka tämä on?"})
    assert r.status_code == 200
    assert api.get("/inbox").json["items"] == []
    team = api.get("/inbox?team=1").json["items"]
    assert len(team) == 1 and team[0]["kind"] == "unknown_sender"
    assert team[0]["body"] == "Kuka tämä on?"


def test_forged_or_unsigned_webhook_is_refused(client, rt: Runtime) -> None:
    params = {"MessageSid": "SM" + "3" * 32, "From": "+358401234567", "Body": "STOP"}
    assert client.post("/twilio/sms", data=params).status_code == 403
    forged = signed_post(client, "/twilio/sms", params, token="not-our-token")
    assert forged.status_code == 403
    with transaction(rt.sessions) as session:
        assert session.scalars(select(Message)).first() is None


def test_stop_opts_out_and_confirms(api: Api, client, rt: Runtime,
                                    gateway: DevelopmentGateway) -> None:
    cid = api.post("/clients", {"name": "Liisa", "phone": "0501234567"}).json["id"]
    signed_post(client, "/twilio/sms", {"MessageSid": "SM" + "4" * 32, "From": "+358501234567",
                                        "To": "+358451234567", "Body": "LOPETA"})
    assert api.get(f"/clients/{cid}").json["opted_out"] is True
    items = api.get("/inbox").json["items"]
    assert items[0]["kind"] == "stop"
    tick(rt)
    assert gateway.sent and "ALOITA" in gateway.sent[-1][2]
    with transaction(rt.sessions) as session:
        assert session.get(Client, cid).opted_out
        assert session.scalars(select(InboxItem)).first().kind == "stop"
