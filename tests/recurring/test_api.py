"""The JSON API for recurring appointments: POST /appointments with a rule object or an
RRULE string, GET /events/<id> listing the occurrences within the horizon, and
POST /events/<id>/occurrences/<date>/skip; bad rules get a 422 naming the field."""

from __future__ import annotations

from service import clock
from tests.conftest import Api
from tests.reach import hel, new_client

NOW = hel(2027, 3, 1, 8, 0)


def _post(api: Api, client_id: int, recurrence: object, **extra: object) -> object:
    clock.freeze(NOW)
    return api.post("/appointments", {"client_id": client_id,
                                      "starts_at": "2027-03-02T09:00:00+02:00",
                                      "place": "Kirjasto", "appointment_type": "worker",
                                      "recurrence": recurrence, **extra})


def test_weekly_object_lists_the_occurrences_and_one_is_skipped(api: Api) -> None:
    client_id = new_client(api)
    r = _post(api, client_id, {"freq": "weekly", "interval": 1, "byweekday": ["TU"],
                               "until": "2027-12-31"})
    assert r.status_code == 201, r.json
    body = r.json
    assert body["recurrence_text"] == "joka viikko, ti, 31.12.2027 asti"
    assert body["reminders"] == [] and body["planned_until"] == "2027-04-30"
    dates = [o["date"] for o in body["occurrences"]]
    assert dates[:3] == ["2027-03-02", "2027-03-09", "2027-03-16"] and len(dates) == 9
    assert body["occurrences"][-1]["starts_at"] == "2027-04-27T06:00:00+00:00"  # 09.00 EEST
    child = body["occurrences"][1]["event_id"]
    one = api.get(f"/events/{child}").json
    assert one["series_id"] == body["id"] and one["occurrence_date"] == "2027-03-09"
    assert one["reminders"]  # an occurrence is reminded of like any appointment
    r = api.post(f"/events/{body['id']}/occurrences/2027-03-09/skip")
    assert r.status_code == 200, r.json
    skipped = next(o for o in r.json["occurrences"] if o["date"] == "2027-03-09")
    assert skipped["state"] == "cancelled"
    got = api.get(f"/events/{body['id']}").json
    assert [o["date"] for o in got["occurrences"]] == dates
    assert api.get(f"/events/{child}").json["state"] == "cancelled"


def test_rrule_string_monthly_first_tuesday_with_count(api: Api) -> None:
    client_id = new_client(api)
    r = _post(api, client_id, "RRULE:FREQ=MONTHLY;BYDAY=1TU;COUNT=2")
    assert r.status_code == 201, r.json
    assert [o["date"] for o in r.json["occurrences"]] == ["2027-03-02", "2027-04-06"]


def test_skip_beyond_the_horizon_and_on_a_day_without_one(api: Api) -> None:
    client_id = new_client(api)
    sid = _post(api, client_id, {"freq": "monthly", "bymonthday": 2}).json["id"]
    assert api.post(f"/events/{sid}/occurrences/2027-09-02/skip").status_code == 200
    assert "EXDATE:20270902T090000" in api.get(f"/events/{sid}").json["recurrence"]
    r = api.post(f"/events/{sid}/occurrences/2027-09-03/skip")
    assert r.status_code == 422 and "date" in r.json["errors"]
    assert api.post(f"/events/{sid}/occurrences/2027-13-03/skip").status_code == 422
    assert api.post("/events/999999/occurrences/2027-09-02/skip").status_code == 404


def test_bad_rules_are_refused_naming_recurrence(api: Api) -> None:
    client_id = new_client(api)
    for bad in ({"freq": "daily"}, {"freq": "weekly", "byweekday": ["XX"]},
                {"freq": "weekly", "count": 2, "until": "2027-05-01"},
                "FREQ=SECONDLY", {"freq": "monthly", "bymonthday": 40}):
        r = _post(api, client_id, bad)
        assert r.status_code == 422, bad
        assert "recurrence" in r.json["errors"], (bad, r.json)


def test_openapi_publishes_recurrence_and_skip(api: Api) -> None:
    doc = api.get("/openapi.json").json
    assert "recurrence" in doc["components"]["schemas"]["AppointmentInput"]["properties"]
    assert "/events/{id}/occurrences/{date}/skip" in doc["paths"]
    assert "Occurrence" in doc["components"]["schemas"]
