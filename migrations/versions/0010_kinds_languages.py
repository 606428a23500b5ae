"""kinds and languages: how far a trusted person's texts may name the client

A trusted person's reminders say whose reminder it is only as far as the client
consented: by default "your close one", and the client's first name only when the
client agreed to it (recorded with the consent). Appointment kinds (phone, home visit,
video) and the Ukrainian language need no schema change: both are short strings
already, checked by the code.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trusted_persons") as batch:
        batch.add_column(sa.Column("shares_client_name", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("trusted_persons") as batch:
        batch.drop_column("shares_client_name")
