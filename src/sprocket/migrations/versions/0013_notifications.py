"""notifications: the web inbox, preferences, channels and announcements

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-14 10:00:00

``notifications`` holds each user's inbox (one row per user and event key, so a
redelivered event adds nothing); ``notification_preferences`` each user's delivery per kind
(a kind without a row takes its default); ``notification_channels`` where an organization's
notifications of each purpose go on Discord (a channel or a webhook, and the role
mentioned); ``announcements`` the staff's announcements. The kinds, deliveries and
purposes in the check constraints are a frozen copy of the enums' values.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sprocket.db import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "scrim_created",
    "scrim_popped",
    "scrim_started",
    "queue_ban",
    "submission_waiting",
    "submission_rejected",
    "result_accepted",
    "roster_changed",
    "match_reminder",
)
DELIVERIES = ("dm", "channel", "off")
PURPOSES = (
    "announcements",
    "results",
    "transactions",
    "staff_alerts",
    "scrims",
    "team",
    "franchise",
)


def _one_of(column: str, values: Sequence[str]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(sa.text(f"{column} IN ({listed})"), name=column)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_notifications_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_notifications_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint("user_id", "key", name="uq_notifications_user_id_key"),
        _one_of("kind", KINDS),
    )
    op.create_index("ix_notifications_user_unread", "notifications", ["user_id", "read_at"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("silent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_notification_preferences_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name="pk_notification_preferences"),
        _one_of("kind", KINDS),
        _one_of("delivery", DELIVERIES),
    )
    op.create_table(
        "notification_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=20), nullable=True),
        sa.Column("webhook_url", sa.String(length=300), nullable=True),
        sa.Column("role_id", sa.String(length=20), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_notification_channels_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notification_channels"),
        sa.UniqueConstraint(
            "organization_id",
            "purpose",
            "scope_id",
            name="uq_notification_channels_organization_id_purpose_scope_id",
        ),
        _one_of("purpose", PURPOSES),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_announcements_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name="fk_announcements_created_by_user_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_announcements"),
    )
    op.create_index("ix_announcements_organization", "announcements", ["organization_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_announcements_organization", table_name="announcements")
    op.drop_table("announcements")
    op.drop_table("notification_channels")
    op.drop_table("notification_preferences")
    op.drop_index("ix_notifications_user_unread", table_name="notifications")
    op.drop_table("notifications")
