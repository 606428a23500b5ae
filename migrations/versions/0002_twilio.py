"""twilio: no schema change was needed (kept so the revision chain stays 0001 -> 0003).

The Twilio gateway uses the core columns: messages.gateway_sid (unique; a voice key
press is stored as "<CallSid>:<digit>", so one press is recorded once),
messages.callback_token, answered_by, error_code and error_message.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
