"""Notification deliveries

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12 10:00:00

``notification_deliveries`` holds a row per message to send to Discord (a DM, a channel
message or a webhook call), keyed by the event that called for it so it is scheduled once,
with its state, attempts and Discord's message id; ``notification_attachments`` holds its
files (bytes, or an object-storage key).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sprocket.db import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("discord_message_id", sa.String(length=20), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "target_kind IN ('dm', 'channel', 'webhook')",
            name="target_kind",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'dms_closed', 'skipped')",
            name="status",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_notification_deliveries_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_notification_deliveries_user_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notification_deliveries"),
        sa.UniqueConstraint("key", name="uq_notification_deliveries_key"),
    )
    op.create_index(
        "ix_notification_deliveries_due",
        "notification_deliveries",
        ["next_attempt_at"],
        sqlite_where=sa.text("status IN ('pending')"),
        postgresql_where=sa.text("status IN ('pending')"),
    )
    op.create_index(
        "ix_notification_deliveries_dms_closed",
        "notification_deliveries",
        ["organization_id", "id"],
        sqlite_where=sa.text("status IN ('dms_closed')"),
        postgresql_where=sa.text("status IN ('dms_closed')"),
    )
    op.create_table(
        "notification_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("storage_key", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(data IS NULL) <> (storage_key IS NULL)",
            name="one_source",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["notification_deliveries.id"],
            name="fk_notification_attachments_delivery_id_notification_deliveries",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notification_attachments"),
    )
    op.create_index(
        "ix_notification_attachments_delivery_id",
        "notification_attachments",
        ["delivery_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_notification_attachments_delivery_id", table_name="notification_attachments")
    op.drop_table("notification_attachments")
    op.drop_index(
        "ix_notification_deliveries_dms_closed",
        table_name="notification_deliveries",
        sqlite_where=sa.text("status IN ('dms_closed')"),
    )
    op.drop_index(
        "ix_notification_deliveries_due",
        table_name="notification_deliveries",
        sqlite_where=sa.text("status IN ('pending')"),
    )
    op.drop_table("notification_deliveries")
