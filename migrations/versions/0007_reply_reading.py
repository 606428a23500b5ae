"""reply reading: the reader's reason beside each reply, corrections, and holds

A reply's reading keeps why it was read so (messages.reading_reason, with the question
and language it was read against), and what a worker corrected it to
(messages.corrected_intent). An inbox item about a reply that was not certain holds
every further automated contact for its event until a worker handles it
(inbox_items.holds); the partial index keeps the send path's "is this event held?"
independent of how many items are stored.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HOLDING = "holds"


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reading_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("reading_question", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("reading_language", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("corrected_intent", sa.String(length=12), nullable=True))
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holds", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_index("ix_inbox_items_holding", "inbox_items", ["event_id"], unique=False,
                    sqlite_where=sa.text(HOLDING), postgresql_where=sa.text(HOLDING))


def downgrade() -> None:
    op.drop_index("ix_inbox_items_holding", table_name="inbox_items",
                  sqlite_where=sa.text(HOLDING), postgresql_where=sa.text(HOLDING))
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.drop_column("holds")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("corrected_intent")
        batch_op.drop_column("reading_language")
        batch_op.drop_column("reading_question")
        batch_op.drop_column("reading_reason")
