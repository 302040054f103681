"""Which Discord roles Sprocket syncs in an organization's linked servers, and whether it
writes franchise tags into nicknames there: the staff's configuration of role sync.

Organization admins change it (each change written to the audit log); every league staff
member of the organization may read it. A role stands for one thing in its server: a skill
group, a team, a franchise (of the organization), or a rating band (a game mode and the
displayed rating from which the band starts). Giving a thing another role replaces its role.
The sync itself is :mod:`sprocket.flows.role_sync`; the pure rules :mod:`.role_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.errors import Conflict, InvalidInput, NotFound, found, state_of
from sprocket.identity.access import Actor
from sprocket.league import access
from sprocket.league.enums import DiscordRoleKind
from sprocket.league.errors import LeagueCode
from sprocket.league.guilds import guild_id_of
from sprocket.league.models import (
    DiscordGuild,
    DiscordRole,
    Franchise,
    GameMode,
    League,
    SkillGroup,
    Team,
)

#: The highest minimum a rating band may start from (displayed ratings sit around 1000;
#: see :mod:`sprocket.ratings.skill`).
MAX_BAND_MINIMUM = 5000


def role_id_of(raw: str) -> str:
    """``raw`` (surrounding spaces removed) as a Discord role id: 1 to 20 ASCII digits, not
    zero. Raises InvalidInput ``INVALID_ROLE_ID``."""
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 20 or int(value) == 0:
        raise InvalidInput(
            f"'{value[:40]}' is not a Discord role id (up to 20 digits; Discord shows it with "
            "developer mode on, in the server's settings under Roles: Copy Role ID).",
            code=LeagueCode.INVALID_ROLE_ID,
        )
    return value


@dataclass(frozen=True)
class SyncedRole:
    """A synced role as the staff see it: its id, what it stands for (``kind``, the id of
    the skill group, team, franchise or game mode, the band's minimum) and ``subject``, the
    sentence naming that ("Premier (Doubles)", "Team 1", "Aces", "doubles from 1200")."""

    role_id: str
    kind: DiscordRoleKind
    subject_id: int
    minimum_rating: int | None
    subject: str


@dataclass(frozen=True)
class GuildRoles:
    """A linked server's role sync: its id, the nickname prefix switch, its synced roles
    (skill groups, teams, franchises, then bands; each by subject)."""

    guild_id: str
    nickname_prefix: bool
    roles: list[SyncedRole]


async def _linked(session: AsyncSession, organization_id: int, guild_id: str) -> DiscordGuild:
    guild = guild_id_of(guild_id)
    link = await session.scalar(
        select(DiscordGuild).where(
            DiscordGuild.guild_id == guild, DiscordGuild.organization_id == organization_id
        )
    )
    if link is None:
        raise NotFound(
            f"Discord server {guild} is not linked to this organization; link it first.",
            code=LeagueCode.GUILD_NOT_LINKED,
        )
    return link


def _subject_column(kind: DiscordRoleKind):  # noqa: ANN202 - a mapped column
    return {
        DiscordRoleKind.SKILL_GROUP: DiscordRole.skill_group_id,
        DiscordRoleKind.TEAM: DiscordRole.team_id,
        DiscordRoleKind.FRANCHISE: DiscordRole.franchise_id,
        DiscordRoleKind.RATING_BAND: DiscordRole.game_mode_id,
    }[kind]


async def _check_subject(
    session: AsyncSession,
    organization_id: int,
    kind: DiscordRoleKind,
    subject_id: int,
    minimum: int | None,
) -> None:
    """The skill group, team or franchise must be the organization's; a band's game mode
    must exist and its minimum lie within 0 to :data:`MAX_BAND_MINIMUM`."""
    if kind is DiscordRoleKind.RATING_BAND:
        if await session.get(GameMode, subject_id) is None:
            raise InvalidInput(
                f"There is no game mode with id {subject_id} for a rating band.",
                code=LeagueCode.INVALID_RATING_BAND,
            )
        if minimum is None or not 0 <= minimum <= MAX_BAND_MINIMUM:
            raise InvalidInput(
                "A rating band starts at a displayed rating from 0 to "
                f"{MAX_BAND_MINIMUM}; got {minimum}.",
                code=LeagueCode.INVALID_RATING_BAND,
            )
        return
    if kind is DiscordRoleKind.FRANCHISE:
        franchise = found(await session.get(Franchise, subject_id), "franchise", subject_id)
        owner, name = franchise.organization_id, franchise.name
    else:
        model = SkillGroup if kind is DiscordRoleKind.SKILL_GROUP else Team
        what = "skill group" if kind is DiscordRoleKind.SKILL_GROUP else "team"
        row = found(await session.get(model, subject_id), what, subject_id)
        league = await session.get(League, row.league_id)
        owner, name = (league.organization_id if league else None), row.name
    if owner != organization_id:
        raise InvalidInput(
            f"'{name}' belongs to another organization.", code=LeagueCode.WRONG_ORGANIZATION
        )


def _record(
    session: AsyncSession, actor: Actor, link: DiscordGuild, action: str, details: dict
) -> None:
    audit.record(
        session,
        organization_id=link.organization_id,
        actor_user_id=actor.user_id,
        action=action,
        subject=f"discord_guild:{link.id}",
        details={"guild_id": link.guild_id, **details},
    )


async def sync_role(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    guild_id: str,
    role_id: str,
    kind: DiscordRoleKind | str,
    subject_id: int,
    minimum_rating: int | None = None,
) -> DiscordRole:
    """An organization admin has Sprocket sync the Discord role ``role_id`` in the linked
    server ``guild_id`` for ``kind`` (``skill_group``, ``team``, ``franchise``:
    ``subject_id`` is its id; ``rating_band``: ``subject_id`` is the game mode's id and
    ``minimum_rating`` the displayed rating the band starts at). A thing synced with
    another role gets this one instead; the same role for the same thing changes nothing.
    Written to the audit log. Returns the synced role.

    Raises UNAUTHENTICATED, PERMISSION_DENIED, INVALID_STATUS (an unknown kind),
    INVALID_GUILD_ID, GUILD_NOT_LINKED, INVALID_ROLE_ID, NOT_FOUND, WRONG_ORGANIZATION,
    INVALID_RATING_BAND, ROLE_ALREADY_SYNCED (the role stands for something else there).
    """
    await access.require_organization_admin(
        session, actor, organization_id, "change which Discord roles are synced"
    )
    kind = state_of(DiscordRoleKind, kind, what="kind of synced role")
    link = await _linked(session, organization_id, guild_id)
    role = role_id_of(role_id)
    if role == link.guild_id:
        raise InvalidInput(
            "That is the server's @everyone role, which every member holds; choose another.",
            code=LeagueCode.INVALID_ROLE_ID,
        )
    minimum = minimum_rating if kind is DiscordRoleKind.RATING_BAND else None
    await _check_subject(session, organization_id, kind, subject_id, minimum)
    rows = list(
        await session.scalars(select(DiscordRole).where(DiscordRole.discord_guild_id == link.id))
    )
    same_thing = next(
        (
            r
            for r in rows
            if r.kind is kind
            and getattr(r, _subject_column(kind).key) == subject_id
            and r.minimum_rating == minimum
        ),
        None,
    )
    holder = next((r for r in rows if r.role_id == role), None)
    if holder is not None and holder is not same_thing:
        raise Conflict(
            f"Role {role} is synced for something else in this server already; a role stands "
            "for one thing. Stop syncing it there first.",
            code=LeagueCode.ROLE_ALREADY_SYNCED,
        )
    if same_thing is not None and same_thing.role_id == role:
        return same_thing
    details = {"role_id": role, "kind": kind.value, "subject_id": subject_id}
    if minimum is not None:
        details["minimum_rating"] = minimum
    if same_thing is not None:
        details["replaced_role_id"] = same_thing.role_id
        same_thing.role_id = role
        synced = same_thing
    else:
        synced = DiscordRole(
            discord_guild_id=link.id, role_id=role, kind=kind, minimum_rating=minimum
        )
        setattr(synced, _subject_column(kind).key, subject_id)
        session.add(synced)
    await session.flush()
    _record(session, actor, link, "discord.role_synced", details)
    return synced


async def unsync_role(
    session: AsyncSession, *, actor: Actor, organization_id: int, guild_id: str, role_id: str
) -> None:
    """An organization admin stops Sprocket syncing the role in the linked server (members
    keep the role as it is; Sprocket no longer adds or removes it). Written to the audit log.
    Raises UNAUTHENTICATED, PERMISSION_DENIED, INVALID_GUILD_ID, GUILD_NOT_LINKED,
    INVALID_ROLE_ID, ROLE_NOT_SYNCED."""
    await access.require_organization_admin(
        session, actor, organization_id, "change which Discord roles are synced"
    )
    link = await _linked(session, organization_id, guild_id)
    role = role_id_of(role_id)
    synced = await session.scalar(
        select(DiscordRole).where(
            DiscordRole.discord_guild_id == link.id, DiscordRole.role_id == role
        )
    )
    if synced is None:
        raise NotFound(
            f"Role {role} is not synced in Discord server {link.guild_id}.",
            code=LeagueCode.ROLE_NOT_SYNCED,
        )
    _record(session, actor, link, "discord.role_unsynced", {"role_id": role})
    await session.delete(synced)
    await session.flush()


async def set_nickname_prefix(
    session: AsyncSession, *, actor: Actor, organization_id: int, guild_id: str, enabled: bool
) -> DiscordGuild:
    """An organization admin turns the franchise tag in nicknames (``[HAW] Chioma``) on or
    off in the linked server; turned off, nicknames are left as they are. Written to the
    audit log when it changes. Returns the server's link.
    Raises UNAUTHENTICATED, PERMISSION_DENIED, INVALID_GUILD_ID, GUILD_NOT_LINKED."""
    await access.require_organization_admin(
        session, actor, organization_id, "change how Discord nicknames are synced"
    )
    link = await _linked(session, organization_id, guild_id)
    if link.nickname_prefix != enabled:
        link.nickname_prefix = enabled
        await session.flush()
        _record(session, actor, link, "discord.nickname_prefix", {"enabled": enabled})
    return link


async def _subject_names(
    session: AsyncSession, organization_id: int
) -> dict[DiscordRoleKind, dict[int, str]]:
    groups = await session.execute(
        select(SkillGroup.id, SkillGroup.name, League.name)
        .join(League, League.id == SkillGroup.league_id)
        .where(League.organization_id == organization_id)
        .order_by(League.name, SkillGroup.ordinal)
    )
    teams = await session.execute(
        select(Team.id, Team.name, League.name)
        .join(League, League.id == Team.league_id)
        .where(League.organization_id == organization_id)
        .order_by(League.name, Team.name)
    )
    franchises = await session.execute(
        select(Franchise.id, Franchise.name, Franchise.code)
        .where(Franchise.organization_id == organization_id)
        .order_by(Franchise.name)
    )
    modes = await session.execute(select(GameMode.id, GameMode.code).order_by(GameMode.team_size))
    return {
        DiscordRoleKind.SKILL_GROUP: {i: f"{name} ({league})" for i, name, league in groups},
        DiscordRoleKind.TEAM: {i: f"{name} ({league})" for i, name, league in teams},
        DiscordRoleKind.FRANCHISE: {i: f"{name} [{code}]" for i, name, code in franchises},
        DiscordRoleKind.RATING_BAND: {i: code for i, code in modes},
    }


async def role_subjects(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> dict[DiscordRoleKind, list[tuple[int, str]]]:
    """What a role may be synced for, as (id, name) by kind: the organization's skill
    groups and teams (with their league), franchises (with their tag), and game modes (for
    rating bands, by code). For the organization's staff. Raises UNAUTHENTICATED,
    PERMISSION_DENIED."""
    await access.require_staff_anywhere(
        session, actor, organization_id, "see how Discord roles are synced"
    )
    names = await _subject_names(session, organization_id)
    return {kind: list(by_id.items()) for kind, by_id in names.items()}


async def synced_roles(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> list[GuildRoles]:
    """Each linked server's role sync (oldest link first), for the organization's staff.
    Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    await access.require_staff_anywhere(
        session, actor, organization_id, "see how Discord roles are synced"
    )
    names = await _subject_names(session, organization_id)
    links = list(
        await session.scalars(
            select(DiscordGuild)
            .where(DiscordGuild.organization_id == organization_id)
            .order_by(DiscordGuild.id)
        )
    )
    rows = await session.scalars(
        select(DiscordRole).where(DiscordRole.discord_guild_id.in_([g.id for g in links]))
    )
    order = list(DiscordRoleKind)
    by_guild: dict[int, list[SyncedRole]] = {g.id: [] for g in links}
    for row in rows:
        subject_id = getattr(row, _subject_column(row.kind).key)
        subject = names[row.kind].get(subject_id, str(subject_id))
        if row.kind is DiscordRoleKind.RATING_BAND:
            subject = f"{subject} from {row.minimum_rating}"
        by_guild[row.discord_guild_id].append(
            SyncedRole(row.role_id, row.kind, subject_id, row.minimum_rating, subject)
        )
    return [
        GuildRoles(
            guild_id=g.guild_id,
            nickname_prefix=g.nickname_prefix,
            roles=sorted(
                by_guild[g.id],
                key=lambda r: (order.index(r.kind), r.subject_id, r.minimum_rating or 0),
            ),
        )
        for g in links
    ]
