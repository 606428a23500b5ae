"""reaching clients: trusted persons can opt out, and their consent can be withdrawn

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trusted_persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relation", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("opted_out", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("opted_out_at", service.store.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("deactivated_at", service.store.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("deactivated_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deactivation_reason", sa.String(length=30),
                                      nullable=True))
        batch_op.create_foreign_key("fk_trusted_persons_deactivated_by_workers", "workers",
                                    ["deactivated_by"], ["id"], ondelete="SET NULL")
        batch_op.create_index("ix_trusted_persons_phone", ["phone"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trusted_persons", schema=None) as batch_op:
        batch_op.drop_index("ix_trusted_persons_phone")
        batch_op.drop_constraint("fk_trusted_persons_deactivated_by_workers",
                                 type_="foreignkey")
        batch_op.drop_column("deactivation_reason")
        batch_op.drop_column("deactivated_by")
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("opted_out_at")
        batch_op.drop_column("opted_out")
        batch_op.drop_column("relation")
