"""what a reply answers: an index on the messages sent to a number, newest first

Every inbound text is read against the last message or call sent to its number
(domain/replies/asked.py: to_number, newest first). Without an index that was a
scan of the whole messages table for each reply, growing with every message kept
(90 days by default); with it, one short index read.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_messages_to_number", "messages", ["to_number", "created_at", "id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_messages_to_number", table_name="messages")
