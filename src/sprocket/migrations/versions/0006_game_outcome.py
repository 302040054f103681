"""a game's outcome from its own record: who won each game, and what tells games apart

Match and scrim games record who won (``home_won``): the goals, unless the game's replay
records the winner (a forfeit is won at any score). Stored replays keep the keys that tell
one game from another: this copy's replay id and the match GUID every player's copy shares
(filled when a replay is stored or parsed again; migrations cannot read the files).

SQLite: no table is rebuilt (a rebuild of ``match_games`` would delete its stat lines, ON
DELETE CASCADE), so ``match_games.home_won`` comes with a default that fills existing rows
and stays on SQLite; PostgreSQL drops it again. Downgrading drops the columns in place.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "match_games",
        sa.Column("home_won", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE match_games SET home_won = (home_goals > away_goals)")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("match_games", "home_won", server_default=None)
    op.add_column("scrim_games", sa.Column("home_won", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE scrim_games SET home_won = (home_goals > away_goals) WHERE home_goals <> away_goals"
    )
    op.add_column("stored_replays", sa.Column("replay_id", sa.String(length=64), nullable=True))
    op.add_column("stored_replays", sa.Column("match_guid", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_stored_replays_replay_id"), "stored_replays", ["replay_id"])
    op.create_index(op.f("ix_stored_replays_match_guid"), "stored_replays", ["match_guid"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stored_replays_match_guid"), table_name="stored_replays")
    op.drop_index(op.f("ix_stored_replays_replay_id"), table_name="stored_replays")
    op.drop_column("stored_replays", "match_guid")
    op.drop_column("stored_replays", "replay_id")
    op.drop_column("scrim_games", "home_won")
    op.drop_column("match_games", "home_won")
