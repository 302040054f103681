"""The web inbox: every notification a user was sent, newest first, unread until they read
it. Rows are written by :func:`sprocket.notifications.service.notify`, once per user and
event key."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import NotFound
from sprocket.identity.access import Actor, require_user
from sprocket.notifications.models import Notification
from sprocket.paging import Page, page

#: Notifications an inbox page shows when the caller says nothing.
PAGE_SIZE = 20


async def inbox(
    session: AsyncSession,
    *,
    actor: Actor,
    first: int = PAGE_SIZE,
    after: str | None = None,
    unread_only: bool = False,
) -> Page[Notification]:
    """The caller's notifications, newest first: ``first`` (1 to 100) after the cursor
    ``after``, only the unread ones with ``unread_only``. Raises UNAUTHENTICATED, then
    INVALID_PAGE_SIZE, INVALID_CURSOR."""
    user_id = require_user(actor)
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return await page(session, query, Notification.id, first=first, after=after, descending=True)


async def unread_count(session: AsyncSession, *, actor: Actor) -> int:
    """How many of the caller's notifications are unread (0 for the spectator, who has no
    inbox). One statement. Raises nothing."""
    if actor.user_id is None:
        return 0
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(session: AsyncSession, *, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the caller's notifications read (reading it again changes nothing).
    Returns it. Raises UNAUTHENTICATED, NOT_FOUND (no such notification of the caller's:
    another user's is not told apart from none)."""
    user_id = require_user(actor)
    row = await session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"There is no notification with id {notification_id} in your inbox.")
    if row.read_at is None:
        row.read_at = utcnow()
        await session.flush()
    return row


async def mark_all_read(session: AsyncSession, *, actor: Actor) -> int:
    """Mark every unread notification of the caller's read; returns how many were unread.
    Raises UNAUTHENTICATED."""
    user_id = require_user(actor)
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
