"""team senders: a message row names the sender it went out from, and teams carry a
version

Why: each team may send from its own Twilio number or messaging service. The message
row is written before the gateway call and says what it goes out from, so every send
path (a reminder, a batch, a queued text, a retry after a crash) hands the gateway the
same sender; a messaging service's id (MG + 32 hex digits) needs 34 characters. Every
process keeps each team's settings in memory and asks one cheap question per request
or dispatch pass whether any team changed: the teams' version numbers (bumped by every
edit) answer it.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():
        op.alter_column("messages", "from_number", existing_type=sa.String(20),
                        type_=sa.String(40), existing_nullable=False)
    else:  # a batch copies the table: the schema then says what the model says
        with op.batch_alter_table("messages") as batch:
            batch.alter_column("from_number", existing_type=sa.String(20),
                               type_=sa.String(40), existing_nullable=False)
    op.add_column("teams", sa.Column("version", sa.Integer(), nullable=False,
                                     server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("version")
    if _postgresql():
        op.alter_column("messages", "from_number", existing_type=sa.String(40),
                        type_=sa.String(20), existing_nullable=False)
