"""ratings and scrims

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 16:06:04.238853
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sprocket.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queue_bans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("ends_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("lifted_at", sprocket.db.UTCDateTime(), nullable=True),
        sa.Column("lifted_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lifted_by_user_id"], ["users.id"], name=op.f("fk_queue_bans_lifted_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_queue_bans_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_queue_bans_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_bans")),
    )
    with op.batch_alter_table("queue_bans", schema=None) as batch_op:
        batch_op.create_index("ix_queue_bans_member", ["member_id", "ends_at"], unique=False)

    op.create_table(
        "rating_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("game_mode_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_game_id", sa.Integer(), nullable=False),
        sa.Column("played_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.Column("mu_before", sa.Float(), nullable=False),
        sa.Column("sigma_before", sa.Float(), nullable=False),
        sa.Column("mu_after", sa.Float(), nullable=False),
        sa.Column("sigma_after", sa.Float(), nullable=False),
        sa.Column("displayed_after", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["game_mode_id"],
            ["game_modes.id"],
            name=op.f("fk_rating_points_game_mode_id_game_modes"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_rating_points_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rating_points_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_points")),
        sa.UniqueConstraint(
            "member_id",
            "game_mode_id",
            "source",
            "source_game_id",
            name=op.f("uq_rating_points_member_id_game_mode_id_source_source_game_id"),
        ),
    )
    with op.batch_alter_table("rating_points", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rating_points_member", ["member_id", "game_mode_id", "id"], unique=False
        )

    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("game_mode_id", sa.Integer(), nullable=False),
        sa.Column("mu", sa.Float(), nullable=False),
        sa.Column("sigma", sa.Float(), nullable=False),
        sa.Column("displayed", sa.Integer(), nullable=False),
        sa.Column("games", sa.Integer(), nullable=False),
        sa.Column("wins", sa.Integer(), nullable=False),
        sa.Column("updated_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["game_mode_id"], ["game_modes.id"], name=op.f("fk_ratings_game_mode_id_game_modes")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_ratings_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_ratings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint(
            "member_id", "game_mode_id", name=op.f("uq_ratings_member_id_game_mode_id")
        ),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ratings_leaderboard", ["organization_id", "game_mode_id", "displayed"], unique=False
        )

    op.create_table(
        "scrims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("game_mode_id", sa.Integer(), nullable=False),
        sa.Column("skill_group_id", sa.Integer(), nullable=True),
        sa.Column("competitive", sa.Boolean(), nullable=False),
        sa.Column("team_mode", sa.String(length=16), nullable=False),
        sa.Column("games", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("popped_at", sprocket.db.UTCDateTime(), nullable=True),
        sa.Column("check_in_deadline", sprocket.db.UTCDateTime(), nullable=True),
        sa.Column("started_at", sprocket.db.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sprocket.db.UTCDateTime(), nullable=True),
        sa.Column("lobby_name", sa.String(length=32), nullable=True),
        sa.Column("lobby_password", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_scrims_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["game_mode_id"], ["game_modes.id"], name=op.f("fk_scrims_game_mode_id_game_modes")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_scrims_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_group_id"],
            ["skill_groups.id"],
            name=op.f("fk_scrims_skill_group_id_skill_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrims")),
    )
    with op.batch_alter_table("scrims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scrims_open", ["organization_id", "game_mode_id", "status"], unique=False
        )

    op.create_table(
        "scrim_games",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scrim_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("home_member_ids", sa.String(length=200), nullable=False),
        sa.Column("away_member_ids", sa.String(length=200), nullable=False),
        sa.Column("home_goals", sa.Integer(), nullable=True),
        sa.Column("away_goals", sa.Integer(), nullable=True),
        sa.Column("stored_replay_id", sa.Integer(), nullable=True),
        sa.Column("played_at", sprocket.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["scrim_id"],
            ["scrims.id"],
            name=op.f("fk_scrim_games_scrim_id_scrims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stored_replay_id"],
            ["stored_replays.id"],
            name=op.f("fk_scrim_games_stored_replay_id_stored_replays"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrim_games")),
        sa.UniqueConstraint("scrim_id", "number", name=op.f("uq_scrim_games_scrim_id_number")),
    )
    op.create_table(
        "scrim_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scrim_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_scrim_groups_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["scrim_id"],
            ["scrims.id"],
            name=op.f("fk_scrim_groups_scrim_id_scrims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrim_groups")),
        sa.UniqueConstraint("scrim_id", "code", name=op.f("uq_scrim_groups_scrim_id_code")),
    )
    op.create_table(
        "scrim_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scrim_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("team", sa.Integer(), nullable=True),
        sa.Column("joined_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("wait_until", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("checked_in_at", sprocket.db.UTCDateTime(), nullable=True),
        sa.Column("left_at", sprocket.db.UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["scrim_groups.id"],
            name=op.f("fk_scrim_entries_group_id_scrim_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_scrim_entries_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scrim_id"],
            ["scrims.id"],
            name=op.f("fk_scrim_entries_scrim_id_scrims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrim_entries")),
    )
    with op.batch_alter_table("scrim_entries", schema=None) as batch_op:
        batch_op.create_index("ix_scrim_entries_scrim", ["scrim_id"], unique=False)
        batch_op.create_index(
            "uq_scrim_entries_active_member",
            ["member_id"],
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )


def downgrade() -> None:
    with op.batch_alter_table("scrim_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_scrim_entries_active_member",
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )
        batch_op.drop_index("ix_scrim_entries_scrim")

    op.drop_table("scrim_entries")
    op.drop_table("scrim_groups")
    op.drop_table("scrim_games")
    with op.batch_alter_table("scrims", schema=None) as batch_op:
        batch_op.drop_index("ix_scrims_open")

    op.drop_table("scrims")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_ratings_leaderboard")

    op.drop_table("ratings")
    with op.batch_alter_table("rating_points", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_points_member")

    op.drop_table("rating_points")
    with op.batch_alter_table("queue_bans", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_bans_member")

    op.drop_table("queue_bans")
