"""Appointment kinds through the API (issue 14's acceptance): `"appointment_type": "phone"`
gives texts and calls that ask nobody to come; a home visit says the worker comes; video
exists as a kind; a trusted person's reminder is their own, the client's first name in it
only with the client's consent. Uses the real database and the development gateway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.runtime import Runtime
from service.scheduling.dispatch import tick
from tests.conftest import Api
from tests.reach import new_client

COMING = ("tulen", "tulet", "Paikka", "Ota mukaan", "Keskuskatu")


def _start() -> datetime:
    return (datetime.now(UTC) + timedelta(days=10)).replace(hour=7, minute=0, second=0,
                                                            microsecond=0)


def _appointment(api: Api, client_id: int, kind: str, **extra: object) -> dict[str, object]:
    r = api.post("/appointments", {"client_id": client_id, "starts_at": _start().isoformat(),
                                   "appointment_type": kind, "bring": "henkilökortti",
                                   **extra})
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


@pytest.mark.parametrize("channel", ["sms", "voice"])
def test_a_phone_appointment_asks_nobody_to_come(api: Api, channel: str) -> None:
    cid = new_client(api, channel=channel)
    event = _appointment(api, cid, "phone")
    assert api.get(f"/events/{event['id']}").json["appointment_type"] == "phone"
    mine = [r for r in event["reminders"] if r["channel"] == channel]  # type: ignore
    assert {r["rule"] for r in mine} >= {"week_before", "what_to_bring"}
    for r in mine:
        assert not any(word in r["text"] for word in COMING), r["text"]
        if r["rule"] != "what_to_bring":
            assert "soitta" in r["text"]  # the worker will call
    reminder = next(r for r in event["reminders"]  # type: ignore[attr-defined]
                    if r["rule"] == "week_before")["text"]
    assert ("sopii" in reminder) and ("1" in reminder) and ("2" in reminder)


def test_a_home_visit_says_the_worker_comes_and_video_is_a_kind(api: Api) -> None:
    cid = new_client(api, channel="sms")
    home = _appointment(api, cid, "home_visit")
    week = next(r for r in home["reminders"] if r["rule"] == "week_before")  # type: ignore
    assert "Työntekijä tulee kotiisi" in week["text"] and "tulen" not in week["text"]
    video = _appointment(api, cid, "video")
    week = next(r for r in video["reminders"] if r["rule"] == "week_before")  # type: ignore
    assert "Videotapaaminen" in week["text"] and "tulen" not in week["text"]
    assert "video" in api.get("/openapi.json").json["components"]["schemas"][
        "AppointmentInput"]["properties"]["appointment_type"]["enum"]


def test_nobody_books_a_taxi_for_a_phone_call(api: Api) -> None:
    cid = new_client(api, channel="sms")
    r = api.post("/appointments", {"client_id": cid, "starts_at": _start().isoformat(),
                                   "appointment_type": "phone", "needs_transport": True})
    assert r.status_code == 422 and "needs_transport" in r.json["errors"]


@pytest.mark.parametrize("shares", [False, True])
def test_a_trusted_persons_text_is_their_own(api: Api, rt: Runtime, shares: bool) -> None:
    cid = new_client(api, channel="sms", name="Matti Mäkinen")
    added = api.post(f"/clients/{cid}/trusted-persons", {
        "name": "Liisa Mäkinen", "phone": "050 765 4321", "consent_method": "in_person",
        "shares_client_name": shares})
    assert added.status_code == 201, added.json
    assert added.json["consent"]["shares_client_name"] is shares
    event = _appointment(api, cid, "worker", place="Keskuskatu 5")
    week = {r["recipient"]: r["text"] for r in event["reminders"]  # type: ignore
            if r["rule"] == "week_before"}
    assert "Vastaa 1 = tulen" in week["client"]
    trusted = week["trusted"]
    assert "läheisesi ajasta" in trusted and "Vastauksesi ei muuta aikaa." in trusted
    assert "tulen" not in trusted and "Mäkinen" not in trusted
    assert ("Läheisesi: Matti" in trusted) is shares
    # What is sent is what the plan showed.
    send_at = datetime.fromisoformat(next(r["send_at"] for r in event["reminders"]  # type: ignore
                                          if r["recipient"] == "trusted"
                                          and r["rule"] == "week_before"))
    tick(rt, now=send_at + timedelta(seconds=1))
    sent = api.get(f"/messages?client_id={cid}").json["messages"]
    assert any(m["body"] == trusted for m in sent), sent
