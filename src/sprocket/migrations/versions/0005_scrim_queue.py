"""the matchmaking queue: tickets of members waiting for a lobby

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sprocket.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scrim_queue_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("game_mode_id", sa.Integer(), nullable=False),
        sa.Column("skill_group_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("wait_until", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scrim_id", sa.Integer(), nullable=True),
        sa.Column("left_at", sprocket.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["game_mode_id"],
            ["game_modes.id"],
            name=op.f("fk_scrim_queue_tickets_game_mode_id_game_modes"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_scrim_queue_tickets_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_scrim_queue_tickets_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scrim_id"],
            ["scrims.id"],
            name=op.f("fk_scrim_queue_tickets_scrim_id_scrims"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["skill_group_id"],
            ["skill_groups.id"],
            name=op.f("fk_scrim_queue_tickets_skill_group_id_skill_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrim_queue_tickets")),
    )
    with op.batch_alter_table("scrim_queue_tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scrim_queue_tickets_queue",
            ["organization_id", "game_mode_id", "skill_group_id", "active"],
            unique=False,
        )
        batch_op.create_index(
            "uq_scrim_queue_tickets_active_member",
            ["member_id"],
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )


def downgrade() -> None:
    with op.batch_alter_table("scrim_queue_tickets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_scrim_queue_tickets_active_member",
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )
        batch_op.drop_index("ix_scrim_queue_tickets_queue")

    op.drop_table("scrim_queue_tickets")
