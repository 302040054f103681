"""Discord servers linked to organizations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 10:00:00

``discord_guilds`` holds a row per Discord server (guild) an organization linked: a command
used in that server acts for that organization. A server belongs to one organization.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sprocket.db import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discord_guilds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.String(length=20), nullable=False),
        sa.Column("linked_by_user_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_discord_guilds_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_user_id"],
            ["users.id"],
            name="fk_discord_guilds_linked_by_user_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_discord_guilds"),
        sa.UniqueConstraint("guild_id", name="uq_discord_guilds_guild_id"),
    )
    op.create_index("ix_discord_guilds_organization_id", "discord_guilds", ["organization_id"])


def downgrade() -> None:
    op.drop_index("ix_discord_guilds_organization_id", table_name="discord_guilds")
    op.drop_table("discord_guilds")
