"""web ui: no schema change needed (the UI works on the core tables: workers.failed_logins,
locked_until and ui_language, inbox_items.state/handled_by); kept so revision ids stay fixed.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
