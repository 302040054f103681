"""Who may take a scrim seat or a matchmaking ticket, until when, and in which skill group:
the checks that creating or joining a scrim and entering the matchmaking queue share."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import Conflict, InvalidInput, NotFound
from sprocket.identity.access import Actor, require_user
from sprocket.league import service as league
from sprocket.league.configuration import OrganizationConfig
from sprocket.league.errors import LeagueCode
from sprocket.league.models import GameMode, League, Member, Organization, Player
from sprocket.scrims import service
from sprocket.scrims.bans import active_ban
from sprocket.scrims.errors import ScrimCode
from sprocket.scrims.service import MAX_WAIT, MIN_WAIT


def wait_deadline(wait_until: dt.datetime | dt.timedelta, now: dt.datetime) -> dt.datetime:
    """When a member stops waiting: ``wait_until`` is that moment (timezone-aware), or how
    long from ``now`` they wait (as a door passes the minutes its caller gave); from 1
    minute to 24 hours after ``now``. Raises InvalidInput ``INVALID_WAIT``."""
    if isinstance(wait_until, dt.timedelta):
        if not MIN_WAIT <= wait_until <= MAX_WAIT:
            raise InvalidInput(
                "You can wait for a scrim from 1 minute to 24 hours.", code=ScrimCode.INVALID_WAIT
            )
        return now + wait_until
    if wait_until.tzinfo is None:
        raise InvalidInput(
            "Say when you stop waiting with a time zone.", code=ScrimCode.INVALID_WAIT
        )
    if wait_until < now + MIN_WAIT or wait_until > now + MAX_WAIT:
        raise InvalidInput(
            "You can wait for a scrim from 1 minute to 24 hours.", code=ScrimCode.INVALID_WAIT
        )
    return wait_until


async def require_may_queue(
    session: AsyncSession, *, actor: Actor, organization_id: int, now: dt.datetime
) -> tuple[Member, OrganizationConfig]:
    """The member may queue: a member (who may act, answered first), scrims enabled, not
    banned, not in another scrim and not waiting in the matchmaking queue. The member's row
    is locked first, so one member's joins and queue entries are served one after the other.
    Returns the member and the organization's configuration. Raises UNAUTHENTICATED,
    NOT_FOUND (no such organization), PERMISSION_DENIED (not a member), SCRIMS_DISABLED,
    QUEUE_BANNED (``details.ends_at``), ALREADY_IN_SCRIM, ALREADY_QUEUED."""
    require_user(actor)
    if await session.get(Organization, organization_id) is None:
        raise NotFound(f"There is no organization with id {organization_id}.")
    member = await service.member_of(session, actor=actor, organization_id=organization_id)
    config = await league.organization_config(session, organization_id)
    if not config["scrims_enabled"]:
        raise InvalidInput(
            "Scrims are turned off in this organization for now.", code=ScrimCode.SCRIMS_DISABLED
        )
    await session.get(Member, member.id, with_for_update=True, populate_existing=True)
    ban = await active_ban(session, member_id=member.id, now=now)
    if ban is not None:
        until = await service.organization_time(
            session, organization_id=organization_id, moment=ban.ends_at
        )
        raise InvalidInput(
            f"You are banned from the scrim queue until {until} ({ban.reason}).",
            code=ScrimCode.QUEUE_BANNED,
            details={"ends_at": ban.ends_at.isoformat()},
        )
    if await service.current_entry(session, member_id=member.id) is not None:
        raise Conflict(
            "You are already in a scrim; leave it before joining another.",
            code=ScrimCode.ALREADY_IN_SCRIM,
        )
    if await service.current_ticket(session, member_id=member.id) is not None:
        raise Conflict(
            "You are already waiting in the scrim queue; leave it first.",
            code=ScrimCode.ALREADY_QUEUED,
        )
    return member, config


async def queue_skill_group(
    session: AsyncSession,
    *,
    member: Member,
    mode: GameMode,
    competitive: bool,
    skill_group_id: int | None,
) -> int | None:
    """The skill group a member queues in: for a competitive scrim their own in a league of the
    mode (the given one, or their first); a casual scrim has none (None). Raises NO_SKILL_GROUP
    (they play in no league of the mode), WRONG_SKILL_GROUP (not theirs). It is one of the
    scrims package's own steps, with no permission check: doors call the lifecycle, staff and
    bans functions, which check who may act first."""
    if not competitive:
        return None
    mine = await member_skill_group_ids(session, member=member, game_mode_id=mode.id)
    if not mine:
        raise InvalidInput(
            f"You play in no {mode.name} league here, so you can only join casual scrims.",
            code=ScrimCode.NO_SKILL_GROUP,
        )
    if skill_group_id is None:
        return mine[0]
    if skill_group_id in mine:
        return skill_group_id
    raise InvalidInput(
        "You can only open competitive scrims for your own skill group.",
        code=LeagueCode.WRONG_SKILL_GROUP,
    )


async def member_skill_group_ids(
    session: AsyncSession, *, member: Member, game_mode_id: int
) -> list[int]:
    """The skill groups the member plays in, in the leagues of the game mode in their
    organization (oldest league first). It is one of the scrims package's own steps, with no
    permission check: doors call the lifecycle, staff and bans functions, which check who may
    act first."""
    rows = await session.scalars(
        select(Player.skill_group_id)
        .join(League, League.id == Player.league_id)
        .where(
            Player.member_id == member.id,
            League.game_mode_id == game_mode_id,
            League.organization_id == member.organization_id,
            Player.skill_group_id.is_not(None),
        )
        .order_by(League.id)
    )
    return [g for g in rows.all() if g is not None]
