"""Reading a JSON request body: an object, of the types its published schema says.

Why: without this the API turned null into "None", a list into "['a', 'b']", "false"
into True (a taxi text planned) and a number into a date. Each body is checked with
jsonschema against the very schema /api/v1/openapi.json publishes (openapi.INPUTS),
and a wrong value gets a 422 naming its field, in the API's usual shape.
"""

from __future__ import annotations

from typing import Any

from flask import request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from service.domain.errors import ValidationError
from service.web.api.openapi import INPUTS, QUERY_PARAMETERS

VALIDATORS = {name: Draft202012Validator(schema) for name, schema in INPUTS.items()}
TYPE_WORDS = {"string": "teksti", "integer": "kokonaisluku", "boolean": "true tai false",
              "null": "null", "object": "objekti", "array": "lista", "number": "luku"}


class ApiProblem(Exception):
    """A request the API refuses as a whole: its status and a short English reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def json_object(required: bool = True) -> dict[str, Any]:
    """The body as a JSON object; 400 if it is none (or is nested past Python's limit)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise ApiProblem(400, "JSON nested too deeply") from None
    if data is None and not required and not request.get_data(cache=True).strip():
        return {}
    if not isinstance(data, dict):
        raise ApiProblem(400, "expected a JSON object")
    return data


def _message(error: SchemaError) -> str:
    kind, expected = error.validator, error.validator_value
    if kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        words = [TYPE_WORDS.get(str(name), str(name)) for name in names]
        return "Väärä tyyppi: anna " + " tai ".join(words) + "."
    if kind == "enum":
        return "Valitse jokin näistä: " + ", ".join(
            str(v) if v is not None else "null" for v in expected) + "."
    if kind == "maxLength":
        return f"Liian pitkä: enintään {expected} merkkiä."
    if kind in ("minimum", "maximum"):
        schema = error.schema
        return f"Anna luku väliltä {schema.get('minimum')}-{schema.get('maximum')}."
    return "Arvo ei kelpaa."


def _field(error: SchemaError) -> tuple[str, str]:
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = next((name for name in error.validator_value if name not in instance), "body")
        return str(missing), "Pakollinen tieto puuttuu."
    path = list(error.absolute_path)
    return (str(path[0]) if path else "body"), _message(error)


def validated_body(schema: str, required: bool = True) -> dict[str, Any]:
    """The request's JSON object, valid against INPUTS[schema]; else ValidationError
    mapping each wrong field to a Finnish message (the app answers 422)."""
    data = json_object(required)
    errors: dict[str, str] = {}
    for error in VALIDATORS[schema].iter_errors(data):
        field, message = _field(error)
        errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)
    return data


def check_query() -> None:
    """before_request of the API: a query parameter the operation does not publish is
    refused (422 naming it), not silently ignored."""
    allowed = QUERY_PARAMETERS.get(request.endpoint or "")
    if allowed is None:
        return
    unknown = [name for name in request.args if name not in allowed]
    if unknown:
        raise ValidationError({name or "(tyhjä)": "Tuntematon parametri." for name in unknown})
