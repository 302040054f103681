"""scrim results through submissions: a submission is for a match or for a scrim

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('processing', 'validating', 'awaiting_ratification')"


def upgrade() -> None:
    # SQLite rebuilds the table in batch mode; the partial index is dropped first and made
    # again afterwards so that its WHERE clause survives the rebuild.
    op.drop_index("uq_submissions_open_match", table_name="submissions")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.alter_column("match_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("scrim_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_scrim_id_scrims"),
            "scrims",
            ["scrim_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_submissions_scrim_id"), ["scrim_id"], unique=False)
        batch_op.create_check_constraint("one_subject", "(match_id IS NULL) <> (scrim_id IS NULL)")
    for name, column in (
        ("uq_submissions_open_match", "match_id"),
        ("uq_submissions_open_scrim", "scrim_id"),
    ):
        op.create_index(
            name,
            "submissions",
            [column],
            unique=True,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )


def downgrade() -> None:
    op.execute("DELETE FROM submissions WHERE scrim_id IS NOT NULL")
    op.drop_index("uq_submissions_open_scrim", table_name="submissions")
    op.drop_index("uq_submissions_open_match", table_name="submissions")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_submissions_one_subject"), type_="check")
        batch_op.drop_index(batch_op.f("ix_submissions_scrim_id"))
        batch_op.drop_constraint(batch_op.f("fk_submissions_scrim_id_scrims"), type_="foreignkey")
        batch_op.drop_column("scrim_id")
        batch_op.alter_column("match_id", existing_type=sa.Integer(), nullable=False)
    op.create_index(
        "uq_submissions_open_match",
        "submissions",
        ["match_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
