"""The rules of a league's structure: organizations, leagues, seasons, teams and rosters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, PermissionDenied
from sprocket.identity import access
from sprocket.identity.access import Actor, found
from sprocket.identity.models import Role, RoleGrant, User
from sprocket.league.configuration import OrganizationConfig, effective_config, setting_key
from sprocket.league.models import (
    Franchise,
    Game,
    GameMode,
    League,
    Member,
    Organization,
    OrganizationSetting,
    Player,
    RosterSpot,
    Season,
    SkillGroup,
    Team,
)
from sprocket.league.names import MAX_KEY, member_name_key

ROCKET_LEAGUE = ("rocket-league", "Rocket League")
GAME_MODES = (("duel", "Duel", 1), ("doubles", "Doubles", 2), ("standard", "Standard", 3))
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_FORMAT = re.compile(r"^(bo|fixed)([1-9]|1[0-9])$")


def _name(value: str, what: str, limit: int = 100) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(
            f"A {what} needs a name of 1 to {limit} characters.", code="INVALID_NAME"
        )
    return value


async def _insert(session: AsyncSession, row: Any, duplicate: str) -> None:
    """Flush one new row, turning a unique-constraint collision into a Conflict."""
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(duplicate, code="DUPLICATE") from None


def parse_match_format(value: str) -> tuple[str, int]:
    """'bo5' is a best-of-five series; 'fixed2' is exactly two games."""
    match = _FORMAT.match(value.strip().lower())
    if match is None or (match.group(1) == "bo" and int(match.group(2)) % 2 == 0):
        raise InvalidInput(
            f"'{value}' is not a match format: use boN with N odd (bo3, bo5, bo7) or fixedN.",
            code="INVALID_MATCH_FORMAT",
        )
    return match.group(1), int(match.group(2))


# -- catalog ---------------------------------------------------------------------------------


async def ensure_catalog(session: AsyncSession) -> None:
    """Rocket League and its game modes exist (idempotent)."""
    game = await session.scalar(select(Game).where(Game.code == ROCKET_LEAGUE[0]))
    if game is None:
        game = Game(code=ROCKET_LEAGUE[0], name=ROCKET_LEAGUE[1])
        session.add(game)
        await session.flush()
    existing = set((await session.scalars(select(GameMode.code))).all())
    for code, name, size in GAME_MODES:
        if code not in existing:
            session.add(GameMode(game_id=game.id, code=code, name=name, team_size=size))
    await session.flush()


async def game_mode_by_code(session: AsyncSession, code: str) -> GameMode:
    await ensure_catalog(session)
    mode = await session.scalar(select(GameMode).where(GameMode.code == code))
    if mode is None:
        known = ", ".join(c for c, _, _ in GAME_MODES)
        raise InvalidInput(f"Unknown game mode '{code}'. Use one of: {known}.", code="NOT_FOUND")
    return mode


# -- organizations ---------------------------------------------------------------------------


async def create_organization(
    session: AsyncSession, *, actor: Actor, slug: str, name: str
) -> Organization:
    """A platform admin opens an organization and becomes its first admin."""
    access.require_superuser(actor, "create organizations")
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise InvalidInput(
            "An organization's short name uses 2 to 63 lowercase letters, digits and dashes.",
            code="INVALID_SLUG",
        )
    org = Organization(slug=slug, name=_name(name, "organization"))
    await _insert(session, org, f"An organization called '{slug}' already exists.")
    session.add(
        RoleGrant(user_id=actor.user_id, organization_id=org.id, role=Role.ORGANIZATION_ADMIN)
    )
    await session.flush()
    return org


async def organization_config(session: AsyncSession, organization_id: int) -> OrganizationConfig:
    rows = await session.scalars(
        select(OrganizationSetting).where(OrganizationSetting.organization_id == organization_id)
    )
    return effective_config({row.key: row.value for row in rows})


async def set_organization_setting(
    session: AsyncSession, *, actor: Actor, organization_id: int, key: str, value: Any
) -> OrganizationConfig:
    found(await session.get(Organization, organization_id), "organization", organization_id)
    await access.require_organization_admin(session, actor, organization_id, "change settings")
    spec = setting_key(key)
    typed = spec.coerce(value)
    row = await session.get(OrganizationSetting, (organization_id, key))
    if row is None:
        session.add(OrganizationSetting(organization_id=organization_id, key=key, value=typed))
    else:
        row.value = typed
    await session.flush()
    return await organization_config(session, organization_id)


# -- leagues, seasons, skill groups, franchises, teams ---------------------------------------


async def create_league(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    name: str,
    game_mode: str,
    roster_min: int | None = None,
    roster_max: int | None = None,
    match_format: str = "bo5",
) -> League:
    found(await session.get(Organization, organization_id), "organization", organization_id)
    await access.require_organization_admin(session, actor, organization_id, "create leagues")
    mode = await game_mode_by_code(session, game_mode)
    config = await organization_config(session, organization_id)
    low = mode.team_size if roster_min is None else roster_min
    high = mode.team_size + config["roster_substitutes"] if roster_max is None else roster_max
    if not mode.team_size <= low <= high <= 50:
        raise InvalidInput(
            f"Roster sizes must satisfy {mode.team_size} (the team size) <= minimum <= maximum"
            f" <= 50; got {low} and {high}.",
            code="INVALID_ROSTER_LIMITS",
        )
    fmt, games = parse_match_format(match_format)
    league = League(
        organization_id=organization_id,
        game_mode_id=mode.id,
        name=_name(name, "league"),
        roster_min=low,
        roster_max=high,
        match_format=f"{fmt}{games}",
    )
    await _insert(session, league, f"This organization already has a league called '{name}'.")
    return league


async def _league(session: AsyncSession, league_id: int) -> League:
    return found(await session.get(League, league_id), "league", league_id)


async def create_season(
    session: AsyncSession,
    *,
    actor: Actor,
    league_id: int,
    number: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    name: str | None = None,
) -> Season:
    league = await _league(session, league_id)
    await access.require_league_staff(
        session, actor, league.organization_id, league.id, "create seasons"
    )
    if number < 1:
        raise InvalidInput("Season numbers start at 1.", code="INVALID_SEASON")
    if starts_at >= ends_at:
        raise InvalidInput("A season must end after it starts.", code="INVALID_DATES")
    season = Season(
        league_id=league.id,
        number=number,
        name=_name(name or f"Season {number}", "season"),
        starts_at=starts_at,
        ends_at=ends_at,
    )
    await _insert(session, season, f"'{league.name}' already has a season {number}.")
    return season


async def skill_group_of(
    session: AsyncSession, *, league: League, skill_group_id: int
) -> SkillGroup:
    """The skill group, which must be one of ``league``'s."""
    group = found(await session.get(SkillGroup, skill_group_id), "skill group", skill_group_id)
    if group.league_id != league.id:
        raise InvalidInput(
            f"Skill group '{group.name}' belongs to another league.", code="WRONG_LEAGUE"
        )
    return group


async def create_skill_group(
    session: AsyncSession,
    *,
    actor: Actor,
    league_id: int,
    name: str,
    code: str,
    ordinal: int,
    salary_cap: float | None = None,
) -> SkillGroup:
    league = await _league(session, league_id)
    await access.require_league_staff(
        session, actor, league.organization_id, league.id, "create skill groups"
    )
    if ordinal < 1:
        raise InvalidInput("Skill group order starts at 1 (the top tier).", code="INVALID_ORDER")
    if salary_cap is not None and salary_cap <= 0:
        raise InvalidInput("A salary cap must be positive.", code="INVALID_SALARY_CAP")
    group = SkillGroup(
        league_id=league.id,
        name=_name(name, "skill group", 64),
        code=_name(code, "skill group code", 16).upper(),
        ordinal=ordinal,
        salary_cap=salary_cap,
    )
    await _insert(
        session, group, f"'{league.name}' already has a skill group '{name}' or tier {ordinal}."
    )
    return group


async def create_franchise(
    session: AsyncSession, *, actor: Actor, organization_id: int, name: str, code: str
) -> Franchise:
    found(await session.get(Organization, organization_id), "organization", organization_id)
    await access.require_organization_admin(session, actor, organization_id, "create franchises")
    franchise = Franchise(
        organization_id=organization_id,
        name=_name(name, "franchise"),
        code=_name(code, "franchise code", 8).upper(),
    )
    await _insert(session, franchise, f"A franchise called '{name}' already exists.")
    return franchise


async def create_team(
    session: AsyncSession,
    *,
    actor: Actor,
    league_id: int,
    name: str,
    skill_group_id: int | None = None,
    franchise_id: int | None = None,
) -> Team:
    league = await _league(session, league_id)
    await access.require_league_staff(
        session, actor, league.organization_id, league.id, "create teams"
    )
    if skill_group_id is not None:
        await skill_group_of(session, league=league, skill_group_id=skill_group_id)
    if franchise_id is not None:
        franchise = found(await session.get(Franchise, franchise_id), "franchise", franchise_id)
        if franchise.organization_id != league.organization_id:
            raise InvalidInput(
                f"Franchise '{franchise.name}' belongs to another organization.",
                code="WRONG_ORGANIZATION",
            )
    team = Team(
        league_id=league.id,
        name=_name(name, "team"),
        skill_group_id=skill_group_id,
        franchise_id=franchise_id,
    )
    await _insert(session, team, f"'{league.name}' already has a team called '{name}'.")
    return team


# -- members and players ---------------------------------------------------------------------


async def add_member(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    user_id: int | None = None,
    name: str | None = None,
) -> Member:
    """A user joins an organization (themself), or staff add them.

    ``name``: the member's name in the organization (default: the user's display name),
    1 to 100 characters, unique in the organization regardless of case, width and spacing
    (:func:`~sprocket.league.names.member_name_key`). Raises UNAUTHENTICATED, NOT_FOUND,
    PERMISSION_DENIED, INVALID_NAME, DUPLICATE (already a member), MEMBER_NAME_TAKEN.
    """
    me = access.require_user(actor)
    found(await session.get(Organization, organization_id), "organization", organization_id)
    target = me if user_id is None else user_id
    if target != me and not await access.is_staff_anywhere(session, actor, organization_id):
        raise PermissionDenied("Only league staff may add other people to an organization.")
    user = found(await session.get(User, target), "user", target)
    chosen = _name(name or user.display_name, "member")
    key = member_name_key(chosen)
    if len(key) > MAX_KEY:
        raise InvalidInput("That member name is too long.", code="INVALID_NAME")
    already = await session.scalar(
        select(Member.id).where(
            Member.organization_id == organization_id, Member.user_id == user.id
        )
    )
    if already is not None:
        raise Conflict(f"{user.display_name} is already a member.", code="DUPLICATE")
    await _require_free_name(session, organization_id, key, chosen)
    member = Member(organization_id=organization_id, user_id=user.id, name=chosen, name_key=key)
    await _insert(session, member, f"The name '{chosen}' or this user is already taken here.")
    return member


async def _require_free_name(
    session: AsyncSession, organization_id: int, key: str, name: str
) -> None:
    taken = await session.scalar(
        select(Member.name).where(Member.organization_id == organization_id, Member.name_key == key)
    )
    if taken is not None:
        raise Conflict(
            f"The name '{name}' is taken in this organization (by '{taken}'); choose another.",
            code="MEMBER_NAME_TAKEN",
        )


async def set_identities_public(
    session: AsyncSession, *, actor: Actor, organization_id: int, public: bool
) -> Member:
    """The caller shows (``public``) or hides their Discord identity and verified game
    accounts to everyone in this organization; hidden by default, and always seen by
    themself and the organization's staff (:func:`sprocket.identity.access.identity_view`).
    Only the member decides, for themself. Raises UNAUTHENTICATED, PERMISSION_DENIED (not a
    member)."""
    me = access.require_user(actor)
    member = await session.scalar(
        select(Member).where(Member.organization_id == organization_id, Member.user_id == me)
    )
    if member is None:
        raise PermissionDenied("Only a member of the organization chooses what it shows of them.")
    member.identities_public = public
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
    member = found(await session.get(Member, member_id), "member", member_id)
    league = await _league(session, league_id)
    if member.organization_id != league.organization_id:
        raise InvalidInput(
            f"{member.name} is not a member of this league's organization.",
            code="WRONG_ORGANIZATION",
        )
    await access.require_league_staff(
        session, actor, league.organization_id, league.id, "register players"
    )
    if skill_group_id is not None:
        await skill_group_of(session, league=league, skill_group_id=skill_group_id)
    if salary is not None and salary < 0:
        raise InvalidInput("A salary cannot be negative.", code="INVALID_SALARY")
    player = Player(
        member_id=member.id, league_id=league.id, skill_group_id=skill_group_id, salary=salary
    )
    await _insert(session, player, f"{member.name} already plays in '{league.name}'.")
    return player


# -- rosters ---------------------------------------------------------------------------------


def _active_at(at: dt.datetime) -> Sequence[Any]:
    return (
        RosterSpot.joined_at <= at,
        (RosterSpot.left_at.is_(None)) | (RosterSpot.left_at > at),
    )


async def roster_at(
    session: AsyncSession, *, team_id: int, season_id: int, at: dt.datetime | None = None
) -> list[RosterSpot]:
    """The team's roster as it stood at ``at`` (now by default)."""
    moment = at or utcnow()
    rows = await session.scalars(
        select(RosterSpot)
        .where(RosterSpot.team_id == team_id, RosterSpot.season_id == season_id)
        .where(*_active_at(moment))
        .order_by(RosterSpot.joined_at, RosterSpot.id)
    )
    return list(rows.all())


async def _team_context(
    session: AsyncSession, team_id: int, season_id: int
) -> tuple[Team, League, Season]:
    team = found(await session.get(Team, team_id), "team", team_id)
    league = await _league(session, team.league_id)
    season = found(await session.get(Season, season_id), "season", season_id)
    if season.league_id != league.id:
        raise InvalidInput(
            f"Season '{season.name}' belongs to another league than '{team.name}'.",
            code="WRONG_LEAGUE",
        )
    return team, league, season


async def add_to_roster(
    session: AsyncSession,
    *,
    actor: Actor,
    team_id: int,
    player_id: int,
    season_id: int,
    captain: bool = False,
    at: dt.datetime | None = None,
) -> RosterSpot:
    """Sign a player; ``at`` dates the signing (default now), e.g. when staff catch up."""
    team, league, season = await _team_context(session, team_id, season_id)
    await access.require_team_manager(
        session,
        actor,
        organization_id=league.organization_id,
        league_id=league.id,
        franchise_id=team.franchise_id,
        doing="change rosters",
    )
    player = found(await session.get(Player, player_id), "player", player_id)
    member = found(await session.get(Member, player.member_id), "member", player.member_id)
    if player.league_id != league.id:
        raise InvalidInput(f"{member.name} plays in another league.", code="WRONG_LEAGUE")
    if team.skill_group_id is not None and player.skill_group_id not in (None, team.skill_group_id):
        raise InvalidInput(
            f"{member.name} is in another skill group than {team.name}.", code="WRONG_SKILL_GROUP"
        )
    now = at or utcnow()
    current = await session.scalar(
        select(RosterSpot).where(
            RosterSpot.player_id == player.id,
            RosterSpot.season_id == season.id,
            RosterSpot.left_at.is_(None),
        )
    )
    if current is not None:
        other = await session.get(Team, current.team_id)
        raise Conflict(
            f"{member.name} is already on {other.name if other else 'a team'} this season; "
            "release them first.",
            code="ALREADY_ROSTERED",
        )
    roster = await roster_at(session, team_id=team.id, season_id=season.id, at=now)
    if len(roster) >= league.roster_max:
        raise Conflict(
            f"{team.name}'s roster is full: {league.name} allows at most {league.roster_max}.",
            code="ROSTER_FULL",
        )
    await _check_salary_cap(session, team, roster, player, member)
    if captain:
        for spot in roster:
            spot.is_captain = False
    spot = RosterSpot(
        team_id=team.id, player_id=player.id, season_id=season.id, is_captain=captain, joined_at=now
    )
    await _insert(session, spot, f"{member.name} is already on a team this season.")
    return spot


async def _check_salary_cap(
    session: AsyncSession, team: Team, roster: list[RosterSpot], player: Player, member: Member
) -> None:
    if team.skill_group_id is None:
        return
    group = await session.get(SkillGroup, team.skill_group_id)
    if group is None or group.salary_cap is None:
        return
    salaries = await session.scalar(
        select(func.coalesce(func.sum(Player.salary), 0)).where(
            Player.id.in_([s.player_id for s in roster])
        )
    )
    total = float(salaries or 0) + float(player.salary or 0)
    if total > group.salary_cap:
        raise Conflict(
            f"Adding {member.name} puts {team.name} at {total:g}, over the {group.name} "
            f"salary cap of {group.salary_cap:g}.",
            code="SALARY_CAP_EXCEEDED",
        )


async def remove_from_roster(
    session: AsyncSession, *, actor: Actor, team_id: int, player_id: int, season_id: int
) -> RosterSpot:
    team, league, season = await _team_context(session, team_id, season_id)
    await access.require_team_manager(
        session,
        actor,
        organization_id=league.organization_id,
        league_id=league.id,
        franchise_id=team.franchise_id,
        doing="change rosters",
    )
    spot = await session.scalar(
        select(RosterSpot).where(
            RosterSpot.team_id == team.id,
            RosterSpot.player_id == player_id,
            RosterSpot.season_id == season.id,
            RosterSpot.left_at.is_(None),
        )
    )
    if spot is None:
        raise InvalidInput("That player is not on this team's roster.", code="NOT_ON_ROSTER")
    spot.left_at = utcnow()
    spot.is_captain = False
    return spot


async def set_captain(
    session: AsyncSession, *, actor: Actor, team_id: int, player_id: int, season_id: int
) -> RosterSpot:
    team, league, season = await _team_context(session, team_id, season_id)
    await access.require_team_manager(
        session,
        actor,
        organization_id=league.organization_id,
        league_id=league.id,
        franchise_id=team.franchise_id,
        doing="name captains",
    )
    roster = await roster_at(session, team_id=team.id, season_id=season.id)
    chosen = next((s for s in roster if s.player_id == player_id), None)
    if chosen is None:
        raise InvalidInput("A captain must be on the team's roster.", code="NOT_ON_ROSTER")
    for spot in roster:
        spot.is_captain = spot is chosen
    return chosen


async def is_captain_of(session: AsyncSession, *, actor: Actor, team_id: int) -> bool:
    """Whether the actor captains ``team_id`` right now (the captain role comes from rosters)."""
    if actor.user_id is None:
        return False
    spot = await session.scalar(
        select(RosterSpot.id)
        .join(Player, Player.id == RosterSpot.player_id)
        .join(Member, Member.id == Player.member_id)
        .where(
            Member.user_id == actor.user_id,
            RosterSpot.team_id == team_id,
            RosterSpot.is_captain.is_(True),
            RosterSpot.left_at.is_(None),
        )
    )
    return spot is not None
