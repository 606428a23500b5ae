"""stuck ad-hoc messages: a partial index of the messages on their way

Every dispatch pass asks whether an ad-hoc message (a worker's reply, an opt-out
confirmation) has been "sending" for longer than a lease; this index holds only the
outbound messages in "sending" (those in flight), so the question costs the same
however many messages are stored.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WHERE = "status = 'sending' AND direction = 'out'"


def upgrade() -> None:
    op.create_index("ix_messages_sending", "messages", ["updated_at"], unique=False,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade() -> None:
    op.drop_index("ix_messages_sending", table_name="messages",
                  sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))
