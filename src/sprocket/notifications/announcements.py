"""Staff announcements: written once (on the web staff page or with ``/staff announce``),
posted to the organization's announcements channel on Discord and shown on the web home
page. Writing one moves the data version on, so the cached home page shows it at once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.errors import InvalidInput
from sprocket.identity.access import Actor
from sprocket.league import access
from sprocket.notifications import channels
from sprocket.notifications.channels import Place
from sprocket.notifications.delivery import schedule_delivery
from sprocket.notifications.enums import ChannelPurpose
from sprocket.notifications.errors import NotificationCode
from sprocket.notifications.message import Message
from sprocket.notifications.models import Announcement
from sprocket.notifications.service import COLOUR
from sprocket.text import is_storable

MAX_TITLE = 200
MAX_BODY = 2000
#: Announcements the home page shows per organization.
SHOWN = 3


def _text(value: str, *, field: str, what: str, limit: int) -> str:
    text = value.strip()
    if not text or len(text) > limit or not is_storable(text):
        raise InvalidInput(
            f"An announcement's {what} has 1 to {limit} characters.",
            code=NotificationCode.INVALID_ANNOUNCEMENT,
            details={"field": field},
        )
    return text


async def announce(
    session: AsyncSession, *, actor: Actor, organization_id: int, title: str, body: str
) -> Announcement:
    """League staff announce ``title`` (1 to 200 characters) and ``body`` (1 to 2,000) to
    the organization: shown on the home page, and posted to its announcements channel when
    one is set (once: the key ``announcement:<id>``); written to the audit log. Returns the
    announcement. Raises UNAUTHENTICATED, PERMISSION_DENIED, then INVALID_ANNOUNCEMENT
    (naming the field)."""
    await access.require_staff_anywhere(session, actor, organization_id, "make announcements")
    row = Announcement(
        organization_id=organization_id,
        title=_text(title, field="title", what="title", limit=MAX_TITLE),
        body=_text(body, field="body", what="text", limit=MAX_BODY),
        created_by_user_id=actor.user_id,
    )
    session.add(row)
    await session.flush()
    audit.record(
        session,
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action="announcement.add",
        subject=f"announcement:{row.id}",
        details={"title": row.title},
    )
    channel = await channels.channel_for(
        session, organization_id=organization_id, place=Place(ChannelPurpose.ANNOUNCEMENTS)
    )
    if channel is not None:
        roles = (channel.role_id,) if channel.role_id else ()
        await schedule_delivery(
            session,
            key=f"announcement:{row.id}",
            target=channels.target_of_channel(channel),
            message=Message(
                content=" ".join(f"<@&{role}>" for role in roles),
                embeds=({"title": row.title, "description": row.body, "color": COLOUR},),
                mention_role_ids=roles,
            ),
            organization_id=organization_id,
        )
    return row


async def recent_announcements(
    session: AsyncSession, *, organization_ids: Sequence[int], per_organization: int = SHOWN
) -> dict[int, list[Announcement]]:
    """The latest announcements of each of ``organization_ids``, newest first, at most
    ``per_organization`` each, by organization id (public: the home page shows them). One
    statement. Raises nothing."""
    wanted = set(organization_ids)
    if not wanted:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=Announcement.organization_id, order_by=Announcement.id.desc())
        .label("rank")
    )
    ranked = (
        select(Announcement.id, rank).where(Announcement.organization_id.in_(wanted)).subquery()
    )
    rows = await session.scalars(
        select(Announcement)
        .join(ranked, ranked.c.id == Announcement.id)
        .where(ranked.c.rank <= per_organization)
        .order_by(Announcement.id.desc())
    )
    found: dict[int, list[Announcement]] = {}
    for row in rows:
        found.setdefault(row.organization_id, []).append(row)
    return found
