"""league data as real leagues have it: time zones, members who left, chosen display names,
the date of each game

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sprocket.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False)
        )
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("left_at", sprocket.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("display_name_changed_at", sprocket.db.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("match_games") as batch:
        batch.add_column(sa.Column("played_at", sprocket.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_games") as batch:
        batch.drop_column("played_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("display_name_changed_at")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("left_at")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("time_zone")
