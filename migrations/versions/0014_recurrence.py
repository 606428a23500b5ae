"""recurrence: series of events, their occurrences, and the client reference

Why: clients have things that repeat (a weekly group, rent due on the 5th). A series
is one event with an RFC 5545 rule (`recurrence`, local wall-clock time); each
occurrence is a child event (`series_id`, `occurrence_date`) made only up to
`planned_until` (a rolling horizon the daily job extends), so every existing path
(reminders, replies, holds, notices, attendance) works per occurrence unchanged. The
unique (series_id, occurrence_date) lets two workers extend the horizon at once
without an occurrence made twice. `clients.reference` is the team's own client
reference, which imported calendars and lists match on (unique within a team).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC = service.store.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("recurrence", sa.Text(), nullable=True))
        batch.add_column(sa.Column("series_paused_at", UTC, nullable=True))
        batch.add_column(sa.Column("planned_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("occurrence_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("on_holiday", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("holiday_kept_at", UTC, nullable=True))
        batch.create_foreign_key("fk_events_series_id", "events", ["series_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index("uq_events_occurrence", ["series_id", "occurrence_date"],
                           unique=True)
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("reference", sa.String(40), nullable=True))
        batch.create_index("uq_clients_team_reference", ["team_id", "reference"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_index("uq_clients_team_reference")
        batch.drop_column("reference")
    with op.batch_alter_table("events") as batch:
        batch.drop_index("uq_events_occurrence")
        batch.drop_constraint("fk_events_series_id", type_="foreignkey")
        for column in ("holiday_kept_at", "on_holiday", "occurrence_date", "series_id",
                       "planned_until", "series_paused_at", "recurrence"):
            batch.drop_column(column)
