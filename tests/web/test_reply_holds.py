"""An unclear reply holds the event's automated contact until a worker decides (issue 13).

End to end on SQLite and PostgreSQL: the signed SMS webhook, the real dispatch pass
with a controlled clock, the Today page and the inbox item as the worker sees them,
and the worker's correction through the page and the API.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain.inbox import holds
from service.domain.replies.received import MAX_ATTEMPTS
from service.runtime import Runtime
from service.scheduling import text_reading
from service.scheduling.reminder_send import HOLD_RECHECK
from service.store.models import AuditEntry, Message, Reminder, Worker
from tests.conftest import Api, load, load_all
from tests.reach import SECOND, by_rule, hel, inbox, new_appointment, new_client, run, sms_reply
from tests.web.conftest import Browser

CLIENT = "+358401234567"
STARTS = hel(2026, 9, 30, 10, 30)
REGISTERED = hel(2026, 9, 20, 9, 0)
DAY_BEFORE = hel(2026, 9, 29, 12, 0)  # schedules/appointment.toml: day_before, a text
REPLIED = hel(2026, 9, 29, 12, 30)
CALL_DUE = hel(2026, 9, 29, 14, 0)  # day_before_call: no answer within 2 h, a call
UNCLEAR = "mulla on nälkä"


def _calls(rt: Runtime) -> list[Message]:
    return load_all(rt, select(Message).where(Message.channel == "voice",
                                              Message.direction == "out"))


def _unclear_reply(api: Api, client: FlaskClient, rt: Runtime) -> tuple[int, int, int]:
    """A client, an appointment, the day-before text sent, and an unclear answer to it:
    (client id, event id, inbox item id)."""
    cid = new_client(api)
    event_id = int(new_appointment(api, cid, STARTS, REGISTERED)["id"])
    run(rt, hel(2026, 9, 23, 10, 0) + SECOND)  # the week-before text
    result = run(rt, DAY_BEFORE + SECOND)
    assert result.sent + result.delivered == 1
    assert by_rule(rt, event_id)["day_before_call"].state == "planned"
    sms_reply(client, CLIENT, UNCLEAR, REPLIED)
    [item] = inbox(rt, "reply")
    assert (item.intent, item.holds, item.event_id) == ("unknown", True, event_id)
    return cid, event_id, item.id


def test_an_unclear_reply_holds_the_fallback_call(api: Api, client: FlaskClient,
                                                  rt: Runtime) -> None:
    _, event_id, _ = _unclear_reply(api, client, rt)
    result = run(rt, CALL_DUE + SECOND)
    assert (result.held, result.sent, result.delivered, result.skipped) == (1, 0, 0, 0)
    assert _calls(rt) == []
    call = by_rule(rt, event_id)["day_before_call"]
    # Not skipped: it waits, marked held, and is looked at again later.
    assert (call.state, call.reason) == ("planned", holds.HELD)
    assert call.send_at == CALL_DUE + SECOND + HOLD_RECHECK
    assert run(rt, call.send_at + SECOND).held == 1
    assert _calls(rt) == []


def test_the_reading_and_the_hold_are_shown_held_items_first_on_today(
        api: Api, client: FlaskClient, rt: Runtime, signed_in: Browser) -> None:
    _, _, item_id = _unclear_reply(api, client, rt)
    run(rt, CALL_DUE + SECOND)
    today = signed_in.get("/").get_data(as_text=True)
    held_at, replies_at = today.index('id="held"'), today.index('id="replies"')
    assert held_at < replies_at
    held_part = today[held_at:replies_at]
    # Planned and held: the fallback call and the same-morning text (the worker's
    # call-the-client task is not contact with the client and is not held).
    assert "Pidätetty: 1 soitto, 1 tekstiviesti" in held_part
    assert f"/inbox/{item_id}" in held_part and UNCLEAR in held_part
    assert f"/inbox/{item_id}" not in today[replies_at:]  # listed once
    page = signed_in.get(f"/inbox/{item_id}").get_data(as_text=True)
    message = load_all(rt, select(Message).where(Message.direction == "in"))[0]
    assert message.reading_reason and message.reading_question == "appointment"
    assert f"Luettu: epäselvä koska {message.reading_reason}" in page.replace("&#39;", "'")
    assert "Pidätetty: 1 soitto, 1 tekstiviesti" in page


def _correct(browser: Browser, item_id: int, choice: str) -> None:
    browser.get(f"/inbox/{item_id}")
    response = browser.post(f"/inbox/{item_id}/correct", {"intent": choice})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_decline_correction_applies_the_intent_and_releases_the_hold(
        api: Api, client: FlaskClient, rt: Runtime, signed_in: Browser, worker: Worker) -> None:
    _, event_id, item_id = _unclear_reply(api, client, rt)
    run(rt, CALL_DUE + SECOND)
    _correct(signed_in, item_id, "decline")
    assert api.get(f"/events/{event_id}").json["state"] == "declined"
    [item] = inbox(rt, "reply")
    assert (item.state, item.intent, item.handled_by) == ("handled", "decline", worker.id)
    # The decline itself skips what is left of the event (domain/planning/answers.py).
    call = by_rule(rt, event_id)["day_before_call"]
    assert (call.state, call.reason) == ("skipped", "declined")
    result = run(rt, CALL_DUE + 2 * SECOND)
    assert (result.claimed, result.held) == (0, 0)
    assert _calls(rt) == []
    message = load_all(rt, select(Message).where(Message.direction == "in"))[0]
    assert (message.intent, message.corrected_intent) == ("unknown", "decline")
    [entry] = load_all(rt, select(AuditEntry).where(AuditEntry.action == "correct"))
    assert (entry.object_type, entry.object_id) == ("inbox_item", item_id)
    assert entry.detail == "reading unknown -> decline"


def test_a_confirm_correction_confirms_and_the_call_is_not_made(
        api: Api, client: FlaskClient, rt: Runtime, signed_in: Browser) -> None:
    _, event_id, item_id = _unclear_reply(api, client, rt)
    _correct(signed_in, item_id, "confirm")  # before the call is due
    assert api.get(f"/events/{event_id}").json["state"] == "confirmed"
    assert by_rule(rt, event_id)["day_before_call"].reason == "confirmed"  # skipped at once
    result = run(rt, CALL_DUE + SECOND)
    assert (result.held, result.claimed, result.sent + result.delivered) == (0, 0, 0)
    assert _calls(rt) == []


def test_nothing_releases_the_hold_and_the_call_goes_if_still_in_time(
        api: Api, client: FlaskClient, rt: Runtime, signed_in: Browser) -> None:
    _, event_id, item_id = _unclear_reply(api, client, rt)
    run(rt, CALL_DUE + SECOND)
    assert _calls(rt) == []
    _correct(signed_in, item_id, "nothing")
    assert api.get(f"/events/{event_id}").json["state"] == "planned"
    result = run(rt, CALL_DUE + 60 * SECOND)
    assert result.held == 0
    assert len(_calls(rt)) == 1
    assert by_rule(rt, event_id)["day_before_call"].state in ("sent", "delivered")


def test_a_stop_correction_opts_the_client_out(api: Api, client: FlaskClient, rt: Runtime,
                                               signed_in: Browser) -> None:
    cid, event_id, item_id = _unclear_reply(api, client, rt)
    _correct(signed_in, item_id, "stop")
    assert api.get(f"/clients/{cid}").json["opted_out"] is True
    result = run(rt, CALL_DUE + SECOND)
    assert by_rule(rt, event_id)["day_before_call"].reason == "opted_out"
    assert result.skipped == 1 and _calls(rt) == []
    # The opt-out confirmation went to the client, as for a stop read from the text.
    texts = load_all(rt, select(Message).where(Message.direction == "out",
                                               Message.channel == "sms"))
    assert any(m.worker_id is None and m.reminder_id is None for m in texts)


def test_handling_the_item_without_a_correction_also_releases_the_hold(
        api: Api, client: FlaskClient, rt: Runtime, signed_in: Browser) -> None:
    _, event_id, item_id = _unclear_reply(api, client, rt)
    run(rt, CALL_DUE + SECOND)
    signed_in.get(f"/inbox/{item_id}")
    assert signed_in.post(f"/inbox/{item_id}/handle").status_code == 302
    assert by_rule(rt, event_id)["day_before_call"].reason is None
    run(rt, CALL_DUE + 60 * SECOND)
    assert len(_calls(rt)) == 1


def test_the_api_shows_the_reading_and_corrects_it(api: Api, client: FlaskClient,
                                                   rt: Runtime) -> None:
    _, event_id, item_id = _unclear_reply(api, client, rt)
    [listed] = api.get("/inbox").json["items"]
    assert listed["held"] is True and listed["reading_reason"]
    bad = api.post(f"/inbox/{item_id}/correct", {"intent": "maybe"})
    assert bad.status_code == 422 and "intent" in bad.json["errors"]
    r = api.post(f"/inbox/{item_id}/correct", {"intent": "confirm"})
    assert r.status_code == 200, r.json
    assert (r.json["held"], r.json["state"], r.json["intent"]) == (False, "handled", "confirm")
    assert api.get(f"/events/{event_id}").json["state"] == "confirmed"
    [m] = [m for m in api.get("/messages").json["messages"] if m["direction"] == "in"]
    assert (m["intent"], m["corrected_intent"]) == ("unknown", "confirm")
    assert api.post("/inbox/999999/correct", {"intent": "confirm"}).status_code == 404


def test_a_certain_reply_holds_nothing(api: Api, client: FlaskClient, rt: Runtime) -> None:
    cid = new_client(api)
    event_id = int(new_appointment(api, cid, STARTS, REGISTERED)["id"])
    run(rt, DAY_BEFORE + SECOND)
    sms_reply(client, CLIENT, "soita minulle", REPLIED)
    [item] = inbox(rt, "callback")
    assert item.holds is False
    run(rt, CALL_DUE + SECOND)
    assert len(_calls(rt)) == 1  # a callback request leaves the event unconfirmed
    assert by_rule(rt, event_id)["day_before_call"].reason is None


def test_a_hold_waits_for_every_open_holding_item(api: Api, client: FlaskClient, rt: Runtime,
                                                  signed_in: Browser) -> None:
    _, event_id, first = _unclear_reply(api, client, rt)
    sms_reply(client, CLIENT, "Selkä on kipeä", REPLIED + timedelta(minutes=5))
    second = max(i.id for i in inbox(rt, "reply"))
    run(rt, CALL_DUE + SECOND)
    _correct(signed_in, first, "nothing")
    assert by_rule(rt, event_id)["day_before_call"].reason == holds.HELD  # still held
    assert run(rt, CALL_DUE + HOLD_RECHECK + 2 * SECOND).held == 1
    _correct(signed_in, second, "nothing")
    assert load(rt, Reminder, by_rule(rt, event_id)["day_before_call"].id).reason is None


def test_the_hold_covers_the_trusted_persons_reminders_too(api: Api, client: FlaskClient,
                                                           rt: Runtime) -> None:
    cid = new_client(api)
    r = api.post(f"/clients/{cid}/trusted-persons", {
        "name": "Kaisa Virtanen", "phone": "050 765 4321", "consent_method": "in_person"})
    assert r.status_code == 201, r.json
    event_id = int(new_appointment(api, cid, STARTS, REGISTERED)["id"])
    run(rt, DAY_BEFORE + SECOND)
    sms_reply(client, CLIENT, UNCLEAR, REPLIED)
    sent_before = len(load_all(rt, select(Message).where(Message.direction == "out")))
    # same_morning (3 h before, at the window's opening), to both; the call is due too
    morning = hel(2026, 9, 30, 8, 0) + SECOND
    due = [r for r in load_all(rt, select(Reminder).where(Reminder.event_id == event_id))
           if r.state == "planned" and r.channel != "task" and r.send_at <= morning]
    assert {r.recipient for r in due} == {"client", "trusted"}
    result = run(rt, morning)
    # The held call and the same-morning text are due at once: the call is superseded.
    assert (result.held, result.skipped) == (len(due) - 1, 1)
    assert result.sent + result.delivered == 0
    assert by_rule(rt, event_id)["day_before_call"].reason == "superseded"
    assert len(load_all(rt, select(Message).where(Message.direction == "out"))) == sent_before


def test_a_text_the_service_could_not_read_is_shown_held_and_the_worker_reads_it(
        api: Api, client: FlaskClient, rt: Runtime, signed_in: Browser,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A reading that kept failing (scheduling/text_reading.py): the words reach the
    worker unread, the client's reminders wait, and the worker's reading is applied."""
    cid = new_client(api)
    event_id = int(new_appointment(api, cid, STARTS, REGISTERED)["id"])

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault in the reading")

    monkeypatch.setattr(text_reading, "record_reply", broken)
    sms_reply(client, CLIENT, "en halua näitä", hel(2026, 9, 23, 9, 0), read=False)
    for minute in range(1, MAX_ATTEMPTS + 1):
        run(rt, hel(2026, 9, 23, 9, minute))
    monkeypatch.undo()
    [item] = inbox(rt, "reply")
    assert (item.holds, item.event_id, item.client_id) == (True, None, cid)
    assert run(rt, hel(2026, 9, 23, 10, 0) + SECOND).held == 1  # the week-before text

    today = signed_in.get("/").get_data(as_text=True)
    held_part = today[today.index('id="held"'):today.index('id="replies"')]
    assert f"/inbox/{item.id}" in held_part and "en halua näitä" in held_part
    page = signed_in.get(f"/inbox/{item.id}").get_data(as_text=True)
    assert "Palvelu ei pystynyt lukemaan tätä viestiä" in page
    # The client is held as a whole: every planned text of theirs waits.
    assert ("Pidätetty: 3 tekstiviestiä. Kaikki automaattiset muistutukset asiakkaalle "
            "odottavat") in page

    _correct(signed_in, item.id, "stop")
    assert api.get(f"/clients/{cid}").json["opted_out"] is True
    result = run(rt, hel(2026, 9, 23, 10, 5))
    assert (result.held, result.skipped) == (0, 1), result.summary()
    assert by_rule(rt, event_id)["week_before"].reason == "opted_out"
    assert not [m for m in load_all(rt, select(Message).where(Message.direction == "out"))
                if m.reminder_id is not None]
