"""Discord role and nickname sync

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-20 10:00:00

``discord_roles`` holds the Discord roles Sprocket keeps in step in a linked server, each
standing for one skill group, team, franchise or rating band (a game mode's displayed
rating from ``minimum_rating`` on); ``discord_guilds.nickname_prefix`` says whether the
server's nicknames carry the franchise tag.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sprocket.db import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The kinds of synced roles at this revision (a frozen copy of DiscordRoleKind).
KINDS = ("skill_group", "team", "franchise", "rating_band")


def upgrade() -> None:
    with op.batch_alter_table("discord_guilds") as batch:
        batch.add_column(
            sa.Column("nickname_prefix", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    kinds = ", ".join(f"'{kind}'" for kind in KINDS)
    op.create_table(
        "discord_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discord_guild_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("skill_group_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("franchise_id", sa.Integer(), nullable=True),
        sa.Column("game_mode_id", sa.Integer(), nullable=True),
        sa.Column("minimum_rating", sa.Integer(), nullable=True),
        sa.Column("mapped_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f("ck_discord_roles_kind")),
        sa.ForeignKeyConstraint(
            ["discord_guild_id"],
            ["discord_guilds.id"],
            name=op.f("fk_discord_roles_discord_guild_id_discord_guilds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_group_id"],
            ["skill_groups.id"],
            name=op.f("fk_discord_roles_skill_group_id_skill_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_discord_roles_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["franchise_id"],
            ["franchises.id"],
            name=op.f("fk_discord_roles_franchise_id_franchises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["game_mode_id"],
            ["game_modes.id"],
            name=op.f("fk_discord_roles_game_mode_id_game_modes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discord_roles")),
        sa.UniqueConstraint(
            "discord_guild_id", "role_id", name=op.f("uq_discord_roles_discord_guild_id_role_id")
        ),
    )
    op.create_index(
        op.f("ix_discord_roles_discord_guild_id"), "discord_roles", ["discord_guild_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_discord_roles_discord_guild_id"), table_name="discord_roles")
    op.drop_table("discord_roles")
    with op.batch_alter_table("discord_guilds") as batch:
        batch.drop_column("nickname_prefix")
