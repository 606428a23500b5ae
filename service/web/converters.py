"""URL converters: an id in a path is what service.domain.fields.parse_id accepts.

Werkzeug's own `int` takes any Unicode digit ("١" is read as 1) and any size (2^31 is
a 500 on PostgreSQL, 2^63 on SQLite). `<id:...>` takes 1 to 2^31 - 1 in ASCII digits;
anything else matches no route, so it is a 404 like any missing page.
`<token:...>` is the shape of our callback tokens (secrets.token_urlsafe), so a NUL byte
or a 300-character token never reaches a query.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

from service.domain import errors, fields


class IdConverter(BaseConverter):
    regex = r"[0-9]{1,10}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        try:
            return fields.parse_id(value, "id")
        except errors.ValidationError:
            raise ValidationError() from None

    def to_url(self, value: Any) -> str:
        return str(int(value))


class TokenConverter(BaseConverter):
    regex = r"[A-Za-z0-9_\-]{1,64}"
    part_isolating = True


def install_converters(app: Flask) -> None:
    """Before any blueprint is registered: rules are compiled with these."""
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["token"] = TokenConverter
