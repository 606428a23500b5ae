"""inbound texts: a reply is stored as delivered before the webhook answers

Why: the SMS webhook used to read and file a reply before answering Twilio, several
statements while Twilio waited. Now it stores the text as it came (one INSERT) and the
worker, woken by the same commit, reads it into a message and an inbox item and
deletes the row. The sid is unique here too, so a delivery Twilio repeats while the
first is waiting is stored once. On PostgreSQL a trigger rings the workers' doorbell
(store/work_signal.py's channel) for every INSERT, so the webhook sends no NOTIFY of its
own: one statement less while Twilio waits.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC = service.store.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbound_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gateway_sid", sa.String(length=64), nullable=False),
        sa.Column("from_number", sa.String(length=40), nullable=False),
        sa.Column("to_number", sa.String(length=40), nullable=False),
        sa.Column("via", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("gateway_sid"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION rinnalla_text_arrived() RETURNS trigger "
                   "LANGUAGE plpgsql AS $$ BEGIN "
                   "PERFORM pg_notify('rinnalla_work_' || current_schema(), ''); "
                   "RETURN NULL; END $$")
        op.execute("CREATE TRIGGER inbound_texts_arrived AFTER INSERT ON inbound_texts "
                   "FOR EACH STATEMENT EXECUTE FUNCTION rinnalla_text_arrived()")


def downgrade() -> None:
    op.drop_table("inbound_texts")  # (its trigger goes with it)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION rinnalla_text_arrived()")
