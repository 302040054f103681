"""What Discord role sync reads from the league, and how the league's services ask for it.

:func:`sync_targets` gives the linked servers that sync anything, each with its
:class:`~sprocket.league.role_plan.RoleMap`; :func:`standings` what the league says of each
current member (ratings are added by :mod:`sprocket.flows.role_sync`, above the ratings).
A service that changes what someone should hold (a signing, a release, a skill group, a
member leaving, a rating band crossed) calls :func:`sync_later` in its own transaction: the
job :data:`SYNC_MEMBER_JOB` then syncs that one member through the outbox.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.identity.models import User
from sprocket.league.enums import DiscordRoleKind
from sprocket.league.models import (
    DiscordGuild,
    DiscordRole,
    Franchise,
    Member,
    Player,
    RosterSpot,
    Team,
)
from sprocket.league.role_plan import Band, RoleMap, Standing, band_crossed
from sprocket.platform.outbox import enqueue

#: The outbox job that syncs one member's roles and nickname (payload: ``member_id``).
SYNC_MEMBER_JOB = "discord.sync_member"


@dataclass(frozen=True)
class GuildTarget:
    """A linked server that syncs roles or nicknames: its organization, its Discord id and
    what it syncs."""

    organization_id: int
    guild_id: str
    roles: RoleMap


def _role_map(rows: Sequence[DiscordRole], *, prefix: bool, tags: frozenset[str]) -> RoleMap:
    by_kind: dict[DiscordRoleKind, dict[int, str]] = defaultdict(dict)
    bands: dict[int, list[Band]] = defaultdict(list)
    for row in rows:
        if row.kind is DiscordRoleKind.RATING_BAND:
            assert row.game_mode_id is not None and row.minimum_rating is not None
            bands[row.game_mode_id].append(Band(row.minimum_rating, row.role_id))
            continue
        subject = {
            DiscordRoleKind.SKILL_GROUP: row.skill_group_id,
            DiscordRoleKind.TEAM: row.team_id,
            DiscordRoleKind.FRANCHISE: row.franchise_id,
        }[row.kind]
        assert subject is not None
        by_kind[row.kind][subject] = row.role_id
    return RoleMap(
        skill_groups=by_kind[DiscordRoleKind.SKILL_GROUP],
        teams=by_kind[DiscordRoleKind.TEAM],
        franchises=by_kind[DiscordRoleKind.FRANCHISE],
        bands={mode: tuple(sorted(b, key=lambda band: band.minimum)) for mode, b in bands.items()},
        nickname_prefix=prefix,
        tags=tags,
    )


async def sync_targets(
    session: AsyncSession, *, organization_id: int | None = None
) -> list[GuildTarget]:
    """The linked servers (of one organization, or of all) that sync any role or write
    nicknames, oldest link first. Three statements. Raises nothing."""
    query = select(DiscordGuild).order_by(DiscordGuild.id)
    if organization_id is not None:
        query = query.where(DiscordGuild.organization_id == organization_id)
    links = list(await session.scalars(query))
    rows = await session.scalars(
        select(DiscordRole).where(DiscordRole.discord_guild_id.in_([g.id for g in links]))
    )
    by_guild: dict[int, list[DiscordRole]] = defaultdict(list)
    for row in rows:
        by_guild[row.discord_guild_id].append(row)
    tags: dict[int, set[str]] = defaultdict(set)
    codes = await session.execute(
        select(Franchise.organization_id, Franchise.code).where(
            Franchise.organization_id.in_({g.organization_id for g in links})
        )
    )
    for org, code in codes:
        tags[org].add(code)
    targets = [
        GuildTarget(
            link.organization_id,
            link.guild_id,
            _role_map(
                by_guild[link.id],
                prefix=link.nickname_prefix,
                tags=frozenset(tags[link.organization_id]),
            ),
        )
        for link in links
    ]
    return [t for t in targets if t.roles.syncs_anything]


async def standings(
    session: AsyncSession, *, organization_id: int, member_ids: Sequence[int] | None = None
) -> dict[str, Standing]:
    """What the league says of the organization's current members who have a Discord id
    (or only of ``member_ids`` among them), by Discord user id: skill groups, the teams they
    are signed to now and those teams' franchises, and the tag of their newest signing's
    franchise; ``ratings`` left empty. Three statements. Raises nothing."""
    query = (
        select(Member.id, Member.name, User.discord_id)
        .join(User, User.id == Member.user_id)
        .where(
            Member.organization_id == organization_id,
            Member.left_at.is_(None),
            User.discord_id.is_not(None),
        )
    )
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    people = {member: (name, discord) for member, name, discord in await session.execute(query)}
    groups: dict[int, set[int]] = defaultdict(set)
    for member, group in await session.execute(
        select(Player.member_id, Player.skill_group_id).where(
            Player.member_id.in_(list(people)), Player.skill_group_id.is_not(None)
        )
    ):
        groups[member].add(group)
    now = utcnow()
    spots = await session.execute(
        select(Player.member_id, Team.id, Team.franchise_id, Franchise.code)
        .join(RosterSpot, RosterSpot.player_id == Player.id)
        .join(Team, Team.id == RosterSpot.team_id)
        .outerjoin(Franchise, Franchise.id == Team.franchise_id)
        .where(
            Player.member_id.in_(list(people)),
            RosterSpot.joined_at <= now,
            or_(RosterSpot.left_at.is_(None), RosterSpot.left_at > now),
        )
        .order_by(RosterSpot.joined_at, RosterSpot.id)
    )
    teams: dict[int, set[int]] = defaultdict(set)
    franchises: dict[int, set[int]] = defaultdict(set)
    tags: dict[int, str] = {}
    for member, team, franchise, code in spots:
        teams[member].add(team)
        if franchise is not None:
            franchises[member].add(franchise)
            tags[member] = code  # the newest signing's franchise wins
    return {
        discord: Standing(
            member_id=member,
            name=name,
            skill_groups=frozenset(groups[member]),
            teams=frozenset(teams[member]),
            franchises=frozenset(franchises[member]),
            tag=tags.get(member),
        )
        for member, (name, discord) in people.items()
    }


async def member_identity(session: AsyncSession, *, member_id: int) -> tuple[int, str] | None:
    """The organization and Discord user id of a member (one who left too), or None when
    there is no such member or they have no Discord id. Raises nothing."""
    row = await session.execute(
        select(Member.organization_id, User.discord_id)
        .join(User, User.id == Member.user_id)
        .where(Member.id == member_id, User.discord_id.is_not(None))
    )
    found = row.first()
    return (found[0], found[1]) if found else None


async def sync_later(
    session: AsyncSession, *, member_id: int | None = None, player_id: int | None = None
) -> None:
    """Ask for one member's Discord roles and nickname to be synced once this transaction
    commits (the outbox job :data:`SYNC_MEMBER_JOB`), named by ``member_id`` or by one of
    their players' ``player_id``: only when the member has a Discord id and their
    organization has a linked server that syncs roles or nicknames (otherwise nothing is
    asked). Raises nothing."""
    if member_id is None:
        member_id = await session.scalar(select(Player.member_id).where(Player.id == player_id))
    syncing_guild = (
        select(DiscordGuild.id)
        .where(
            DiscordGuild.organization_id == Member.organization_id,
            or_(
                DiscordGuild.nickname_prefix.is_(True),
                exists().where(DiscordRole.discord_guild_id == DiscordGuild.id),
            ),
        )
        .exists()
    )
    wanted = await session.scalar(
        select(Member.id)
        .join(User, User.id == Member.user_id)
        .where(Member.id == member_id, User.discord_id.is_not(None), syncing_guild)
    )
    if wanted is not None:
        enqueue(session, SYNC_MEMBER_JOB, member_id=member_id)


async def sync_band_crossings(
    session: AsyncSession,
    *,
    organization_id: int,
    game_mode_id: int,
    ratings: Mapping[int, tuple[int, int]],
) -> None:
    """Ask for a sync (:func:`sync_later`) of each member whose displayed rating in the game
    mode, ``ratings[member id] = (before, after)``, crossed into another rating band of any
    of the organization's linked servers. Raises nothing."""
    rows = await session.scalars(
        select(DiscordRole)
        .join(DiscordGuild, DiscordGuild.id == DiscordRole.discord_guild_id)
        .where(
            DiscordGuild.organization_id == organization_id,
            DiscordRole.kind == DiscordRoleKind.RATING_BAND,
            DiscordRole.game_mode_id == game_mode_id,
        )
    )
    by_guild: dict[int, list[Band]] = defaultdict(list)
    for row in rows:
        assert row.minimum_rating is not None
        by_guild[row.discord_guild_id].append(Band(row.minimum_rating, row.role_id))
    for member, (before, after) in sorted(ratings.items()):
        if any(band_crossed(bands, before, after) for bands in by_guild.values()):
            await sync_later(session, member_id=member)
