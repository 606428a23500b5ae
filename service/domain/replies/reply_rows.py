"""A client's reply written as plain INSERTs and one UPDATE, not through the ORM's flush.

Why: every text is read through here (by the worker, scheduling/text_reading.py), and
the unit of work cost about three times a plain statement's CPU (0.7 ms against 0.25 ms
an INSERT; docs/performance.md, issue 19). The rows are the same: the message, its inbox
item, and the client's last activity. They are written in the reading's transaction, so
they commit or roll back with everything else. Nothing here is work for the dispatch (an
inbound message is not sent, store/work_signal.py), so no doorbell is missed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar, cast

from sqlalchemy import Table, bindparam, insert, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service.store.models import Client, InboxItem, Message

__all__ = ["insert_row", "touch_client"]

_CLIENTS = cast(Table, Client.__table__)
TOUCH_CLIENT = (update(_CLIENTS).where(_CLIENTS.c.id == bindparam("client_id"))
                .values(last_activity_at=bindparam("active_at")))
_INSERTS = {model: insert(table).returning(table.c.id)
            for model, table in ((m, cast(Table, m.__table__)) for m in (Message, InboxItem))}

Row = TypeVar("Row", Message, InboxItem)


def insert_row(session: Session, row: Row) -> Row:
    """Store a message or inbox item built in memory, with the columns set on it (the
    rest take their defaults); it gets its id and stays out of the session. A second
    delivery of the same gateway sid fails here with the unique constraint's
    IntegrityError, as a flush would."""
    table = cast(Table, type(row).__table__)
    state = inspect(row)
    values = {c.key: state.dict[c.key] for c in table.columns if c.key in state.dict}
    set_committed_value(row, "id", int(session.execute(_INSERTS[type(row)], values)
                                       .scalar_one()))
    return row


def touch_client(session: Session, client: Client, now: datetime) -> None:
    """The client was active now (retention counts from it); the loaded client agrees
    without being marked changed."""
    session.execute(TOUCH_CLIENT, {"client_id": client.id, "active_at": now})
    set_committed_value(client, "last_activity_at", now)
