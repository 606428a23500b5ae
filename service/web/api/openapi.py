"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from service.store.states import Direction, EventKind, InboxState, ReminderState


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


_S = {"type": "string"}
_I = {"type": "integer"}
_B = {"type": "boolean"}
_DT = {"type": "string", "format": "date-time"}
_D = {"type": "string", "format": "date"}
_NS = {"type": ["string", "null"]}


def _enum(states: type[StrEnum]) -> dict[str, list[str]]:
    """A string schema allowing the values of one enum of named states."""
    return {"enum": [state.value for state in states]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "401": _json(_ref("Error"), "missing or invalid Bearer token"),
    "422": _json(_ref("ValidationErrors"), "invalid input, field by field"),
}
_NOT_FOUND = {"404": _json(_ref("Error"), "not found"), "401": _ERRORS["401"]}
_ID_PARAM = {"in": "path", "required": True, "schema": _I}
_CLIENT_FILTER = {"name": "client_id", "in": "query", "required": False, "schema": _I}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Rinnalla API", "version": "1",
             "description": "Register clients, appointments and pending applications; "
                            "read reminders, messages and the inbox."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "rinnalla create-token EMAIL"}},
        "schemas": {
            "Error": _obj({"error": _S}, ["error"]),
            "ValidationErrors": _obj({"errors": {"type": "object",
                                                 "additionalProperties": _S}}, ["errors"]),
            "ClientInput": _obj({
                "name": _S, "phone": {**_S, "examples": ["040 123 4567"]},
                "language": {"enum": ["fi", "sv", "en", "selko"]},
                "channel": {"enum": ["sms", "voice", "auto"]},
                "worker_id": _I, "window": {**_NS, "examples": ["09:00-18:00"]}},
                ["name", "phone"]),
            "Client": _obj({"id": _I, "name": _S, "phone": _S,
                            "number_type": {"enum": ["mobile", "fixed_line", "other"]},
                            "language": _S, "channel": _S, "opted_out": _B,
                            "worker_id": {"type": ["integer", "null"]}, "window": _NS},
                           ["id", "phone", "number_type"]),
            "AppointmentInput": _obj({
                "client_id": _I, "starts_at": {**_DT, "description": "ISO 8601 with offset"},
                "place": _S, "bring": _S, "needs_transport": _B,
                "appointment_type": {"enum": ["worker", "home_visit", "phone", "health", "kela",
                                              "employment", "debt_counselling", "guardianship",
                                              "other"]}},
                ["client_id", "starts_at"]),
            "ApplicationInput": _obj({"client_id": _I, "agency": _S, "submitted_on": _D,
                                      "documents_due": _D, "decision_expected": _D},
                                     ["client_id", "agency"]),
            "Reminder": _obj({"id": _I, "event_id": _I, "rule": _S,
                              "channel": {"enum": ["sms", "voice", "task"]},
                              "recipient": _S, "send_at": _DT,
                              "state": _enum(ReminderState),
                              "reason": _NS, "attempts": _I, "sent_at": _NS, "text": _S}),
            "Event": _obj({"id": _I, "client_id": _I,
                           "kind": _enum(EventKind),
                           "state": _S, "starts_at": _NS, "place": _NS, "bring": _NS,
                           "needs_transport": _B, "agency": _NS, "submitted_on": _NS,
                           "documents_due": _NS, "decision_expected": _NS,
                           "reminders": {"type": "array", "items": _ref("Reminder")}}),
            "Message": _obj({"id": _I, "direction": _enum(Direction), "channel": _S,
                             "client_id": {"type": ["integer", "null"]}, "to": _S, "from": _S,
                             "body": _NS, "status": _S, "intent": _NS,
                             "error_code": {"type": ["integer", "null"]}, "created_at": _DT}),
            "InboxItem": _obj({"id": _I, "worker_id": {"type": ["integer", "null"]},
                               "client_id": {"type": ["integer", "null"]}, "kind": _S,
                               "intent": _NS, "summary": _S,
                               "state": _enum(InboxState), "body": _NS,
                               "created_at": _DT}),
        },
    },
    "paths": {
        "/clients": {"post": {
            "summary": "Register a client; the phone number is validated and normalised",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("ClientInput")}}},
            "responses": {"201": _json(_ref("Client"), "created"), **_ERRORS}}},
        "/clients/{id}": {"get": {
            "summary": "A client with their events",
            "parameters": [{"name": "id", **_ID_PARAM}],
            "responses": {"200": _json(_ref("Client"), "the client"), **_NOT_FOUND}}},
        "/appointments": {"post": {
            "summary": "Register an appointment; its reminders are planned at once",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("AppointmentInput")}}},
            "responses": {"201": _json(_ref("Event"), "created with planned reminders"),
                          **_ERRORS}}},
        "/applications": {"post": {
            "summary": "Register a pending application; its reminders are planned at once",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("ApplicationInput")}}},
            "responses": {"201": _json(_ref("Event"), "created with planned reminders"),
                          **_ERRORS}}},
        "/events/{id}": {"get": {
            "summary": "An event, its state and its reminders",
            "parameters": [{"name": "id", **_ID_PARAM}],
            "responses": {"200": _json(_ref("Event"), "the event"), **_NOT_FOUND}}},
        "/events/{id}/cancel": {"post": {
            "summary": "Cancel an event and its pending reminders",
            "parameters": [{"name": "id", **_ID_PARAM}],
            "responses": {"200": _json(_ref("Event"), "cancelled"), **_NOT_FOUND}}},
        "/reminders": {"get": {
            "summary": "Reminders, optionally of one client",
            "parameters": [_CLIENT_FILTER],
            "responses": {"200": _json(_obj({"reminders": {"type": "array",
                                                            "items": _ref("Reminder")}}),
                                       "reminders"), "401": _ERRORS["401"]}}},
        "/messages": {"get": {
            "summary": "Outbound and inbound messages with their status",
            "parameters": [_CLIENT_FILTER],
            "responses": {"200": _json(_obj({"messages": {"type": "array",
                                                           "items": _ref("Message")}}),
                                       "messages"), "401": _ERRORS["401"]}}},
        "/inbox": {"get": {
            "summary": "The token's worker's inbox, or the team's shared inbox with team=1",
            "parameters": [{"name": "team", "in": "query", "required": False,
                            "schema": {"enum": ["0", "1"]}},
                           {"name": "state", "in": "query", "required": False,
                            "schema": _enum(InboxState)}],
            "responses": {"200": _json(_obj({"items": {"type": "array",
                                                        "items": _ref("InboxItem")}}),
                                       "inbox items"), "401": _ERRORS["401"]}}},
        "/inbox/{id}/handle": {"post": {
            "summary": "Mark an inbox item handled",
            "parameters": [{"name": "id", **_ID_PARAM}],
            "responses": {"200": _json(_ref("InboxItem"), "handled"), **_NOT_FOUND}}},
    },
}
