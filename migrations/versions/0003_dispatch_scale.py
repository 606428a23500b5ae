"""dispatch scale: a shared send pace, the claim's start, an index for queued messages

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per rate-limited kind ("sms", "voice"): the next free send slot,
    # advanced with a check-and-set on `version` so every worker process shares it.
    op.create_table(
        "send_pace",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("next_at", service.store.db.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )
    # When the current claim began: the take-over after a crash tells this attempt's
    # message from earlier attempts' by it.
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", service.store.db.UTCDateTime(), nullable=True))
    # The idle tick asks for queued ad-hoc messages; without this it reads the
    # whole messages table, which only grows.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_queued", ["id"], unique=False,
            sqlite_where=sa.text("status = 'queued' AND direction = 'out'"),
            postgresql_where=sa.text("status = 'queued' AND direction = 'out'"))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_queued",
                            sqlite_where=sa.text("status = 'queued' AND direction = 'out'"),
                            postgresql_where=sa.text("status = 'queued' AND direction = 'out'"))
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
    op.drop_table("send_pace")
