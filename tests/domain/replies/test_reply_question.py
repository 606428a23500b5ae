"""The webhook reads a reply in the client's language against what was last sent to them.

End to end through the signed SMS webhook and a real database: the same words mean
different things after a decision question and after an appointment reminder, a
stop written as a sentence stops, and an everyday sentence changes nothing.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from service import clock
from service.runtime import Runtime
from tests.conftest import Api
from tests.reach import SECOND, hel, inbox, new_appointment, new_client, run, sms_reply

CLIENT = "+358401234567"
STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 20, 9, 0)
WEEK_BEFORE = hel(2026, 9, 23, 10, 0)
ASKED = hel(2026, 10, 16, 10, 0)  # schedules/application.toml: "onko päätös jo tullut?"


def _asked_about_the_decision(api: Api, rt: Runtime) -> int:
    clock.freeze(hel(2026, 9, 1, 9, 0))
    r = api.post("/applications", {"client_id": new_client(api), "agency": "Kela",
                                   "submitted_on": "2026-08-31", "documents_due": "2026-09-30",
                                   "decision_expected": "2026-10-15"})
    assert r.status_code == 201, r.json
    run(rt, hel(2026, 9, 28, 10, 0) + SECOND)  # the documents reminders
    assert run(rt, ASKED + SECOND).delivered == 1
    return int(r.json["id"])


def test_the_decision_has_come_in_the_clients_words(api: Api, client: FlaskClient,
                                                    rt: Runtime) -> None:
    event_id = _asked_about_the_decision(api, rt)
    sms_reply(client, CLIENT, "joo tuli jo eilen", ASKED + 300 * SECOND)
    assert api.get(f"/events/{event_id}").json["state"] == "decided"
    assert [i.intent for i in inbox(rt, "reply")] == ["confirm"]


def test_not_yet_in_the_clients_words_leaves_it_open(api: Api, client: FlaskClient,
                                                     rt: Runtime) -> None:
    event_id = _asked_about_the_decision(api, rt)
    sms_reply(client, CLIENT, "ei oo tullu vielä", ASKED + 300 * SECOND)
    assert api.get(f"/events/{event_id}").json["state"] == "planned"
    assert [i.intent for i in inbox(rt, "reply")] == ["decline"]


def test_the_same_words_do_not_answer_an_appointment_reminder(
        api: Api, client: FlaskClient, rt: Runtime) -> None:
    event = new_appointment(api, new_client(api), STARTS, REGISTERED)
    assert run(rt, WEEK_BEFORE + SECOND).delivered == 1
    sms_reply(client, CLIENT, "tuli jo", WEEK_BEFORE + 600 * SECOND)
    assert api.get(f"/events/{event['id']}").json["state"] == "planned"
    assert [i.intent for i in inbox(rt, "reply")] == ["unknown"]


def test_a_stop_written_as_a_sentence_stops(api: Api, client: FlaskClient,
                                           rt: Runtime) -> None:
    cid = new_client(api)
    new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, WEEK_BEFORE + SECOND)
    sms_reply(client, CLIENT, "Älkää enää lähettäkö minulle näitä viestejä, kiitos.",
              WEEK_BEFORE + 600 * SECOND)
    assert api.get(f"/clients/{cid}").json["opted_out"] is True
    assert len(inbox(rt, "stop")) == 1


def test_an_everyday_sentence_changes_nothing(api: Api, client: FlaskClient,
                                              rt: Runtime) -> None:
    cid = new_client(api, language="sv")
    event = new_appointment(api, cid, STARTS, REGISTERED)
    run(rt, WEEK_BEFORE + SECOND)
    sms_reply(client, CLIENT, "Jag behöver stöd", WEEK_BEFORE + 600 * SECOND)
    assert api.get(f"/clients/{cid}").json["opted_out"] is False
    assert api.get(f"/events/{event['id']}").json["state"] == "planned"
    assert [i.intent for i in inbox(rt, "reply")] == ["unknown"]
