"""number checks: a client's number that a permanent gateway error stopped

Why: after Twilio said a number does not exist or cannot take texts, sending to it
again only fails again (and costs). The channel that failed is blocked for every
event until the worker edits the number; the reason says what the worker checks.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("phone_check_reason", sa.String(60), nullable=True))
        batch.add_column(sa.Column("sms_blocked_at", service.store.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("voice_blocked_at", service.store.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("voice_blocked_at")
        batch.drop_column("sms_blocked_at")
        batch.drop_column("phone_check_reason")
