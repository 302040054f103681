"""A person's own time zone

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-21 09:00:00

``users.time_zone``: the IANA name of the zone a person reads dates and times in on the web;
None (every existing user) keeps the zone of the organization a moment belongs to.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
