"""Tables of notifications: each user's inbox, their preferences per kind, the
organization's notification channels, and staff announcements."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, State, UTCDateTime, one_of, utcnow
from sprocket.notifications.enums import ChannelPurpose, DeliveryMode, NotificationKind


class Notification(Base):
    """One notification in a user's web inbox: what happened (``kind``, ``title``,
    ``body``), where to look (``link``, a path on the site), unread until ``read_at``.
    ``key`` names the event; a user holds one notification per key, so an event delivered
    twice adds nothing."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        one_of("kind", NotificationKind),
    )
    # A user's own mail: writing it leaves every cached public answer valid.
    readers_see = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(State(NotificationKind, 32))
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(Base):
    """A user's choice for one kind: how it reaches them, and whether its mentions are
    silent (no push notification). A kind without a row takes its default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (one_of("kind", NotificationKind), one_of("delivery", DeliveryMode))
    readers_see = False

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(State(NotificationKind, 32), primary_key=True)
    delivery: Mapped[DeliveryMode] = mapped_column(State(DeliveryMode, 16))
    silent: Mapped[bool] = mapped_column(Boolean, default=False)


class NotificationChannel(Base):
    """Where an organization's notifications of one purpose go on Discord: a channel (the
    bot posts) or a webhook, and the role mentioned. ``scope_id`` is the skill group of a
    scrims channel (0: casual scrims), the team of a team channel, the franchise of a
    franchise channel, and 0 for the organization-wide purposes."""

    __tablename__ = "notification_channels"
    __table_args__ = (
        UniqueConstraint("organization_id", "purpose", "scope_id"),
        one_of("purpose", ChannelPurpose),
    )
    readers_see = False

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    purpose: Mapped[ChannelPurpose] = mapped_column(State(ChannelPurpose, 16))
    scope_id: Mapped[int] = mapped_column(Integer, default=0)
    channel_id: Mapped[str | None] = mapped_column(String(20))
    webhook_url: Mapped[str | None] = mapped_column(String(300))
    role_id: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Announcement(Base):
    """A staff announcement: posted once to the organization's announcements channel and
    shown on the web home page."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_organization", "organization_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
