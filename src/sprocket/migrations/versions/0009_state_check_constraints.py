"""check constraints keep every state column to its enum's values

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00

Each column that holds a state or kind (``sprocket.<domain>.enums``) gains
``CHECK (column IN (...))``, named ``ck_<table>_<column>``. The values are a frozen copy of
the enums as of this revision; rows already stored hold only these values. On SQLite the
tables are rebuilt (batch mode); their partial unique indexes are dropped first and made
again after, so they keep their predicates.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> column -> the values it may hold (frozen copy of the enums as of this revision).
STATES: dict[str, dict[str, tuple[str, ...]]] = {
    "role_grants": {
        "role": (
            "organization_admin",
            "league_staff",
            "franchise_manager",
            "team_captain",
            "player",
            "spectator",
        ),
    },
    "platform_accounts": {
        "status": ("pending", "verified"),
        "proof": ("staff", "claim", "sign_in", "legacy"),
    },
    "matches": {"status": ("scheduled", "completed", "forfeited")},
    "submissions": {
        "status": ("processing", "validating", "awaiting_ratification", "accepted", "rejected"),
    },
    "ratifications": {"decision": ("ratify", "reject")},
    "account_claims": {"status": ("pending", "confirmed")},
    "rating_points": {"source": ("match", "scrim")},
    "scrims": {
        "team_mode": ("fixed", "round_robin"),
        "status": ("pending", "popped", "in_progress", "complete", "cancelled", "locked"),
    },
    "scrim_queue_tickets": {"status": ("queued", "placed", "left", "expired")},
}

_OPEN = "status IN ('processing', 'validating', 'awaiting_ratification')"
_VERIFIED = "status = 'verified'"
_ACTIVE = "active"
# table -> its partial unique indexes: (name, columns, predicate), which a batch rebuild of
# the table on SQLite would not carry over.
PARTIAL: dict[str, list[tuple[str, list[str], str]]] = {
    "platform_accounts": [
        ("uq_platform_accounts_verified", ["organization_id", "platform", "account_id"], _VERIFIED)
    ],
    "submissions": [
        ("uq_submissions_open_match", ["match_id"], _OPEN),
        ("uq_submissions_open_scrim", ["scrim_id"], _OPEN),
    ],
    "scrim_queue_tickets": [
        ("uq_scrim_queue_tickets_active_member", ["member_id"], _ACTIVE),
    ],
}


def _condition(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


@contextmanager
def _rebuilt(table: str) -> Iterator[BatchOperations]:
    """A batch alteration of ``table`` whose partial indexes survive it on SQLite."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    partial = PARTIAL.get(table, []) if sqlite else []
    for name, _columns, predicate in partial:
        op.drop_index(name, table_name=table, sqlite_where=sa.text(predicate))
    with op.batch_alter_table(table) as batch:
        yield batch
    for name, columns, predicate in partial:
        op.create_index(name, table, columns, unique=True, sqlite_where=sa.text(predicate))


def upgrade() -> None:
    for table, columns in STATES.items():
        with _rebuilt(table) as batch:
            for column, values in columns.items():
                batch.create_check_constraint(column, _condition(column, values))


def downgrade() -> None:
    for table, columns in reversed(STATES.items()):
        with _rebuilt(table) as batch:
            for column in columns:
                batch.drop_constraint(batch.f(f"ck_{table}_{column}"), type_="check")
