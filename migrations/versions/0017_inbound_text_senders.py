"""inbound texts by sender: a text whose reading failed holds its sender's reminders

Why: while a stored text waits to be read again after a failure, both send paths ask,
for every due reminder, whether a text from its number is waiting so
(domain/replies/received.py, unsure_of). The table is nearly always empty, but after an
outage it may hold thousands of texts; the index keeps that question one look-up.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inbound_texts_from_number", "inbound_texts", ["from_number"])


def downgrade() -> None:
    op.drop_index("ix_inbound_texts_from_number", table_name="inbound_texts")
