"""Statements over a whole batch of rows, the same on SQLite and PostgreSQL.

Why: the dispatch pass writes a few hundred rows a second, and what costs there is
not the database but the Python around each statement. On PostgreSQL the rows go
as one parameter: a list of ids as an array literal (`= ANY('{1,2,3}')`), rows as one
JSON text read back with json_to_recordset. The statement text is then the same for
any number of rows, so it is parsed and prepared once (an `IN (...)` list or a
many-row VALUES gives a new, long text every time), and the rows are encoded by
json.dumps, written in C, where a list parameter is dumped element by element in
Python. SQLite has neither: there the plain forms are used (IN, executemany).

sql_literal writes a named state into the statement's text, for the queries that
must match a partial index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON
from sqlalchemy.sql.selectable import TableValuedAlias


def sql_literal(state: StrEnum) -> ColumnElement[str]:
    """A named state written into the SQL text, not bound as a parameter.

    Why: PostgreSQL matches a partial index's WHERE (state = 'planned') only against a
    literal; with a bound parameter, the generic plan of a prepared statement cannot
    use the index. The text comes from the enum, never from input.
    """
    if "'" in state.value:
        raise ValueError(f"a state with a quote cannot be written into SQL: {state!r}")
    return literal_column(f"'{state.value}'", String())


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def id_in(conn: Connection, column: ColumnElement[int], ids: Sequence[int]
          ) -> ColumnElement[bool]:
    """`column IN ids`, as one array parameter on PostgreSQL."""
    if _postgres(conn):
        return column == any_(_int_array([int(i) for i in ids]))
    return column.in_(list(ids))


def _int_array(values: list[int]) -> ColumnElement[Any]:
    """Whole numbers as one text parameter, '{1,2,3}', cast to an array by PostgreSQL:
    a list parameter is checked and quoted element by element in Python."""
    return cast(literal("{" + ",".join(map(str, values)) + "}", String()), ARRAY(Integer))


def _json_value(value: object) -> str:
    """What json.dumps cannot write itself: an aware datetime, as ISO 8601 text that
    PostgreSQL reads back into the column's timestamptz."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into a bulk statement")


def _json_rows(table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]]
               ) -> TableValuedAlias:
    """The rows as one JSON parameter, read back as a table with the columns' types.

    Each dict is written as it is (its keys are the columns), so a dict must hold no
    other keys."""
    payload = json.dumps(rows, default=_json_value, ensure_ascii=False)
    return func.json_to_recordset(cast(bindparam("bulk_rows", payload, type_=Text), JSON)
                                  ).table_valued(*[column(name, table.c[name].type)
                                                   for name in columns]
                                                 ).render_derived(with_types=True)


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                key: str, **same: Any) -> list[int]:
    """Insert rows (all with the same keys, plus the values in `same` on every row);
    their new ids, in the order of `rows`.

    `key` names a unique column the rows carry, by which the ids are matched back
    (PostgreSQL does not promise RETURNING in the order of an INSERT ... SELECT).
    """
    if not rows:
        return []
    if not _postgres(conn):
        return list(conn.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{**row, **same} for row in rows]))
    columns = list(rows[0])
    source = _json_rows(table, columns, rows)
    constants = [literal(value, table.c[name].type) for name, value in same.items()]
    found = dict(conn.execute(
        insert(table).from_select([*columns, *same],
                                  select(*[source.c[c] for c in columns], *constants))
        .returning(table.c[key], table.c.id)).tuples().all())
    return [found[row[key]] for row in rows]


def update_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                **same: Any) -> None:
    """Update rows by id: each dict holds "id" and its own values (all with the same
    keys); `same` holds values set on every row."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "id"]
    if not _postgres(conn):
        conn.execute(update(table).where(table.c.id == bindparam("bulk_id"))
                     .values({**{c: bindparam(f"bulk_{c}") for c in columns}, **same}),
                     [{f"bulk_{k}": v for k, v in row.items()} for row in rows])
        return
    source = _json_rows(table, ["id", *columns], rows)
    conn.execute(update(table).where(table.c.id == source.c.id)
                 .values({**{c: source.c[c] for c in columns}, **same}))
