"""Queue bans: a member who misses a check-in is kept out of the scrim queue for a while,
longer for each recent ban; staff lift bans."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import InvalidInput, NotFound, PermissionDenied
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league import service as league
from sprocket.league.configuration import OrganizationConfig
from sprocket.league.models import Member
from sprocket.scrims import service
from sprocket.scrims.errors import ScrimCode
from sprocket.scrims.models import QueueBan


async def active_ban(
    session: AsyncSession, *, member_id: int, now: dt.datetime | None = None
) -> QueueBan | None:
    """The member's queue ban in force at ``now`` (the one ending last), if any."""
    now = now or utcnow()
    return await session.scalar(
        select(QueueBan)
        .where(
            QueueBan.member_id == member_id,
            QueueBan.lifted_at.is_(None),
            QueueBan.starts_at <= now,
            QueueBan.ends_at > now,
        )
        .order_by(QueueBan.ends_at.desc())
        .limit(1)
    )


async def list_bans(
    session: AsyncSession, *, actor: Actor, organization_id: int, active_only: bool = True
) -> list[QueueBan]:
    """Staff see every ban of the organization; a member sees their own. Only the bans in
    force now with ``active_only``; newest first. Raises UNAUTHENTICATED, PERMISSION_DENIED
    (neither staff nor a member)."""
    require_user(actor)
    query = select(QueueBan).where(QueueBan.organization_id == organization_id)
    if not await access.is_staff_anywhere(session, actor, organization_id):
        member = await service.member_of(session, actor=actor, organization_id=organization_id)
        query = query.where(QueueBan.member_id == member.id)
    if active_only:
        now = utcnow()
        query = query.where(QueueBan.lifted_at.is_(None), QueueBan.ends_at > now)
    return list((await session.scalars(query.order_by(QueueBan.starts_at.desc()))).all())


async def ban_member(
    session: AsyncSession,
    *,
    organization_id: int,
    member_id: int,
    reason: str,
    now: dt.datetime,
    config: OrganizationConfig | None = None,
) -> QueueBan | None:
    """Ban a member from the queue from ``now`` (UTC): the organization's
    ``queue_ban_initial_minutes`` plus ``queue_ban_modifier_minutes`` for each ban (not
    lifted) in the last ``queue_ban_lookback_days`` days; ``reason`` kept to 200 characters.
    Returns the ban, or None when the lengths add up to no time at all. No permission check:
    the caller's (a missed check-in)."""
    config = config or await league.organization_config(session, organization_id)
    since = now - dt.timedelta(days=config["queue_ban_lookback_days"])
    earlier = await session.scalar(
        select(func.count())
        .select_from(QueueBan)
        .where(
            QueueBan.member_id == member_id,
            QueueBan.organization_id == organization_id,
            QueueBan.lifted_at.is_(None),
            QueueBan.starts_at >= since,
        )
    )
    minutes = config["queue_ban_initial_minutes"] + config["queue_ban_modifier_minutes"] * (
        earlier or 0
    )
    if minutes <= 0:
        return None
    ban = QueueBan(
        organization_id=organization_id,
        member_id=member_id,
        reason=reason[:200],
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=minutes),
    )
    session.add(ban)
    await session.flush()
    return ban


async def lift_ban(
    session: AsyncSession, *, actor: Actor, ban_id: int, now: dt.datetime | None = None
) -> QueueBan:
    """Staff lift a queue ban in force at ``now``. Raises UNAUTHENTICATED, NOT_FOUND,
    PERMISSION_DENIED (not staff of the organization), BAN_NOT_ACTIVE."""
    now = now or utcnow()
    require_user(actor)
    ban = await session.get(QueueBan, ban_id, with_for_update=True)
    if ban is None:
        raise NotFound(f"There is no queue ban with id {ban_id}.")
    if not await access.is_staff_anywhere(session, actor, ban.organization_id):
        raise PermissionDenied("Only league staff may lift queue bans.")
    if ban.lifted_at is not None or ban.ends_at <= now:
        raise InvalidInput("This ban is no longer in force.", code=ScrimCode.BAN_NOT_ACTIVE)
    ban.lifted_at = now
    ban.lifted_by_user_id = actor.user_id
    await session.flush()
    return ban


#: The longest queue ban staff give by hand, in minutes (30 days).
MAX_BAN_MINUTES = 30 * 24 * 60


async def _staff_member(
    session: AsyncSession, actor: Actor, organization_id: int, member_id: int, doing: str
) -> Member:
    await access.require_staff_anywhere(session, actor, organization_id, doing)
    member = await session.get(Member, member_id)
    if member is None or member.organization_id != organization_id:
        raise NotFound(f"There is no member with id {member_id} in this organization.")
    return member


async def staff_ban(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    member_id: int,
    minutes: int,
    reason: str,
    now: dt.datetime | None = None,
) -> QueueBan:
    """Staff keep a member out of the organization's scrim queue for ``minutes`` (1 to 30
    days' worth) from ``now``, for ``reason`` (kept to 200 characters; empty: "Banned by
    staff."). Returns the ban. Raises UNAUTHENTICATED, PERMISSION_DENIED (not staff),
    NOT_FOUND (no such member of the organization), INVALID_BAN_LENGTH."""
    now = now or utcnow()
    await _staff_member(session, actor, organization_id, member_id, "ban members from the queue")
    if not 1 <= minutes <= MAX_BAN_MINUTES:
        raise InvalidInput(
            f"A queue ban lasts 1 to {MAX_BAN_MINUTES} minutes (30 days).",
            code=ScrimCode.INVALID_BAN_LENGTH,
        )
    ban = QueueBan(
        organization_id=organization_id,
        member_id=member_id,
        reason=(reason.strip() or "Banned by staff.")[:200],
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=minutes),
    )
    session.add(ban)
    await session.flush()
    return ban


async def lift_member_ban(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    member_id: int,
    now: dt.datetime | None = None,
) -> QueueBan:
    """Staff lift the member's queue ban in force at ``now`` (the one ending last; see
    :func:`lift_ban`). Raises UNAUTHENTICATED, PERMISSION_DENIED (not staff), NOT_FOUND (no
    such member of the organization), BAN_NOT_ACTIVE (none in force)."""
    now = now or utcnow()
    await _staff_member(session, actor, organization_id, member_id, "lift queue bans")
    ban = await active_ban(session, member_id=member_id, now=now)
    if ban is None:
        raise InvalidInput("This member has no queue ban in force.", code=ScrimCode.BAN_NOT_ACTIVE)
    return await lift_ban(session, actor=actor, ban_id=ban.id, now=now)
