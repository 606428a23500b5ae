"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

The request schemas here are also what every JSON body is validated against
(service/web/api/validation.py), and their limits come from the one table of field
rules (service/domain/fields.py): the published document and the checks cannot drift.
"""

from __future__ import annotations

from typing import Any

from service.domain.fields import MAX_ID, TEXT_FIELDS
from service.domain.people.trusted_persons import CONSENT_METHODS, DEACTIVATION_REASONS, RELATIONS
from service.domain.replies.corrections import CHOICES as CORRECTIONS
from service.store.models import CHANNEL_PREFERENCES, LANGUAGES
from service.store.states import (
    Attendance,
    Direction,
    EventKind,
    InboxState,
    ReminderState,
    Role,
)

APPOINTMENT_TYPES = ["worker", "home_visit", "phone", "video", "health", "kela", "employment",
                     "debt_counselling", "guardianship", "other", "bill_due",
                     "medication_pickup"]


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def _text(field: str, *, nullable: bool = False, **extra: Any) -> dict[str, Any]:
    """A string field with its limit from service/domain/fields.py."""
    rule = TEXT_FIELDS[field]
    return {"type": ["string", "null"] if nullable else "string",
            "maxLength": rule.max_length, **extra}


_S = {"type": "string"}
_I = {"type": "integer"}
_B = {"type": "boolean"}
_DT = {"type": "string", "format": "date-time"}
_NS = {"type": ["string", "null"]}
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_NI = {"type": ["integer", "null"]}
_MOMENT = {"type": "string", "format": "date-time", "maxLength": 40,
           "description": "ISO 8601 with offset, e.g. 2026-06-03T10:00:00+03:00"}
_DAY = {"type": ["string", "null"], "format": "date", "maxLength": 10,
        "description": "a day, 2026-06-03 (2000-01-01 to 2099-12-31)"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_NOTIFY = ("tell the client by their own channel (a text, or a call for a landline or "
           "voice client), in their window; default false, so earlier integrations stay "
           "quiet. Nothing is sent to a client who has opted out (notice.skipped says why)")

_WEEKDAY_CODE = {"type": "string", "pattern": "^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$",
                 "description": "MO..SU; monthly also the nth weekday: 1TU first Tuesday, "
                                "-1FR the last Friday"}
_RECURRENCE = {
    "description": "the appointment repeats from starts_at (its first time, local wall-clock "
                   "time kept across DST): a rule object, or an RFC 5545 RRULE string "
                   "(e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU). Occurrences and their reminders "
                   "are made on a rolling horizon ([planning] horizon_days)",
    "oneOf": [
        {"type": "string", "minLength": 6, "maxLength": 300},
        {"type": "object", "additionalProperties": False, "required": ["freq"],
         "properties": {
             "freq": {"enum": ["weekly", "monthly"]},
             "interval": {"type": "integer", "minimum": 1, "maximum": 52},
             "byweekday": {"type": "array", "items": _WEEKDAY_CODE, "maxItems": 7},
             "bymonthday": {"type": "integer", "minimum": 1, "maximum": 31},
             "until": {**_DAY, "type": "string"},
             "count": {"type": "integer", "minimum": 1, "maximum": 500}}},
    ]}

# What a request body may be: validated against these as they stand (no $ref inside).
INPUTS: dict[str, dict[str, Any]] = {
    "ClientInput": _obj({
        "name": _text("name"), "phone": _text("phone", examples=["040 123 4567"]),
        "language": {"enum": list(LANGUAGES)},
        "channel": {"enum": list(CHANNEL_PREFERENCES)},
        "worker_id": {**_ID, "type": ["integer", "null"]},
        "team_id": {**_ID, "type": ["integer", "null"],
                    "description": "the client's team, one of the caller's; may be left out "
                                   "when the caller is in exactly one team"},
        "window": _text("window", nullable=True, examples=["09:00-18:00"]),
        "reference": _text("reference", nullable=True,
                           description="the team's own client reference, unique in the team; "
                                       "imported appointments match on it")},
        ["name", "phone"]),
    "AppointmentInput": _obj({
        "client_id": _ID, "starts_at": _MOMENT, "place": _text("place"),
        "bring": _text("bring"), "needs_transport": _B,
        "appointment_type": {"enum": APPOINTMENT_TYPES}, "recurrence": _RECURRENCE},
        ["client_id", "starts_at"]),
    "ApplicationInput": _obj({
        "client_id": _ID, "agency": _text("agency"), "submitted_on": _DAY,
        "documents_due": _DAY, "decision_expected": _DAY},
        ["client_id", "agency"]),
    "TrustedPersonInput": _obj({
        "name": _text("name"), "phone": _text("phone", examples=["050 765 4321"]),
        "language": {"enum": list(LANGUAGES)},
        "relation": {"enum": [*RELATIONS, None]},
        "consent_method": {"enum": list(CONSENT_METHODS),
                           "description": "how the client gave consent"},
        "consent_at": {**_MOMENT, "type": ["string", "null"],
                       "description": "when the client gave consent (default: now)"},
        "shares_client_name": {**_B, "description": "the client also agreed that the "
                               "trusted person's texts name them (first name); default "
                               "false: \"your close one\""}},
        ["name", "phone", "consent_method"]),
    "DeactivationInput": _obj({"reason": {"enum": list(DEACTIVATION_REASONS)}}),
    "EventChange": _obj({
        "starts_at": _MOMENT, "place": _text("place"), "bring": _text("bring"),
        "needs_transport": _B, "appointment_type": {"enum": APPOINTMENT_TYPES},
        "notify_client": {**_B, "default": False, "description": _NOTIFY}}),
    "CancelInput": _obj({"notify_client": {**_B, "default": False, "description": _NOTIFY}}),
    "AttendanceInput": _obj({
        "attended": {**_B, "description": "true: the client came; false: did not come"},
        "cancelled_by_client": {**_B, "default": False,
                                "description": "the client cancelled (wins over attended)"}},
        ["attended"]),
    "OptChoiceInput": _obj({"reason": {**_text("reason"), "minLength": 1,
                                       "description": "why (required; not shown to the client)"}},
                           ["reason"]),
    "AbsenceInput": _obj({
        "starts_on": {**_DAY, "type": "string", "description": "the first day away, 2026-12-07"},
        "ends_on": {**_DAY, "type": "string",
                    "description": "the last day away (included); not before starts_on"},
        "substitute_id": {**_ID, "type": ["integer", "null"],
                          "description": "an active worker of the same team who gets the "
                          "worker's new items meanwhile; null: the team inbox"}},
        ["starts_on", "ends_on"]),
    "WorkerChange": _obj({
        "active": {**_B, "description": "false: deactivate (sign-in and API tokens end)"},
        "successor_id": {**_ID, "type": ["integer", "null"],
                         "description": "who takes over the worker's clients and open "
                         "items: an active worker sharing a team; required when there "
                         "are any"}}),
    "CorrectionInput": _obj({"intent": {
        "enum": list(CORRECTIONS),
        "description": "what the reply really was; nothing: not an answer at all"}},
        ["intent"]),
}

_ERRORS = {
    "400": _json(_ref("Error"), "not a JSON object (or nested too deeply)"),
    "401": _json(_ref("Error"), "missing or invalid Bearer token"),
    "422": _json(_ref("ValidationErrors"), "invalid input, field by field"),
}
_NOT_FOUND = {"404": _json(_ref("Error"), "not found"), "401": _ERRORS["401"]}
_LISTED = {"401": _ERRORS["401"], "422": _ERRORS["422"]}
_ID_PARAM = {"in": "path", "required": True, "schema": _ID}
_CLIENT_FILTER = {"name": "client_id", "in": "query", "required": False, "schema": _ID,
                  "description": "one of the caller's clients (any other is a 404)"}
_INBOX_STATES = [state.value for state in InboxState]
_REMINDER_STATES = [state.value for state in ReminderState]
_NOTICE = {"type": ["object", "null"], "properties": {
    "channel": {"enum": ["sms", "voice"]}, "message_id": _NI, "sent": _B,
    "skipped": _NS, "not_before": _NS}}
_CONFLICT = {"409": _json(_ref("Error"), "not possible in the event's state (or time)")}

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": _S}, ["error"]),
    "ValidationErrors": _obj({"errors": {"type": "object", "additionalProperties": _S}},
                             ["errors"]),
    **INPUTS,
    "Client": _obj({"id": _I, "name": _S, "phone": _S,
                    "number_type": {"enum": ["mobile", "fixed_line", "other"]},
                    "language": _S, "channel": _S, "opted_out": _B, "worker_id": _NI,
                    "team_id": _I, "window": _NS, "opt_reason": _NS,
                    # set when Twilio refused the number for good (no_number, no_sms)
                    "phone_check": _NS, "reference": _NS}, ["id", "phone", "number_type"]),
    "Reminder": _obj({"id": _I, "event_id": _I, "rule": _S,
                      "channel": {"enum": ["sms", "voice", "task"]}, "recipient": _S,
                      "send_at": _DT, "state": {"enum": _REMINDER_STATES}, "reason": _NS,
                      "attempts": _I, "sent_at": _NS, "text": _S}),
    "Event": _obj({"id": _I, "client_id": _I, "kind": {"enum": [k.value for k in EventKind]},
                   "state": _S, "starts_at": _NS, "place": _NS, "bring": _NS,
                   "needs_transport": _B, "agency": _NS, "submitted_on": _NS,
                   "documents_due": _NS, "decision_expected": _NS,
                   "appointment_type": _NS, "previous_starts_at": _NS,
                   "attendance": {"enum": [*(a.value for a in Attendance), None]},
                   "reminders": {"type": "array", "items": _ref("Reminder")},
                   "cancelled_reminders": _I, "notice": _NOTICE,
                   "recurrence": {**_NS, "description": "a series: its RFC 5545 lines "
                                  "(DTSTART, RRULE, EXDATE) in local wall-clock time"},
                   "recurrence_text": _NS, "paused": _B,
                   "planned_until": {**_NS, "description": "occurrences are made up to "
                                     "this local day"},
                   "series_id": {**_NI, "description": "an occurrence: its series"},
                   "occurrence_date": _NS,
                   "occurrences": {"type": "array", "items": _ref("Occurrence")}}),
    "Occurrence": _obj({
        "date": {"type": "string", "format": "date"}, "starts_at": _DT,
        "event_id": {**_NI, "description": "null: not made yet (paused, or planned at the "
                                            "next daily run)"},
        "state": _NS, "moved": _B,
        "on_holiday": {**_B, "description": "a public holiday: the worker keeps or skips it"},
        "holiday_kept": _B}),
    "Message": _obj({"id": _I, "direction": {"enum": [d.value for d in Direction]},
                     "channel": _S,
                     "client_id": _NI, "to": _S, "from": _S, "body": _NS, "status": _S,
                     "intent": _NS, "reading_reason": {**_NS, "description":
                                                       "why a reply was read so"},
                     "corrected_intent": _NS, "error_code": _NI, "created_at": _DT,
                     "gateway_sid": {**_NS, "description": "the gateway's id (Twilio's "
                                                           "SM/CA sid), for its console"}}),
    "InboxItem": _obj({"id": _I, "worker_id": _NI, "client_id": _NI, "kind": _S,
                       "intent": _NS, "summary": _S, "state": {"enum": _INBOX_STATES},
                       "body": _NS, "reading_reason": _NS,
                       "held": {**_B, "description": "an unclear reply: the event's "
                                "automated contact waits until the item is handled"},
                       "team_id": _I,
                       "cover": {**_B, "description": "came to a substitute or the team "
                                 "inbox because its worker was away or deactivated"},
                       "due_at": {**_NS, "description": "a call-back request: call by then "
                                  "(the team's working hours after it came)"},
                       "escalated_at": {**_NS, "description": "left unhandled too long: "
                                        "raised to the whole team then"},
                       "created_at": _DT}),
    "Absence": _obj({"id": _I, "worker_id": _I, "starts_on": _S, "ends_on": _S,
                     "substitute_id": _NI, "created_by": _NI, "created_at": _DT}),
    "EndedAbsence": _obj({"id": _I, "worker_id": _I, "starts_on": _S, "ends_on": _S,
                          "substitute_id": _NI, "created_by": _NI, "created_at": _DT,
                          "removed": {**_B, "description": "it began today: removed, "
                                      "not shortened (ends_on as it was)"}}),
    "Worker": _obj({"id": _I, "name": _S, "role": {"enum": [r.value for r in Role]},
                    "active": _B, "clients": {**_I, "description": "clients as their worker"},
                    "open_items": {**_I, "description": "open inbox items of their own"}}),
    "TrustedPerson": _obj({
        "id": _I, "client_id": _I, "name": _S, "phone": _S, "number_type": _S,
        "language": _S, "relation": _NS,
        "consent": _obj({"at": _S, "method": _S, "recorded_by": _NI}),
        "active": _B, "opted_out": _B, "deactivated_at": _NS, "deactivation_reason": _NS}),
}


def _body(name: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


def _list(key: str, item: str, description: str) -> dict[str, Any]:
    return _json(_obj({key: {"type": "array", "items": _ref(item)}}), description)


PATHS: dict[str, Any] = {
    "/clients": {"post": {
        "summary": "Register a client; the phone number is validated and normalised",
        "requestBody": _body("ClientInput"),
        "responses": {"201": _json(_ref("Client"), "created"), **_ERRORS}}},
    "/clients/{id}": {"get": {
        "summary": "A client with their events", "parameters": [{"name": "id", **_ID_PARAM}],
        "responses": {"200": _json(_ref("Client"), "the client"), **_NOT_FOUND}}},
    "/appointments": {"post": {
        "summary": "Register an appointment; its reminders are planned at once",
        "requestBody": _body("AppointmentInput"),
        "responses": {"201": _json(_ref("Event"), "created with planned reminders"),
                      **_ERRORS}}},
    "/applications": {"post": {
        "summary": "Register a pending application; its reminders are planned at once",
        "requestBody": _body("ApplicationInput"),
        "responses": {"201": _json(_ref("Event"), "created with planned reminders"),
                      **_ERRORS}}},
    "/events/{id}": {
        "get": {"summary": "An event, its state and its reminders; a series lists its "
                           "occurrences planned within the horizon",
                "parameters": [{"name": "id", **_ID_PARAM}],
                "responses": {"200": _json(_ref("Event"), "the event"), **_NOT_FOUND}},
        "patch": {"summary": "Reschedule an appointment: its reminders are planned again; "
                             "with notify_client, when starts_at changed, the client is "
                             "told the time has moved from the old to the new",
                  "parameters": [{"name": "id", **_ID_PARAM}],
                  "requestBody": _body("EventChange"),
                  "responses": {"200": _json(_ref("Event"), "rescheduled"), **_ERRORS,
                                "404": _NOT_FOUND["404"], **_CONFLICT}}},
    "/events/{id}/cancel": {"post": {
        "summary": "Cancel an event and its pending reminders (a series: with its coming "
                   "occurrences); with notify_client the client is told by a text or a "
                   "call, once for a whole series",
        "parameters": [{"name": "id", **_ID_PARAM}],
        "requestBody": _body("CancelInput", required=False),
        "responses": {"200": _json(_ref("Event"), "cancelled"), **_ERRORS,
                      "404": _NOT_FOUND["404"]}}},
    "/events/{id}/attendance": {"post": {
        "summary": "After the appointment has started: attended, did not come, or "
                   "cancelled by the client (409 before it starts)",
        "parameters": [{"name": "id", **_ID_PARAM}],
        "requestBody": _body("AttendanceInput"),
        "responses": {"200": _json(_ref("Event"), "recorded"), **_ERRORS,
                      "404": _NOT_FOUND["404"], **_CONFLICT}}},
    "/clients/{id}/opt-out": {"post": {
        "summary": "Record the client's wish to get no texts or calls, with the reason",
        "parameters": [{"name": "id", **_ID_PARAM}], "requestBody": _body("OptChoiceInput"),
        "responses": {"200": _json(_ref("Client"), "recorded"), **_ERRORS,
                      "404": _NOT_FOUND["404"]}}},
    "/clients/{id}/opt-in": {"post": {
        "summary": "Record that the client wants reminders again, with the reason",
        "parameters": [{"name": "id", **_ID_PARAM}], "requestBody": _body("OptChoiceInput"),
        "responses": {"200": _json(_ref("Client"), "recorded"), **_ERRORS,
                      "404": _NOT_FOUND["404"]}}},
    "/reminders": {"get": {
        "summary": "Reminders, optionally of one client", "parameters": [_CLIENT_FILTER],
        "responses": {"200": _list("reminders", "Reminder", "reminders"), **_LISTED,
                      "404": _NOT_FOUND["404"]}}},
    "/messages": {"get": {
        "summary": "Outbound and inbound messages with their status",
        "parameters": [_CLIENT_FILTER],
        "responses": {"200": _list("messages", "Message", "messages"), **_LISTED,
                      "404": _NOT_FOUND["404"]}}},
    "/inbox": {"get": {
        "summary": "The caller's own items (also those that came to them as a substitute), "
                   "or with team=1 their teams' shared box (items nobody owns, and items "
                   "raised to the whole team)",
        "parameters": [{"name": "team", "in": "query", "required": False,
                        "schema": {"enum": ["0", "1", "true", "false"]}},
                       {"name": "state", "in": "query", "required": False,
                        "schema": {"enum": _INBOX_STATES}}],
        "responses": {"200": _list("items", "InboxItem", "inbox items"), **_LISTED}}},
    "/inbox/{id}/handle": {"post": {
        "summary": "Mark an inbox item handled", "parameters": [{"name": "id", **_ID_PARAM}],
        "responses": {"200": _json(_ref("InboxItem"), "handled"), **_NOT_FOUND}}},
    "/inbox/{id}/correct": {"post": {
        "summary": "Say what a client's reply really was: applied as if read so, the item "
                   "handled (releasing the event's hold), and audited",
        "parameters": [{"name": "id", **_ID_PARAM}], "requestBody": _body("CorrectionInput"),
        "responses": {"200": _json(_ref("InboxItem"), "corrected and handled"), **_ERRORS,
                      "404": _NOT_FOUND["404"]}}},
    "/clients/{client_id}/trusted-persons": {
        "post": {"summary": "Record a trusted person with the client's consent (who: the "
                            "token's worker; when; how); they join the coming reminders",
                 "parameters": [{"name": "client_id", **_ID_PARAM}],
                 "requestBody": _body("TrustedPersonInput"),
                 "responses": {"201": _json(_ref("TrustedPerson"), "recorded"), **_ERRORS,
                               "404": _NOT_FOUND["404"]}},
        "get": {"summary": "The client's trusted persons, active and ended",
                "parameters": [{"name": "client_id", **_ID_PARAM}],
                "responses": {"200": _list("trusted_persons", "TrustedPerson", "list"),
                              **_NOT_FOUND}}},
    "/clients/{client_id}/trusted-persons/{id}/deactivate": {"post": {
        "summary": "Consent withdrawn (default) or ended by the worker: their pending "
                   "reminders are cancelled",
        "parameters": [{"name": "client_id", **_ID_PARAM}, {"name": "id", **_ID_PARAM}],
        "requestBody": _body("DeactivationInput", required=False),
        "responses": {"200": _json(_ref("TrustedPerson"), "deactivated"), **_ERRORS,
                      "404": _NOT_FOUND["404"]}}},
    "/workers/{id}/absences": {
        "post": {"summary": "Record an absence (the worker's own, or as their team admin): "
                            "meanwhile new items for their clients go to the substitute, or "
                            "to the team inbox, marked cover",
                 "parameters": [{"name": "id", **_ID_PARAM}], "requestBody": _body("AbsenceInput"),
                 "responses": {"201": _json(_ref("Absence"), "recorded"), **_ERRORS,
                               "403": _json(_ref("Error"), "not the caller's to record"),
                               "404": _NOT_FOUND["404"]}},
        "get": {"summary": "The worker's absences that have not ended",
                "parameters": [{"name": "id", **_ID_PARAM}],
                "responses": {"200": _list("absences", "Absence", "absences"), **_NOT_FOUND}}},
    "/workers/{id}/absences/{absence_id}/end": {"post": {
        "summary": "End an absence under way now (the worker back early; the worker or "
                   "their team admin): its last day becomes yesterday (Helsinki date), or "
                   "one that began today is removed (removed true). New items go to the "
                   "worker again; items already with the substitute stay there. Audited",
        "parameters": [{"name": "id", **_ID_PARAM}, {"name": "absence_id", **_ID_PARAM}],
        "responses": {"200": _json(_ref("EndedAbsence"), "ended (or removed)"),
                      "401": _ERRORS["401"],
                      "403": _json(_ref("Error"), "not the caller's to end"),
                      "404": _NOT_FOUND["404"],
                      "409": _json(_ref("Error"), "not started yet, or already ended")}}},
    "/workers/{id}": {"patch": {
        "summary": "Deactivate a worker (team admin or organisation admin): their clients "
                   "and open items move to successor_id (or, in a team the successor is "
                   "not in, to the team inbox); audited. active true reactivates",
        "parameters": [{"name": "id", **_ID_PARAM}], "requestBody": _body("WorkerChange"),
        "responses": {"200": _json(_ref("Worker"), "changed"), **_ERRORS,
                      "403": _json(_ref("Error"), "not a team admin of the worker's team"),
                      "404": _NOT_FOUND["404"]}}},
    "/events/{id}/occurrences/{date}/skip": {"post": {
        "summary": "Leave out one occurrence of a series (its local date): a planned one "
                   "is cancelled with its reminders, a later one is left out of the rule",
        "parameters": [{"name": "id", **_ID_PARAM},
                       {"name": "date", "in": "path", "required": True,
                        "schema": {"type": "string", "format": "date"}}],
        "responses": {"200": _json(_ref("Event"), "the series with its occurrences"),
                      **_ERRORS, "404": _NOT_FOUND["404"]}}},
    "/events/{id}/documents-in": {"post": {
        "summary": "The application's documents went in: the documents reminders stop",
        "parameters": [{"name": "id", **_ID_PARAM}],
        "responses": {"200": _json(_ref("Event"), "recorded"), **_ERRORS,
                      "404": _NOT_FOUND["404"]}}},
}

# Each operation's id is the Flask endpoint that serves it: the query parameters a
# request may carry are looked up by it (validation.check_query).
OPERATION_IDS = {
    ("/clients", "post"): "api.post_client", ("/clients/{id}", "get"): "api.get_client",
    ("/appointments", "post"): "api.post_appointment",
    ("/applications", "post"): "api.post_application",
    ("/events/{id}", "get"): "api.get_event", ("/events/{id}", "patch"): "api_changes.patch_event",
    ("/events/{id}/cancel", "post"): "api_changes.cancel_event",
    ("/events/{id}/attendance", "post"): "api_changes.post_attendance",
    ("/clients/{id}/opt-out", "post"): "api_changes.opt_out",
    ("/clients/{id}/opt-in", "post"): "api_changes.opt_in",
    ("/reminders", "get"): "api.list_reminders", ("/messages", "get"): "api.list_messages",
    ("/inbox", "get"): "api.list_inbox", ("/inbox/{id}/handle", "post"): "api.handle_inbox",
    ("/inbox/{id}/correct", "post"): "api.correct_inbox",
    ("/clients/{client_id}/trusted-persons", "post"): "api_reach.add_trusted_person",
    ("/clients/{client_id}/trusted-persons", "get"): "api_reach.list_trusted_persons",
    ("/clients/{client_id}/trusted-persons/{id}/deactivate", "post"):
        "api_reach.deactivate_trusted_person",
    ("/events/{id}/documents-in", "post"): "api_reach.documents_in",
    ("/workers/{id}/absences", "post"): "api_workers.post_absence",
    ("/workers/{id}/absences", "get"): "api_workers.list_absences",
    ("/workers/{id}/absences/{absence_id}/end", "post"): "api_workers.end_absence",
    ("/workers/{id}", "patch"): "api_workers.patch_worker",
    ("/events/{id}/occurrences/{date}/skip", "post"): "api.skip_occurrence",
}
for (_path, _method), _endpoint in OPERATION_IDS.items():
    PATHS[_path][_method]["operationId"] = _endpoint
QUERY_PARAMETERS: dict[str, frozenset[str]] = {
    endpoint: frozenset(p["name"] for p in PATHS[path][method].get("parameters", [])
                        if p["in"] == "query")
    for (path, method), endpoint in OPERATION_IDS.items()
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Rinnalla API", "version": "1",
             "description": "Register clients, appointments and pending applications; "
                            "read reminders, messages and the inbox. Text fields have the "
                            "limits given here; besides, no text may hold control characters "
                            "(a line break only where a text has lines) or unpaired "
                            "surrogates, and place, bring and agency no web address "
                            "(docs/fields.md)."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "rinnalla create-token EMAIL"}},
        "schemas": SCHEMAS,
    },
    "paths": PATHS,
}
