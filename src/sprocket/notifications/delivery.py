"""Deliveries: one row per message to send to Discord, scheduled in the transaction of the
event that calls for it, and sent once by the job ``notification.deliver``
(:mod:`sprocket.notifications.tasks`).

A delivery is keyed by the caller (``scrim.popped:12:member:7``): scheduling the same key
twice (a redelivered event) schedules nothing. Its life: ``pending`` until sent (``sent``, with
Discord's message id), refused for good or out of attempts (``failed``), refused because the
user's DMs are closed (``dms_closed``: see :func:`dm_fallbacks`), or not sent at all because
Discord is off (``skipped``: the in-app inbox alone carries it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, State, UTCDateTime, in_values, one_of, utcnow
from sprocket.errors import InvalidInput
from sprocket.notifications.errors import NotificationCode
from sprocket.notifications.message import (
    MAX_CONTENT,
    Attachment,
    ChannelTarget,
    Message,
    Target,
    TargetKind,
    WebhookTarget,
    message_of,
    target_of,
)
from sprocket.platform.outbox import enqueue

#: The job that sends a delivery.
DELIVER_JOB = "notification.deliver"
#: Characters of a delivery's key.
MAX_KEY = 200


class DeliveryStatus(StrEnum):
    """Where a delivery stands (see the module's docstring)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DMS_CLOSED = "dms_closed"
    SKIPPED = "skipped"


class Delivery(Base):
    """A message for one Discord target, sent once. ``organization_id`` and ``user_id``
    (ours, when the target is a person) say whom it concerns, for staff's lists;
    ``next_attempt_at``: when a pending delivery is due (pushed on while an attempt holds it,
    and by the back-off after a failed one)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        one_of("target_kind", TargetKind),
        one_of("status", DeliveryStatus),
        Index(
            "ix_notification_deliveries_due",
            "next_attempt_at",
            sqlite_where=in_values("status", [DeliveryStatus.PENDING]),
            postgresql_where=in_values("status", [DeliveryStatus.PENDING]),
        ),
        Index(
            "ix_notification_deliveries_dms_closed",
            "organization_id",
            "id",
            sqlite_where=in_values("status", [DeliveryStatus.DMS_CLOSED]),
            postgresql_where=in_values("status", [DeliveryStatus.DMS_CLOSED]),
        ),
    )
    readers_see = False  # bookkeeping: sending leaves cached league answers valid

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY), unique=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    target_kind: Mapped[TargetKind] = mapped_column(State(TargetKind, 16))
    target: Mapped[str] = mapped_column(String(300))
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        State(DeliveryStatus, 16), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    discord_message_id: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def destination(self) -> Target:
        """The stored target."""
        return target_of(self.target_kind, self.target)

    @property
    def nonce(self) -> str:
        """Discord's message nonce of this delivery (23 characters at most): the id and a
        digest of the key, the same on every attempt, so Discord, told to enforce it, answers a
        repeated send with the message it already made."""
        digest = hashlib.blake2b(self.key.encode(), digest_size=6).hexdigest()
        return f"{self.id}.{digest}"


class DeliveryAttachment(Base):
    """A file of a delivery: its bytes, or the object-storage key they are kept under."""

    __tablename__ = "notification_attachments"
    __table_args__ = (
        CheckConstraint("(data IS NULL) <> (storage_key IS NULL)", name="one_source"),
    )
    readers_see = False

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("notification_deliveries.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    storage_key: Mapped[str | None] = mapped_column(String(500))


async def schedule_delivery(
    session: AsyncSession,
    *,
    key: str,
    target: Target,
    message: Message,
    organization_id: int | None = None,
    user_id: int | None = None,
) -> Delivery | None:
    """Schedule ``message`` for ``target`` once: a ``notification_deliveries`` row and the
    outbox message of the job ``notification.deliver``, both in the caller's transaction
    (nothing is sent unless it commits).

    ``key``: the caller's idempotency key (1 to 200 characters, e.g.
    ``scrim.popped:12:user:7``); a key scheduled before schedules nothing and returns None.
    ``organization_id`` / ``user_id``: whom it concerns (ours), for :func:`dm_fallbacks`.

    Raises InvalidInput: INVALID_DELIVERY_KEY for an empty or overlong key, INVALID_MESSAGE
    for an action button sent through a webhook (a webhook someone made in Discord may carry
    link buttons only: Discord's "Execute Webhook", ``with_components``).
    """
    if not key or len(key) > MAX_KEY:
        raise InvalidInput(
            f"A delivery's key has 1 to {MAX_KEY} characters.",
            code=NotificationCode.INVALID_DELIVERY_KEY,
        )
    if isinstance(target, WebhookTarget) and any(b.custom_id for b in message.buttons):
        raise InvalidInput(
            "A webhook carries link buttons only; send action buttons to a channel.",
            code=NotificationCode.INVALID_MESSAGE,
        )
    if await session.scalar(select(Delivery.id).where(Delivery.key == key)) is not None:
        return None
    delivery = Delivery(
        key=key,
        organization_id=organization_id,
        user_id=user_id,
        target_kind=target.kind,
        target=target.address,
        message=message.data(),
        next_attempt_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(delivery)
            await session.flush()
    except IntegrityError:  # the same key scheduled by a concurrent transaction
        return None
    for position, attachment in enumerate(message.attachments):
        session.add(
            DeliveryAttachment(
                delivery_id=delivery.id,
                position=position,
                filename=attachment.name,
                data=attachment.data,
                storage_key=attachment.storage_key,
            )
        )
    enqueue(session, DELIVER_JOB, delivery_id=delivery.id)
    return delivery


async def message_of_delivery(session: AsyncSession, delivery: Delivery) -> Message:
    """``delivery``'s message, with its attachments (stored bytes, or storage keys)."""
    rows = await session.scalars(
        select(DeliveryAttachment)
        .where(DeliveryAttachment.delivery_id == delivery.id)
        .order_by(DeliveryAttachment.position)
    )
    files = tuple(
        Attachment(name=row.filename, data=row.data, storage_key=row.storage_key) for row in rows
    )
    return message_of(delivery.message, files)


#: Called when a DM could not be sent because the user's DMs are closed, in the transaction
#: that records it: the in-app inbox and the staff notice hang here.
DmsClosedHook = Callable[[AsyncSession, Delivery], Awaitable[None]]
_dms_closed_hooks: list[DmsClosedHook] = []


def on_dms_closed(hook: DmsClosedHook) -> DmsClosedHook:
    """Register ``hook`` (an async function of the session and the delivery) to run when a
    delivery ends ``dms_closed``, in the same transaction (the staff notice,
    :func:`schedule_staff_notice`, hangs here); returns it, so it serves as a decorator.
    Registering the same hook twice keeps one."""
    if hook not in _dms_closed_hooks:
        _dms_closed_hooks.append(hook)
    return hook


def forget_dms_closed(hook: DmsClosedHook) -> None:
    """Unregister ``hook`` (see :func:`on_dms_closed`); nothing if it is not registered."""
    if hook in _dms_closed_hooks:
        _dms_closed_hooks.remove(hook)


async def dms_closed(session: AsyncSession, delivery: Delivery) -> None:
    """Run every :func:`on_dms_closed` hook for ``delivery`` (just marked ``dms_closed``)."""
    for hook in _dms_closed_hooks:
        await hook(session, delivery)


async def dm_fallbacks(
    session: AsyncSession, *, organization_id: int, limit: int = 50
) -> list[Delivery]:
    """The organization's DMs that could not be sent because the person's DMs are closed
    (Discord's error 50007), newest first, at most ``limit``: what staff pages list so
    someone tells those people (or asks them to open their DMs)."""
    rows = await session.scalars(
        select(Delivery)
        .where(
            Delivery.organization_id == organization_id,
            Delivery.status == DeliveryStatus.DMS_CLOSED,
        )
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    return list(rows)


async def schedule_staff_notice(
    session: AsyncSession, *, delivery: Delivery, staff_channel_id: str
) -> Delivery | None:
    """Tell staff, in the channel ``staff_channel_id`` (a Discord id, the organization's
    staff channel), that ``delivery`` (a DM) did not reach its person because their DMs are
    closed, quoting what it said; the person is named, not pinged. Once per delivery (the
    key ``dms-closed:<id>``). Returns the new delivery, or None when already scheduled.
    Raises InvalidInput (INVALID_TARGET) when the channel id is none."""
    said = delivery.message.get("content") or "(an embed or a file)"
    content = (
        f"<@{delivery.target}> has closed DMs, so Sprocket could not send them this; it is "
        f"in their inbox on the web:\n>>> {said}"
    )
    return await schedule_delivery(
        session,
        key=f"dms-closed:{delivery.id}",
        target=ChannelTarget(staff_channel_id),
        message=Message(content=content[:MAX_CONTENT]),
        organization_id=delivery.organization_id,
    )
