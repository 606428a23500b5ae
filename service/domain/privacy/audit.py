"""The audit log: who viewed, created, changed, exported or erased what, and when.

Entries are only ever added (never updated or deleted by the application), and carry
no personal data themselves: ids and action words only. Phone numbers in a detail are
replaced by *** so that erasing a client never needs to touch the log. The guard
below refuses changes from the ORM; the database triggers (migration 0005) refuse
them from anywhere else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Mapper, ORMExecuteState, Session

from service.clock import utcnow
from service.domain.privacy.redact import strip_numbers
from service.store.models import (
    AuditEntry,
    Client,
    Event,
    InboxItem,
    Message,
    Reminder,
    TeamMember,
    TrustedPerson,
    Worker,
)

ACTIONS = ("view", "create", "update", "delete", "export", "erase", "login", "logout",
           "login_failed", "send", "handle", "reassign", "import", "cancel", "anonymise", "correct")


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit entry."""


def record(session: Session, worker_id: int | None, action: str, object_type: str,
           object_id: int | None = None, detail: str = "", at: datetime | None = None,
           team_id: int | None = None) -> None:
    """Add one entry in the caller's transaction, so it commits with the action it records.

    The entry carries the team its object belongs to (given, or found from the object),
    so a team admin reads their team's log (domain/teams/access.audit_rule)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if team_id is None and object_id is not None:
        team_id = team_of(session, object_type, object_id)
    session.add(AuditEntry(at=at or utcnow(), worker_id=worker_id, action=action,
                           object_type=object_type[:20], object_id=object_id,
                           detail=strip_numbers(detail)[:300], team_id=team_id))


OF_A_CLIENT: dict[str, type[Event] | type[Message] | type[Reminder] | type[TrustedPerson]] = {
    "event": Event, "message": Message, "reminder": Reminder, "trusted_person": TrustedPerson}


def team_of(session: Session, object_type: str, object_id: int) -> int | None:
    """The team an audited object belongs to: a client's, its rows' (through the
    client), an inbox item's own; a worker's when they are in exactly one team."""
    with session.no_autoflush:
        if object_type == "client":
            client = session.get(Client, object_id)
            return client.team_id if client is not None else None
        if object_type == "inbox_item":
            item = session.get(InboxItem, object_id)
            return item.team_id if item is not None else None
        if object_type == "worker":
            teams = list(session.scalars(select(TeamMember.team_id).where(
                TeamMember.worker_id == object_id).limit(2)))
            return teams[0] if len(teams) == 1 else None
        model = OF_A_CLIENT.get(object_type)
        if model is None:
            return None
        client_id: int | None = session.scalar(select(model.client_id).where(
            model.id == object_id))
        client = session.get(Client, client_id) if client_id is not None else None
        return client.team_id if client is not None else None


def concerning(client_ids: Any) -> Any:
    """The condition "about one of these clients, or their events, messages or inbox items".

    `client_ids` is a client id or a SELECT of client ids (e.g. by name, for the log's
    filter).
    """
    if isinstance(client_ids, int):
        client_ids = select(Client.id).where(Client.id == client_ids)
    event_ids = select(Event.id).where(Event.client_id.in_(client_ids))
    message_ids = select(Message.id).where(Message.client_id.in_(client_ids))
    item_ids = select(InboxItem.id).where(InboxItem.client_id.in_(client_ids))
    return (((AuditEntry.object_type == "client") & AuditEntry.object_id.in_(client_ids))
            | ((AuditEntry.object_type == "event") & AuditEntry.object_id.in_(event_ids))
            | ((AuditEntry.object_type == "message") & AuditEntry.object_id.in_(message_ids))
            | ((AuditEntry.object_type == "inbox_item") & AuditEntry.object_id.in_(item_ids)))


def about_client(session: Session, client_id: int) -> list[AuditEntry]:
    """Every entry about the client or about its events, messages and inbox items, oldest first.

    The client has the right to see who handled their data (Act 703/2023), so the
    export includes these.
    """
    query = select(AuditEntry).where(concerning(client_id)).order_by(AuditEntry.at,
                                                                      AuditEntry.id)
    return list(session.scalars(query))


CLIENT_OF: dict[str, type[Event] | type[Message] | type[InboxItem]] = {
    "event": Event, "message": Message, "inbox_item": InboxItem}


def subjects(session: Session, entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    """Who each entry is about, by name: the client (also of an event, message or inbox
    item) or the worker. The log keeps ids only, so erasing a client empties its names."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    names: dict[tuple[str, int], str] = {}
    for object_type, model in CLIENT_OF.items():
        ids = wanted.get(object_type)
        if ids:
            rows = session.execute(select(model.id, Client.name).join(
                Client, Client.id == model.client_id).where(model.id.in_(ids)))
            names.update({(object_type, row_id): name for row_id, name in rows})
    if wanted.get("client"):
        names.update({("client", row_id): name for row_id, name in session.execute(
            select(Client.id, Client.name).where(Client.id.in_(wanted["client"])))})
    if wanted.get("worker"):
        names.update({("worker", row_id): name for row_id, name in session.execute(
            select(Worker.id, Worker.name).where(Worker.id.in_(wanted["worker"])))})
    return names


def _refuse_row(_mapper: Mapper[Any], _connection: Any, target: AuditEntry) -> None:
    raise AuditLogIsAppendOnly(f"audit entry {target.id} may not be changed or deleted")


def _refuse_bulk(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AuditEntry:
        raise AuditLogIsAppendOnly("bulk UPDATE or DELETE of the audit log is refused")


def install_guard() -> None:
    """Refuse UPDATE and DELETE of audit entries from the ORM (idempotent)."""
    if not event.contains(AuditEntry, "before_update", _refuse_row):
        event.listen(AuditEntry, "before_update", _refuse_row)
        event.listen(AuditEntry, "before_delete", _refuse_row)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk):
        event.listen(Session, "do_orm_execute", _refuse_bulk)


install_guard()
