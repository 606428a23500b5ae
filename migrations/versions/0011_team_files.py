"""team files in the database, and a password that must be changed

Why: a team admin edits the team's message templates and schedules in the UI, and the
change must reach the web and worker processes without a restart and be undoable. Each
save is a new row (append-only history); the newest row of a path is the one in force,
and an undo is a new row copying an older one (content NULL: back to the file on disk).
A generated or reset password is known to someone else, so it must be changed at the
first sign-in.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_file_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("worker_id", sa.Integer(),
                  sa.ForeignKey("workers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", service.store.db.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_team_file_versions_path", "team_file_versions", ["path", "id"])
    with op.batch_alter_table("workers") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        batch.drop_column("must_change_password")
    op.drop_index("ix_team_file_versions_path", table_name="team_file_versions")
    op.drop_table("team_file_versions")
