"""Queue bans: a member who misses a check-in is kept out of the scrim queue for a while,
longer for each recent ban; staff ban a member themselves and lift bans (both written to the
audit log)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.db import utcnow
from sprocket.errors import InvalidInput, NotFound, PermissionDenied
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league import service as league
from sprocket.league.configuration import OrganizationConfig
from sprocket.league.models import Member
from sprocket.scrims import notices, service
from sprocket.scrims.errors import ScrimCode
from sprocket.scrims.models import QueueBan
from sprocket.scrims.staff import staff_reason


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
    await notices.queue_banned(session, ban=ban)
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
    _audit(session, actor, ban, "queue_ban.lift")
    await session.flush()
    return ban


#: The longest queue ban staff give, in minutes (a year).
MAX_BAN_MINUTES = 365 * 24 * 60


async def ban_from_queue(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    member_id: int | None,
    minutes: int | None,
    reason: str,
    now: dt.datetime | None = None,
) -> QueueBan:
    """Staff ban a current member (``member_id``) from the organization's scrim queue for
    ``minutes`` (1 to :data:`MAX_BAN_MINUTES`; None: not given) from ``now`` (UTC), saying
    why (``reason``, kept to 200 characters); the audit log records it. A seat the member
    holds or a ticket they wait with is left as it is (staff cancel the scrim if need be).
    Raises UNAUTHENTICATED, PERMISSION_DENIED (not staff of the organization), NOT_FOUND
    (no such current member of it), INVALID_BAN_LENGTH, SCRIM_REASON_REQUIRED (both naming
    their argument in the details' ``field``)."""
    now = now or utcnow()
    await access.require_staff_anywhere(
        session, actor, organization_id, "ban members from the scrim queue"
    )
    member = await session.get(Member, member_id) if member_id is not None else None
    if member is None or member.organization_id != organization_id or member.left_at:
        raise NotFound("There is no such member of this organization.")
    if minutes is None or not 1 <= minutes <= MAX_BAN_MINUTES:
        raise InvalidInput(
            f"Say how long the ban lasts: a whole number of minutes from 1 to {MAX_BAN_MINUTES}.",
            code=ScrimCode.INVALID_BAN_LENGTH,
            details={"field": "minutes"},
        )
    ban = QueueBan(
        organization_id=organization_id,
        member_id=member.id,
        reason=staff_reason(reason, "Say why the member is banned from the queue."),
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=minutes),
    )
    session.add(ban)
    await session.flush()
    _audit(session, actor, ban, "queue_ban.add", reason=ban.reason, minutes=minutes)
    await notices.queue_banned(session, ban=ban)
    return ban


def _audit(
    session: AsyncSession, actor: Actor, ban: QueueBan, action: str, **details: object
) -> None:
    audit.record(
        session,
        organization_id=ban.organization_id,
        actor_user_id=actor.user_id,
        action=action,
        subject=f"member:{ban.member_id}",
        details={"ban_id": ban.id, **details},
    )


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
    await access.require_staff_anywhere(session, actor, organization_id, "lift queue bans")
    member = await session.get(Member, member_id)
    if member is None or member.organization_id != organization_id:
        raise NotFound(f"There is no member with id {member_id} in this organization.")
    ban = await active_ban(session, member_id=member_id, now=now)
    if ban is None:
        raise InvalidInput("This member has no queue ban in force.", code=ScrimCode.BAN_NOT_ACTIVE)
    return await lift_ban(session, actor=actor, ban_id=ban.id, now=now)
