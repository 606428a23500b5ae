"""Statements over a whole batch of rows, the same on SQLite and PostgreSQL.

Why: the dispatch pass writes a few hundred rows a second, and what costs there is
not the database but the Python around each statement. On PostgreSQL a list of
values goes as one array parameter (`= ANY(:ids)`, `unnest(:a, :b, ...)`), so the
statement text is the same for any number of rows and is parsed and prepared once;
an `IN (...)` list or a many-row VALUES gives a new, long text every time. SQLite
has no arrays: there the plain forms are used (IN, executemany).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    Table,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY


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


def _arrays(table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]]
            ) -> list[Any]:
    """One typed array parameter per column (the column's own type per element, so
    UTC datetimes are checked and converted as in any other statement)."""
    arrays: list[Any] = []
    for name in columns:
        values = [row[name] for row in rows]
        column_type = table.c[name].type
        if isinstance(column_type, Integer) and all(type(v) is int for v in values):
            arrays.append(_int_array(values))
        else:
            arrays.append(bindparam(f"bulk_{name}", values, type_=ARRAY(column_type)))
    return arrays


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
    source = func.unnest(*_arrays(table, columns, rows)).table_valued(*columns).render_derived()
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
    source = func.unnest(*_arrays(table, ["id", *columns], rows)).table_valued(
        "id", *columns).render_derived()
    conn.execute(update(table).where(table.c.id == source.c.id)
                 .values({**{c: source.c[c] for c in columns}, **same}))
