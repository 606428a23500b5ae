"""Cancelling a whole series tells the client once, if asked: through the JSON API's
cancel with notify_client, on each database, with the development gateway.

One notice for the series (not one for each coming occurrence) names its weekday and
time in Helsinki time ("ti klo 9.00"), in the client's language, by the client's channel
(a call to a landline), in the client's sending window; nothing without notify_client,
nothing to a client who has opted out; a paused series is told the same way.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.domain.calendar import dates
from service.domain.events import recurrence as rec
from service.domain.events import series as series_domain
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Event, Message
from tests.conftest import Api, load_all, signed_post
from tests.reach import SECOND, hel, new_client, run
from tests.twilio.helpers import local_path, parse_twiml, spoken

CREATED = hel(2027, 3, 1, 8, 0)  # ma 1.3.2027
DAYTIME = hel(2027, 3, 3, 12, 0)  # ke 3.3.2027, inside the window
LANDLINE = "014 123 4567"


def _series(api: Api, client_id: int) -> dict[str, Any]:
    """Every Tuesday at 9.00 Helsinki time from 2.3.2027 (EET, 07.00 UTC)."""
    clock.freeze(CREATED)
    r = api.post("/appointments", {"client_id": client_id,
                                   "starts_at": "2027-03-02T09:00:00+02:00",
                                   "place": "Kirjasto", "appointment_type": "worker",
                                   "recurrence": {"freq": "weekly", "byweekday": ["TU"]}})
    assert r.status_code == 201, r.json
    assert len(r.json["occurrences"]) > 3  # many coming occurrences, one notice
    return dict(r.json)


def _cancel(api: Api, series_id: int, at: datetime, **body: Any) -> dict[str, Any]:
    clock.freeze(at)
    r = api.post(f"/events/{series_id}/cancel", body or None)
    assert r.status_code == 200, r.json
    assert r.json["state"] == "cancelled"
    return dict(r.json)


def _notices(rt: Runtime) -> list[Message]:
    return load_all(rt, select(Message).where(Message.direction == "out",
                                              Message.reminder_id.is_(None))
                    .order_by(Message.id))


def _speak(client: FlaskClient, twiml_url: str) -> str:
    """What the client hears when the call is answered (Twilio fetching the TwiML)."""
    r = signed_post(client, local_path(twiml_url), {
        "CallSid": "CA" + "6" * 32, "AccountSid": "AC" + "0" * 32, "From": "+358451234567",
        "To": "+358141234567", "CallStatus": "in-progress", "AnsweredBy": "human"})
    assert r.status_code == 200
    return " ".join(spoken(parse_twiml(r.data)))


def _states(rt: Runtime, series_id: int) -> set[str]:
    return {e.state for e in load_all(rt, select(Event).where(
        Event.series_id == series_id, Event.starts_at > DAYTIME))}


def test_weekly_days_and_their_words() -> None:
    text = rec.series_text(datetime(2027, 3, 2, 9, 0), "FREQ=WEEKLY;BYDAY=TU,TH")
    assert rec.weekly_days(text) == ((1, 3), time(9, 0))
    assert rec.weekly_days(rec.series_text(datetime(2027, 3, 2, 9, 0), "FREQ=WEEKLY")) \
        == ((1,), time(9, 0))
    assert rec.weekly_days(rec.series_text(datetime(2027, 3, 2, 9, 0),
                                           "FREQ=MONTHLY;BYDAY=-1FR")) == ((4,), time(9, 0))
    assert rec.weekly_days(rec.series_text(datetime(2027, 3, 2, 9, 0),
                                           "FREQ=MONTHLY;BYMONTHDAY=2")) == ((), time(9, 0))
    assert dates.format_weekly((1,), time(10, 0), "fi") == "ti klo 10.00"
    assert dates.format_weekly((1, 3), time(9, 5), "fi") == "ti, to klo 9.05"
    assert dates.format_weekly((1,), time(10, 0), "sv") == "tis kl. 10.00"
    assert dates.format_weekly((1,), time(10, 0), "en") == "Tue at 10:00"
    assert dates.format_weekly((1,), time(10, 0), "selko") == "tiistaisin kello 10.00"
    assert dates.format_weekly((), time(10, 0), "fi") == "klo 10.00"
    # Spoken, the weekday recurs: "on Tuesdays", not "on Tuesday" (one day).
    assert dates.spoken_weekly((1,), time(10, 0), "fi") == "tiistaisin kello 10"
    assert dates.spoken_weekly((1, 3), time(10, 0), "fi") == "tiistaisin, torstaisin kello 10"
    assert dates.spoken_weekly((1,), time(10, 30), "sv") == "på tisdagar klockan 10 30"
    assert dates.spoken_weekly((1,), time(10, 0), "en") == "on Tuesdays at 10 AM"
    assert dates.spoken_weekly((2,), time(9, 0), "uk").startswith("по середах")


def test_one_text_for_the_whole_series_in_finnish(api: Api, rt: Runtime,
                                                  gateway: DevelopmentGateway) -> None:
    series = _series(api, new_client(api))
    body = _cancel(api, series["id"], DAYTIME, notify_client=True)
    assert body["cancelled_reminders"] > 3
    assert body["notice"]["channel"] == "sms" and body["notice"]["sent"] is True
    [(kind, to, text)] = gateway.sent
    assert (kind, to) == ("sms", "+358401234567")
    assert text.startswith("Sosiaalitoimi: toistuvat aikasi ti klo 9.00 on peruttu.\n"
                           "Sinun ei tarvitse enää tulla.")
    [notice] = _notices(rt)
    assert notice.event_id == series["id"] and notice.body == text
    audit = load_all(rt, select(AuditEntry).where(AuditEntry.object_type == "message",
                                                  AuditEntry.object_id == notice.id))
    assert [a.detail for a in audit] == ["series_cancelled notice by sms"]
    assert _states(rt, series["id"]) == {"cancelled"}
    # Cancelling again tells nobody twice, and the occurrences' times send nothing.
    assert _cancel(api, series["id"], DAYTIME, notify_client=True)["notice"] is None
    run(rt, hel(2027, 3, 20, 12, 0))
    assert len(gateway.sent) == 1


def test_in_swedish_and_by_a_call_to_a_landline(api: Api, client: FlaskClient, rt: Runtime,
                                                gateway: DevelopmentGateway) -> None:
    swedish = _series(api, new_client(api, language="sv", name="Anna Berg"))
    _cancel(api, swedish["id"], DAYTIME, notify_client=True)
    [(_kind, _to, text)] = gateway.sent
    assert "dina återkommande tider tis kl. 9.00 är inställda" in text
    landline = _series(api, new_client(api, phone=LANDLINE, name="Aino Virtanen"))
    body = _cancel(api, landline["id"], DAYTIME, notify_client=True)
    assert body["notice"]["channel"] == "voice"
    kind, to, twiml_url = gateway.sent[-1]
    assert (kind, to) == ("voice", "+358141234567")
    said = _speak(client, twiml_url)
    assert "Toistuvat aikasi tiistaisin kello 9 on peruttu." in said
    assert len(_notices(rt)) == 2


def test_nothing_without_notify_client_or_to_a_client_who_opted_out(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    quiet = _series(api, new_client(api))
    assert _cancel(api, quiet["id"], DAYTIME)["notice"] is None
    assert _cancel(api, _series(api, new_client(api, name="Eino Ek"))["id"], DAYTIME,
                   notify_client=False)["notice"] is None
    cid = new_client(api, name="Liisa Lahti")
    stopped = _series(api, cid)
    clock.freeze(DAYTIME)
    assert api.post(f"/clients/{cid}/opt-out", {"reason": "pyysi"}).status_code == 200
    body = _cancel(api, stopped["id"], DAYTIME, notify_client=True)
    assert body["notice"] == {"channel": "sms", "message_id": None, "sent": False,
                              "skipped": "opted_out", "not_before": None}
    assert gateway.sent == [] and _notices(rt) == []
    assert _states(rt, quiet["id"]) == _states(rt, stopped["id"]) == {"cancelled"}


def test_a_paused_series_at_night_is_told_once_in_the_morning(
        api: Api, rt: Runtime, gateway: DevelopmentGateway) -> None:
    series = _series(api, new_client(api))
    with transaction(rt.sessions) as session:
        assert series_domain.pause(session, session.get_one(Event, series["id"]), DAYTIME) > 0
    body = _cancel(api, series["id"], hel(2027, 3, 3, 23, 30), notify_client=True)
    assert body["notice"]["sent"] is False
    assert datetime.fromisoformat(body["notice"]["not_before"]) == hel(2027, 3, 4, 8, 0)
    run(rt, hel(2027, 3, 4, 7, 59))
    assert gateway.sent == []
    run(rt, hel(2027, 3, 4, 8, 0) + SECOND)
    [(_kind, _to, text)] = gateway.sent
    assert "toistuvat aikasi ti klo 9.00 on peruttu" in text
    assert len(_notices(rt)) == 1
