"""trust and operations: the audit log refuses changes, retention columns and index

- audit_log is append-only in the database too: triggers refuse UPDATE and DELETE
  (and TRUNCATE on PostgreSQL), whoever connects. A worker who has audit entries can
  therefore not be deleted (the foreign key's SET NULL is an UPDATE): deactivate instead.
- events.anonymised_at: retention cleared the event's free text.
- ix_messages_body_kept: retention finds the bodies still kept without a full scan;
  ix_messages_unlinked_from: erasure finds texts from a number never linked to a client.

Note for later migrations: on SQLite, batch_alter_table("audit_log") recreates the
table and drops these triggers; create them again after such a change.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REFUSED = "audit_log is append-only"

PG_FUNCTION = f"""
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSED}: % refused', TG_OP;
END
$$
"""
PG_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", service.store.db.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_body_kept", ["created_at"], unique=False,
            sqlite_where=sa.text("body IS NOT NULL"),
            postgresql_where=sa.text("body IS NOT NULL"))
        batch_op.create_index(
            "ix_messages_unlinked_from", ["from_number"], unique=False,
            sqlite_where=sa.text("client_id IS NULL"),
            postgresql_where=sa.text("client_id IS NULL"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_unlinked_from",
                            sqlite_where=sa.text("client_id IS NULL"),
                            postgresql_where=sa.text("client_id IS NULL"))
        batch_op.drop_index("ix_messages_body_kept",
                            sqlite_where=sa.text("body IS NOT NULL"),
                            postgresql_where=sa.text("body IS NOT NULL"))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
