"""replay submissions and stats

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:29:53.598166
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sprocket.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("at", sprocket.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_audit_log_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_audit_log_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "stored_replays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["users.id"],
            name=op.f("fk_stored_replays_uploaded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_replays")),
        sa.UniqueConstraint("sha256", name=op.f("uq_stored_replays_sha256")),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by_user_id", sa.Integer(), nullable=False),
        sa.Column("submitted_for_team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_submissions_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["users.id"],
            name=op.f("fk_submissions_submitted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_for_team_id"],
            ["teams.id"],
            name=op.f("fk_submissions_submitted_for_team_id_teams"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_match_id"), ["match_id"], unique=False)
        batch_op.create_index(
            "uq_submissions_open_match",
            ["match_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('processing', 'validating', 'awaiting_ratification')"),
            postgresql_where=sa.text(
                "status IN ('processing', 'validating', 'awaiting_ratification')"
            ),
        )

    op.create_table(
        "account_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("account_name", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_account_claims_decided_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_account_claims_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_account_claims_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_account_claims_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_claims")),
    )
    op.create_table(
        "player_game_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_game_id", sa.Integer(), nullable=False),
        sa.Column("player_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_account_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("goals", sa.Integer(), nullable=False),
        sa.Column("assists", sa.Integer(), nullable=False),
        sa.Column("saves", sa.Integer(), nullable=False),
        sa.Column("shots", sa.Integer(), nullable=False),
        sa.Column("mvp", sa.Boolean(), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_game_id"],
            ["match_games.id"],
            name=op.f("fk_player_game_stats_match_game_id_match_games"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            name=op.f("fk_player_game_stats_player_id_players"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_player_game_stats_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player_game_stats")),
        sa.UniqueConstraint(
            "match_game_id",
            "platform",
            "platform_account_id",
            name=op.f("uq_player_game_stats_match_game_id_platform_platform_account_id"),
        ),
    )
    with op.batch_alter_table("player_game_stats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_player_game_stats_match_game_id"), ["match_game_id"], unique=False
        )
        batch_op.create_index("ix_player_game_stats_player", ["player_id"], unique=False)

    op.create_table(
        "ratifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sprocket.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_ratifications_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_ratifications_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ratifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratifications")),
        sa.UniqueConstraint(
            "submission_id", "user_id", name=op.f("uq_ratifications_submission_id_user_id")
        ),
    )
    op.create_table(
        "submission_replays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("stored_replay_id", sa.Integer(), nullable=False),
        sa.Column("game_number", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["stored_replay_id"],
            ["stored_replays.id"],
            name=op.f("fk_submission_replays_stored_replay_id_stored_replays"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_replays_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_replays")),
        sa.UniqueConstraint(
            "submission_id",
            "game_number",
            name=op.f("uq_submission_replays_submission_id_game_number"),
        ),
    )
    with op.batch_alter_table("submission_replays", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_replays_stored_replay_id"), ["stored_replay_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_submission_replays_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "team_game_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_game_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("goals", sa.Integer(), nullable=False),
        sa.Column("goals_against", sa.Integer(), nullable=False),
        sa.Column("assists", sa.Integer(), nullable=False),
        sa.Column("saves", sa.Integer(), nullable=False),
        sa.Column("shots", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_game_id"],
            ["match_games.id"],
            name=op.f("fk_team_game_stats_match_game_id_match_games"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_game_stats_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_game_stats")),
        sa.UniqueConstraint(
            "match_game_id", "team_id", name=op.f("uq_team_game_stats_match_game_id_team_id")
        ),
    )
    with op.batch_alter_table("team_game_stats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_game_stats_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("match_games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stored_replay_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_match_games_stored_replay_id_stored_replays"),
            "stored_replays",
            ["stored_replay_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("match_games", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_match_games_stored_replay_id_stored_replays"), type_="foreignkey"
        )
        batch_op.drop_column("stored_replay_id")

    with op.batch_alter_table("team_game_stats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_game_stats_team_id"))

    op.drop_table("team_game_stats")
    with op.batch_alter_table("submission_replays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_replays_submission_id"))
        batch_op.drop_index(batch_op.f("ix_submission_replays_stored_replay_id"))

    op.drop_table("submission_replays")
    op.drop_table("ratifications")
    with op.batch_alter_table("player_game_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_player_game_stats_player")
        batch_op.drop_index(batch_op.f("ix_player_game_stats_match_game_id"))

    op.drop_table("player_game_stats")
    op.drop_table("account_claims")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_submissions_open_match",
            sqlite_where=sa.text("status IN ('processing', 'validating', 'awaiting_ratification')"),
            postgresql_where=sa.text(
                "status IN ('processing', 'validating', 'awaiting_ratification')"
            ),
        )
        batch_op.drop_index(batch_op.f("ix_submissions_match_id"))

    op.drop_table("submissions")
    op.drop_table("stored_replays")
    op.drop_table("audit_log")
