"""teams: one installation for many teams, roles, absences and cover

Why: a wellbeing services county runs many teams (adult social work in two
municipalities, disability services, ...) from one installation, each with its own
name, numbers and clients, and a worker must see only their teams' clients. A reply
must never reach nobody: while a worker is away it goes to a substitute or the team
inbox (cover), an item left unhandled is raised to the whole team (escalation), and a
deactivated worker's clients and open items go to a successor.

An installation becomes one team with no manual step: the team is created here, new
database or old (named "Tiimi" until the first start), marked `from_config`, and every
start names it from the `[team]` configuration (domain/teams/setup.py). Every client, item
and worker joins it; the old "admin" role becomes the organisation's admin, so nobody
loses a right they had. Nothing is left pointing at an inactive worker: their clients
and open items go to the team inbox, where the team sees them.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.store.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC = service.store.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_sv", sa.String(200), nullable=True),
        sa.Column("name_en", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(20), nullable=False, server_default=""),
        sa.Column("booking_number", sa.String(20), nullable=True),
        sa.Column("window", sa.String(20), nullable=True),
        sa.Column("saturday_window", sa.String(20), nullable=True),
        sa.Column("sunday_window", sa.String(20), nullable=True),
        sa.Column("sender", sa.String(40), nullable=True),
        sa.Column("files_dir", sa.String(500), nullable=True),
        sa.Column("escalate_after_hours", sa.Integer(), nullable=False, server_default="4"),
        sa.Column("from_config", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("worker_id", sa.Integer(), sa.ForeignKey("workers.id", ondelete="CASCADE"),
                  primary_key=True),
    )
    op.create_index("ix_team_members_worker_id", "team_members", ["worker_id"])
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("worker_id", sa.Integer(), sa.ForeignKey("workers.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("substitute_id", sa.Integer(),
                  sa.ForeignKey("workers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_by", sa.Integer(),
                  sa.ForeignKey("workers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_absences_worker_id", "absences", ["worker_id"])
    _one_team_for_what_exists()
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("inbox_items") as batch:
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cover", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("due_at", UTC, nullable=True))
        batch.add_column(sa.Column("escalated_at", UTC, nullable=True))
    # Not a batch on audit_log: on SQLite a batch copies the table and would drop its
    # append-only triggers (migration 0005).
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("audit_log", sa.Column("team_id", sa.Integer(), nullable=True))
    else:
        op.execute("ALTER TABLE audit_log ADD COLUMN team_id INTEGER"
                   " REFERENCES teams (id)")  # teams are deactivated, never deleted
    _everything_into_the_team()
    with op.batch_alter_table("clients") as batch:
        batch.alter_column("team_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_clients_team_id", "teams", ["team_id"], ["id"])
        batch.create_index("ix_clients_team_id", ["team_id"])
    with op.batch_alter_table("inbox_items") as batch:
        batch.alter_column("team_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_inbox_items_team_id", "teams", ["team_id"], ["id"])
        batch.create_index("ix_inbox_items_team_id", ["team_id"])
    op.create_index("ix_audit_log_team_id", "audit_log", ["team_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key("fk_audit_log_team_id", "audit_log", "teams", ["team_id"],
                              ["id"])


def _one_team_for_what_exists() -> None:
    """The installation's team, which the `[team]` configuration names at each start."""
    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO teams (id, name, phone, escalate_after_hours, from_config, active,"
        " created_at) VALUES (1, 'Tiimi', '', 4, :yes, :yes, CURRENT_TIMESTAMP)"),
        {"yes": True})
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT setval(pg_get_serial_sequence('teams', 'id'), 1)"))


def _everything_into_the_team() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("INSERT INTO team_members (team_id, worker_id) SELECT 1, id FROM workers"))
    bind.execute(sa.text("UPDATE workers SET role = 'org_admin' WHERE role = 'admin'"))
    bind.execute(sa.text("UPDATE clients SET team_id = 1"))
    bind.execute(sa.text("UPDATE inbox_items SET team_id = 1"))
    bind.execute(sa.text(
        "UPDATE clients SET worker_id = NULL WHERE worker_id IN"
        " (SELECT id FROM workers WHERE NOT active)"))
    bind.execute(sa.text(
        "UPDATE inbox_items SET worker_id = NULL, cover = :yes WHERE state <> 'handled'"
        " AND worker_id IN (SELECT id FROM workers WHERE NOT active)"), {"yes": True})


def downgrade() -> None:
    op.drop_index("ix_audit_log_team_id", table_name="audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_audit_log_team_id", "audit_log", type_="foreignkey")
        op.drop_column("audit_log", "team_id")
    else:  # SQLite: a plain DROP COLUMN keeps the table and its triggers
        op.execute("ALTER TABLE audit_log DROP COLUMN team_id")
    with op.batch_alter_table("inbox_items") as batch:
        batch.drop_index("ix_inbox_items_team_id")
        batch.drop_constraint("fk_inbox_items_team_id", type_="foreignkey")
        for column in ("escalated_at", "due_at", "cover", "team_id"):
            batch.drop_column(column)
    with op.batch_alter_table("clients") as batch:
        batch.drop_index("ix_clients_team_id")
        batch.drop_constraint("fk_clients_team_id", type_="foreignkey")
        batch.drop_column("team_id")
    op.execute("UPDATE workers SET role = 'admin' WHERE role IN ('org_admin', 'team_admin')")
    op.drop_index("ix_absences_worker_id", table_name="absences")
    op.drop_table("absences")
    op.drop_index("ix_team_members_worker_id", table_name="team_members")
    op.drop_table("team_members")
    op.drop_table("teams")
