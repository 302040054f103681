"""Members of an organization and the players they register: who joins, who leaves, and what
a signed-in user is in the organizations (their memberships, players and teams).

A member who leaves is kept, marked left: their past rosters, games, stats and ratings stay
theirs. Adding them again makes the same member current again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, NotFound, PermissionDenied, found
from sprocket.identity.access import Actor, require_user
from sprocket.identity.errors import IdentityCode
from sprocket.identity.models import User
from sprocket.identity.service import person_name
from sprocket.league import access, discord_sync, rosters, transactions
from sprocket.league.errors import LeagueCode
from sprocket.league.models import Member, Organization, Player, RosterSpot, SkillGroup, Team
from sprocket.league.names import MAX_KEY, member_name_key
from sprocket.league.service import amount, insert_unique, league_by_id, skill_group_of
from sprocket.league.transactions import SkillGroupChange
from sprocket.paging import Page, page

MEMBER_NAME_MAX = 100


async def _named_user(
    session: AsyncSession, user_id: int | None, discord_id: str | None
) -> User | None:
    """The user named by id or by Discord id (None when nobody has that id)."""
    if user_id is not None:
        return await session.get(User, user_id)
    return await session.scalar(select(User).where(User.discord_id == (discord_id or "").strip()))


async def add_member(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    user_id: int | None = None,
    discord_id: str | None = None,
    name: str | None = None,
) -> Member:
    """Add the user named by ``user_id`` or by ``discord_id`` (exactly one) to an organization.

    Nobody is added without being named: a user joins by naming themself; staff of any of the
    organization's leagues add anyone. A member who left becomes current again (the same
    member, their history kept). ``name`` is the member's name in the organization (1 to 100
    characters, default the user's display name), unique in the organization regardless of
    case, width and spacing (:func:`~sprocket.league.names.member_name_key`).
    Raises UNAUTHENTICATED; PERMISSION_DENIED (a caller who is not staff naming someone else,
    or nobody); MISSING_USER (staff naming nobody, or both ids); NOT_FOUND (the organization,
    the user); INVALID_NAME; DUPLICATE (already a current member); MEMBER_NAME_TAKEN.
    """
    me = require_user(actor)
    if not await access.is_staff_anywhere(session, actor, organization_id):
        caller = await session.get(User, me)
        naming_self = (user_id == me and discord_id is None) or (
            user_id is None
            and discord_id is not None
            and caller is not None
            and caller.discord_id == discord_id.strip()
        )
        if not naming_self:
            raise PermissionDenied(
                "Only league staff may add other people to an organization; to join it "
                "yourself, name yourself (your user id or Discord id)."
            )
    if (user_id is None) == (discord_id is None):
        raise InvalidInput(
            "Name the user to add: by user id or by Discord id (one of them).",
            code=LeagueCode.MISSING_USER,
        )
    found(await session.get(Organization, organization_id), "organization", organization_id)
    user = await _named_user(session, user_id, discord_id)
    if user is None:
        raise NotFound(
            f"There is no user with id {user_id}."
            if user_id is not None
            else f"Nobody has signed in with the Discord id {discord_id!r} yet."
        )
    given = user.display_name if name is None else name
    chosen = person_name(given, what="member name", limit=MEMBER_NAME_MAX)
    key = member_name_key(chosen)
    if len(key) > MAX_KEY:
        raise InvalidInput("That member name is too long.", code=IdentityCode.INVALID_NAME)
    existing = await session.scalar(
        select(Member).where(Member.organization_id == organization_id, Member.user_id == user.id)
    )
    if existing is not None and existing.left_at is None:
        raise Conflict(f"{user.display_name} is already a member.", code=LeagueCode.DUPLICATE)
    await _require_free_name(session, organization_id, key, chosen, keep=existing)
    if existing is not None:
        existing.left_at = None
        existing.name, existing.name_key = chosen, key
        await session.flush()
        return existing
    member = Member(organization_id=organization_id, user_id=user.id, name=chosen, name_key=key)
    await insert_unique(session, member, f"The name '{chosen}' or this user is already taken here.")
    return member


async def _require_free_name(
    session: AsyncSession, organization_id: int, key: str, name: str, *, keep: Member | None
) -> None:
    """Raise Conflict ``MEMBER_NAME_TAKEN`` when another member (than ``keep``) holds the
    name ``key`` stands for in the organization."""
    taken = await session.scalar(
        select(Member).where(Member.organization_id == organization_id, Member.name_key == key)
    )
    if taken is not None and taken is not keep:
        raise Conflict(
            f"The name '{name}' is taken in this organization (by '{taken.name}'); choose another.",
            code=LeagueCode.MEMBER_NAME_TAKEN,
        )


async def set_identities_public(
    session: AsyncSession, *, actor: Actor, organization_id: int, public: bool
) -> Member:
    """The caller shows (``public``) or hides their Discord identity and verified game
    accounts to everyone in this organization; hidden by default, and always seen by
    themself and the organization's staff (:func:`sprocket.league.access.identity_view`).
    Only the member decides, for themself. Raises UNAUTHENTICATED, PERMISSION_DENIED (not a
    member)."""
    me = require_user(actor)
    member = await session.scalar(
        select(Member).where(Member.organization_id == organization_id, Member.user_id == me)
    )
    if member is None:
        raise PermissionDenied("Only a member of the organization chooses what it shows of them.")
    member.identities_public = public
    await session.flush()
    return member


async def remove_member(
    session: AsyncSession, *, actor: Actor, organization_id: int, member_id: int
) -> Member:
    """Staff of any of the organization's leagues remove a member: marked left now, their
    open roster spots ended now; their past rosters, games, stats and ratings stay. Written to
    the audit log.

    Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND (no such member of this
    organization), MEMBER_ALREADY_LEFT.
    """
    require_user(actor)
    if not await access.is_staff_anywhere(session, actor, organization_id):
        raise PermissionDenied("Only league staff may remove members of an organization.")
    member = await session.get(Member, member_id)
    if member is None or member.organization_id != organization_id:
        raise NotFound(f"This organization has no member with id {member_id}.")
    if member.left_at is not None:
        raise Conflict(f"{member.name} has already left.", code=LeagueCode.MEMBER_ALREADY_LEFT)
    now = utcnow()
    member.left_at = now
    await rosters.release_member(session, member_id=member.id, at=now)
    await discord_sync.sync_later(session, member_id=member.id)
    audit.record(
        session,
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action="member.remove",
        subject=f"member:{member.id}",
        details={"user_id": member.user_id, "name": member.name},
    )
    await session.flush()
    return member


async def register_player(
    session: AsyncSession,
    *,
    actor: Actor,
    member_id: int,
    league_id: int,
    skill_group_id: int | None = None,
    salary: float | None = None,
) -> Player:
    """League staff register a current member to play in a league (in a skill group, with a
    salary, when given).

    Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, WRONG_ORGANIZATION, MEMBER_LEFT,
    WRONG_LEAGUE, INVALID_SALARY, DUPLICATE.
    """
    require_user(actor)
    league = await league_by_id(session, league_id)
    await access.require_league_staff(
        session, actor, league.organization_id, league.id, "register players"
    )
    member = found(await session.get(Member, member_id), "member", member_id)
    if member.organization_id != league.organization_id:
        raise InvalidInput(
            f"{member.name} is not a member of this league's organization.",
            code=LeagueCode.WRONG_ORGANIZATION,
        )
    if member.left_at is not None:
        raise InvalidInput(
            f"{member.name} has left the organization; add them as a member again first.",
            code=LeagueCode.MEMBER_LEFT,
        )
    if skill_group_id is not None:
        await skill_group_of(session, league=league, skill_group_id=skill_group_id)
    salary = amount(salary, what="salary", code=LeagueCode.INVALID_SALARY, zero=True)
    player = Player(
        member_id=member.id, league_id=league.id, skill_group_id=skill_group_id, salary=salary
    )
    await insert_unique(session, player, f"{member.name} already plays in '{league.name}'.")
    await discord_sync.sync_later(session, member_id=member.id)
    return player


#: The longest reason staff keep for a skill-group move, in characters.
MOVE_REASON_MAX = 200


async def move_player(
    session: AsyncSession,
    *,
    actor: Actor,
    player_id: int,
    skill_group_id: int,
    reason: str,
) -> SkillGroupChange:
    """League staff move a player to another skill group of their league (a promotion, a
    relegation, a placement after review), for ``reason`` (1 to 200 characters once
    trimmed; longer is cut). The move is written to the audit log, the player's Discord
    roles follow it, and the player and the transactions channel are told
    (:func:`sprocket.league.transactions.tell`).

    A player on a team of another skill group is not moved: staff release them first (a
    team plays in one skill group). Returns the move: the player, their member, the groups
    before and after.
    Raises UNAUTHENTICATED, NOT_FOUND (the player, the skill group), PERMISSION_DENIED,
    MOVE_REASON_REQUIRED, WRONG_LEAGUE (the group is another league's), MEMBER_LEFT,
    SKILL_GROUP_UNCHANGED, WRONG_SKILL_GROUP (still on a team of another group).
    """
    require_user(actor)
    player = found(await session.get(Player, player_id), "player", player_id)
    league = await league_by_id(session, player.league_id)
    await access.require_league_staff(
        session, actor, league.organization_id, league.id, "move players between skill groups"
    )
    reason = reason.strip()[:MOVE_REASON_MAX]
    if not reason:
        raise InvalidInput(
            "Say why the player moves: the audit log keeps it.",
            code=LeagueCode.MOVE_REASON_REQUIRED,
        )
    after = await skill_group_of(session, league=league, skill_group_id=skill_group_id)
    member = found(await session.get(Member, player.member_id), "member", player.member_id)
    if member.left_at is not None:
        raise InvalidInput(
            f"{member.name} has left the organization; add them as a member again first.",
            code=LeagueCode.MEMBER_LEFT,
        )
    if player.skill_group_id == after.id:
        raise Conflict(
            f"{member.name} is in {after.name} already.", code=LeagueCode.SKILL_GROUP_UNCHANGED
        )
    team = await session.scalar(
        select(Team)
        .join(RosterSpot, RosterSpot.team_id == Team.id)
        .where(
            RosterSpot.player_id == player.id,
            RosterSpot.left_at.is_(None),
            Team.skill_group_id.is_not(None),
            Team.skill_group_id != after.id,
        )
        .limit(1)
    )
    if team is not None:
        raise Conflict(
            f"{member.name} plays for {team.name}, a team of another skill group; release "
            f"them from it first.",
            code=LeagueCode.WRONG_SKILL_GROUP,
        )
    before = await session.get(SkillGroup, player.skill_group_id) if player.skill_group_id else None
    player.skill_group_id = after.id
    entry = audit.record(
        session,
        organization_id=league.organization_id,
        actor_user_id=actor.user_id,
        action="player.skill_group",
        subject=f"member:{member.id}",
        details={
            "player_id": player.id,
            "league": league.name,
            "from": before.name if before else None,
            "to": after.name,
            "reason": reason,
        },
    )
    await session.flush()
    await discord_sync.sync_later(session, member_id=member.id)
    change = SkillGroupChange(player, league, member, before, after, reason, entry.id)
    await transactions.tell(session, change)
    return change


# -- what a user is in the organizations ------------------------------------------------------


async def current_members(
    session: AsyncSession, *, organization_id: int, first: int
) -> list[Member]:
    """The organization's current members (not left), by name, at most ``first``."""
    rows = await session.scalars(
        select(Member)
        .where(Member.organization_id == organization_id, Member.left_at.is_(None))
        .order_by(Member.name_key, Member.id)
        .limit(first)
    )
    return list(rows.all())


async def search_members(
    session: AsyncSession,
    *,
    organization_id: int,
    name_contains: str | None = None,
    first: int,
    after: str | None = None,
) -> Page[Member]:
    """A page of the organization's current members (not left) in the order they were
    first added (by id), optionally those whose name holds ``name_contains``
    (case-insensitive, its first 50 characters once trimmed), ``first`` (1 to 100) after
    the cursor ``after``. Raises InvalidInput: ``INVALID_PAGE_SIZE``, ``INVALID_CURSOR``."""
    query = select(Member).where(
        Member.organization_id == organization_id, Member.left_at.is_(None)
    )
    if name_contains and name_contains.strip():
        query = query.where(Member.name.icontains(name_contains.strip()[:50], autoescape=True))
    return await page(session, query, Member.id, first=first, after=after)


async def memberships_of(session: AsyncSession, *, user_id: int) -> list[Member]:
    """The user's memberships, current and left, by organization."""
    rows = await session.scalars(
        select(Member).where(Member.user_id == user_id).order_by(Member.organization_id)
    )
    return list(rows.all())


async def players_of(session: AsyncSession, *, user_id: int) -> list[Player]:
    """The user's players (one per league they registered in), oldest first."""
    rows = await session.scalars(
        select(Player)
        .join(Member, Member.id == Player.member_id)
        .where(Member.user_id == user_id)
        .order_by(Player.id)
    )
    return list(rows.all())


async def teams_of(session: AsyncSession, *, user_id: int, at: dt.datetime) -> list[RosterSpot]:
    """The user's roster spots, in any league, that run at ``at`` (timezone-aware): the teams
    they play for then (a captain's spot says so), in signing order."""
    rows = await session.scalars(
        select(RosterSpot)
        .join(Player, Player.id == RosterSpot.player_id)
        .join(Member, Member.id == Player.member_id)
        .where(
            Member.user_id == user_id,
            RosterSpot.joined_at <= at,
            RosterSpot.left_at.is_(None) | (RosterSpot.left_at > at),
        )
        .order_by(RosterSpot.joined_at, RosterSpot.id)
    )
    return list(rows.all())


async def search_players(
    session: AsyncSession,
    *,
    league_id: int,
    skill_group_id: int | None = None,
    name_contains: str | None = None,
    first: int,
    after: str | None = None,
) -> Page[Player]:
    """A page of a league's players by id (optionally of one skill group; optionally those
    whose member name holds ``name_contains``, case-insensitive, its first 50 characters
    once trimmed), ``first`` (1 to 100) after the cursor ``after``. Raises InvalidInput:
    ``INVALID_PAGE_SIZE``, ``INVALID_CURSOR``."""
    query = select(Player).where(Player.league_id == league_id)
    if skill_group_id is not None:
        query = query.where(Player.skill_group_id == skill_group_id)
    if name_contains:
        query = query.join(Member, Member.id == Player.member_id).where(
            Member.name.icontains(name_contains.strip()[:50], autoescape=True)
        )
    return await page(session, query, Player.id, first=first, after=after)
