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


def up_to(limit: int) -> str:
    """A regular expression for 1..limit in ASCII digits without leading zeros.

    Out-of-range ids must match no rule at all: a rule that matched and then refused
    the value would leave a sibling rule (same path, other method) to answer 405.
    """
    top = str(limit)
    shorter = f"[1-9][0-9]{{0,{len(top) - 2}}}" if len(top) > 1 else ""
    same = []
    for i, digit in enumerate(top):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(top) - i - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            same.append(f"{top[:i]}[{low}-{int(digit) - 1}]{tail}")
    return "(?:" + "|".join(p for p in (shorter, *same, top) if p) + ")"


class IdConverter(BaseConverter):
    regex = up_to(fields.MAX_ID)
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
