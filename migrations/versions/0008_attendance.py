"""attendance, rescheduling notices and recorded opt-outs

- events.attendance: what the worker recorded after the appointment (attended,
  no_show, cancelled_by_client), who and when, and the answer the event had before
  (answer_before_attendance), so the service path can tell a confirmed no-show from an
  unanswered one after the event is closed;
- events.previous_starts_at: the time an appointment was moved from, for the "your
  time has moved from X to Y" notice;
- messages.not_before: a notice queued in the night waits for the client's sending
  window;
- clients.opt_reason: why a worker recorded the latest opt-out or opt-in.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("attendance", sa.String(20), nullable=True))
        batch.add_column(sa.Column("attendance_at", service.store.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("attendance_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answer_before_attendance", sa.String(20), nullable=True))
        batch.add_column(sa.Column("previous_starts_at", service.store.db.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.create_foreign_key("fk_events_attendance_by_workers", "workers",
                                 ["attendance_by"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("not_before", service.store.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("opt_reason", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("opt_reason")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("not_before")
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("fk_events_attendance_by_workers", type_="foreignkey")
        for name in ("previous_starts_at", "answer_before_attendance", "attendance_by",
                     "attendance_at", "attendance"):
            batch.drop_column(name)
