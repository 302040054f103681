"""Reads for the notification tests: inbox rows and scheduled deliveries, as stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sprocket.notifications.delivery import Delivery
from sprocket.notifications.models import Notification
from sprocket.runtime import Runtime

CHANNEL = "610000000000000001"
ROLE = "620000000000000001"


async def inbox_rows(platform: Runtime, **where: Any) -> list[Notification]:
    """Inbox rows matching ``where`` (column=value), oldest first."""
    async with platform.reading() as session:
        query = select(Notification).order_by(Notification.id)
        for column, value in where.items():
            query = query.where(getattr(Notification, column) == value)
        return list((await session.scalars(query)).all())


async def deliveries(platform: Runtime, key_start: str = "") -> list[Delivery]:
    """Scheduled deliveries whose key starts with ``key_start``, oldest first."""
    async with platform.reading() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.key.startswith(key_start)).order_by(Delivery.id)
        )
        return list(rows.all())
