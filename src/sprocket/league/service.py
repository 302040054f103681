"""The rules of a league's structure: organizations, leagues, seasons, skill groups,
franchises and teams (members and players: :mod:`.members`; rosters: :mod:`.rosters`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import DEFAULT_ZONE, zone_name
from sprocket.errors import CommonCode, Conflict, InvalidInput, found
from sprocket.identity.access import Actor, require_superuser, require_user
from sprocket.identity.errors import IdentityCode
from sprocket.league import access
from sprocket.league.configuration import OrganizationConfig, effective_config, setting_key
from sprocket.league.enums import Role
from sprocket.league.errors import LeagueCode
from sprocket.league.match_format import MatchFormat
from sprocket.league.models import (
    Franchise,
    Game,
    GameMode,
    League,
    Member,
    Organization,
    OrganizationSetting,
    RoleGrant,
    Season,
    SkillGroup,
    Team,
)
from sprocket.paging import Page, page

ROCKET_LEAGUE = ("rocket-league", "Rocket League")
GAME_MODES = (("duel", "Duel", 1), ("doubles", "Doubles", 2), ("standard", "Standard", 3))
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def _name(value: str, what: str, limit: int = 100) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(
            f"A {what} needs a name of 1 to {limit} characters.", code=IdentityCode.INVALID_NAME
        )
    return value


#: The largest salary or salary cap: both are NUMERIC(10, 2) columns (cents), so at most
#: 99,999,999.99; PostgreSQL refuses more (SQLite would store anything).
MAX_AMOUNT = 99_999_999.99


def amount(value: float | None, *, what: str, code: str, zero: bool) -> float | None:
    """A salary or salary cap (``what``, in the league's own unit) rounded to the cent, or
    None. From 0 (``zero``) or above 0 up to :data:`MAX_AMOUNT`; raises InvalidInput
    (``code``) otherwise."""
    if value is None:
        return None
    cents = round(value, 2)
    if (cents < 0 if zero else cents <= 0) or cents > MAX_AMOUNT:
        low = "0" if zero else "more than 0"
        raise InvalidInput(f"A {what} is {low} to {MAX_AMOUNT:,.2f}.", code=code)
    return cents


async def insert_unique(session: AsyncSession, row: Any, duplicate: str) -> None:
    """Add and flush one new row (in a savepoint, so the session stays usable), turning a
    unique-constraint collision into a Conflict whose message is ``duplicate``.
    Raises DUPLICATE."""
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(duplicate, code=LeagueCode.DUPLICATE) from None


# -- catalog ---------------------------------------------------------------------------------


async def ensure_catalog(session: AsyncSession) -> None:
    """Make sure Rocket League and its game modes (duel, doubles, standard) exist
    (idempotent)."""
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
    """The game mode with this code (``duel``, ``doubles``, ``standard``), the catalog
    created first if missing. Raises InvalidInput NOT_FOUND for an unknown code."""
    await ensure_catalog(session)
    mode = await session.scalar(select(GameMode).where(GameMode.code == code))
    if mode is None:
        known = ", ".join(c for c, _, _ in GAME_MODES)
        raise InvalidInput(
            f"Unknown game mode '{code}'. Use one of: {known}.", code=CommonCode.NOT_FOUND
        )
    return mode


# -- organizations ---------------------------------------------------------------------------


async def organizations(
    session: AsyncSession, *, first: int, after: str | None = None
) -> Page[Organization]:
    """A page of every organization by id, ``first`` (1 to 100) after the cursor ``after``.
    Raises InvalidInput: ``INVALID_PAGE_SIZE``, ``INVALID_CURSOR``."""
    return await page(session, select(Organization), Organization.id, first=first, after=after)


async def find_organization(
    session: AsyncSession, *, organization_id: int | None = None, slug: str | None = None
) -> Organization | None:
    """The organization with this id, else (no id given) with this slug (any case, trimmed);
    None when there is none, or neither was given."""
    if organization_id is not None:
        query = select(Organization).where(Organization.id == organization_id)
    elif slug is not None:
        query = select(Organization).where(Organization.slug == slug.strip().lower())
    else:
        return None
    return await session.scalar(query)


async def current_seasons(
    session: AsyncSession, *, at: dt.datetime, organization_ids: Sequence[int]
) -> list[tuple[Season, League]]:
    """The seasons running at ``at`` (timezone-aware: started, not ended) in the leagues of
    the organizations ``organization_ids``, with their league, by organization, league name
    and season number. One statement. Raises nothing."""
    rows = await session.execute(
        select(Season, League)
        .join(League, League.id == Season.league_id)
        .where(
            League.organization_id.in_(set(organization_ids)),
            Season.starts_at <= at,
            Season.ends_at > at,
        )
        .order_by(League.organization_id, League.name, Season.number)
    )
    return [(season, league) for season, league in rows.all()]


async def organization_slugs(session: AsyncSession) -> dict[int, str]:
    """Every organization's slug, by id."""
    return dict((await session.execute(select(Organization.id, Organization.slug))).all())


async def game_mode_codes(session: AsyncSession) -> dict[int, str]:
    """Every game mode's code (``duel``, ``doubles``, ``standard``), by id."""
    return dict((await session.execute(select(GameMode.id, GameMode.code))).all())


async def create_organization(
    session: AsyncSession, *, actor: Actor, slug: str, name: str, time_zone: str = DEFAULT_ZONE
) -> Organization:
    """A platform admin opens an organization and becomes its first admin.

    ``time_zone``: the IANA name of the zone its people read dates in (default UTC).
    Raises UNAUTHENTICATED, PERMISSION_DENIED, INVALID_SLUG, INVALID_NAME, INVALID_TIME_ZONE,
    DUPLICATE.
    """
    require_superuser(actor, "create organizations")
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise InvalidInput(
            "An organization's short name uses 2 to 63 lowercase letters, digits and dashes.",
            code=LeagueCode.INVALID_SLUG,
        )
    org = Organization(slug=slug, name=_name(name, "organization"), time_zone=zone_name(time_zone))
    await insert_unique(session, org, f"An organization called '{slug}' already exists.")
    session.add(
        RoleGrant(user_id=actor.user_id, organization_id=org.id, role=Role.ORGANIZATION_ADMIN)
    )
    await session.flush()
    return org


async def set_organization_time_zone(
    session: AsyncSession, *, actor: Actor, organization_id: int, time_zone: str
) -> Organization:
    """An organization admin sets the IANA zone (e.g. "Europe/London") its people read dates
    in: validation reports, errors that show dates and pages use it.

    Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, INVALID_TIME_ZONE.
    """
    await access.require_organization_admin(session, actor, organization_id, "set its time zone")
    org = found(await session.get(Organization, organization_id), "organization", organization_id)
    org.time_zone = zone_name(time_zone)
    await session.flush()
    return org


async def organization_zone(session: AsyncSession, organization_id: int) -> str:
    """The IANA name of the organization's time zone (UTC for an unknown organization)."""
    zone = await session.scalar(
        select(Organization.time_zone).where(Organization.id == organization_id)
    )
    return zone or DEFAULT_ZONE


async def organization_zones(
    session: AsyncSession, organization_ids: Sequence[int] | set[int]
) -> dict[int, str]:
    """The IANA names of the time zones of the organizations ``organization_ids``, by id
    (an unknown id is left out). One statement."""
    if not organization_ids:
        return {}
    rows = await session.execute(
        select(Organization.id, Organization.time_zone).where(
            Organization.id.in_(set(organization_ids))
        )
    )
    return {organization_id: zone for organization_id, zone in rows}


async def person_zone(session: AsyncSession, *, user_id: int) -> str:
    """The IANA name of the time zone a person reads their own times in (their tokens',
    their sessions'): people have no zone of their own, so it is that of the organization
    they joined first among those they are still a member of; UTC when none."""
    zone = await session.scalar(
        select(Organization.time_zone)
        .join(Member, Member.organization_id == Organization.id)
        .where(Member.user_id == user_id, Member.left_at.is_(None))
        .order_by(Member.joined_at, Member.id)
        .limit(1)
    )
    return zone or DEFAULT_ZONE


async def organization_config(session: AsyncSession, organization_id: int) -> OrganizationConfig:
    """The organization's effective configuration: its stored settings over the defaults
    (every default for an unknown organization)."""
    rows = await session.scalars(
        select(OrganizationSetting).where(OrganizationSetting.organization_id == organization_id)
    )
    return effective_config({row.key: row.value for row in rows})


async def set_organization_setting(
    session: AsyncSession, *, actor: Actor, organization_id: int, key: str, value: Any
) -> OrganizationConfig:
    """An organization admin sets one setting (``key`` of
    :data:`~sprocket.league.configuration.KEYS`; ``value`` of the key's type: bool, int within
    its bounds, one of its choices, a list of distinct choices, or a colour ``#RRGGBB``, kept in
    lower case). Returns the organization's whole effective configuration after the change.
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, UNKNOWN_SETTING, INVALID_SETTING."""
    require_user(actor)
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
    """An organization admin opens a league of one game mode (its code: ``duel``,
    ``doubles``, ``standard``).

    ``roster_min``/``roster_max``: players a roster holds, team size <= minimum <= maximum
    <= 50; by default the team size, and the team size plus the organization's
    ``roster_substitutes``. ``match_format``: ``boN`` (N odd) or ``fixedN`` (see
    :class:`MatchFormat`). Raises UNAUTHENTICATED, NOT_FOUND (organization, game mode),
    PERMISSION_DENIED, INVALID_ROSTER_LIMITS, INVALID_MATCH_FORMAT, INVALID_NAME, DUPLICATE.
    """
    require_user(actor)
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
            code=LeagueCode.INVALID_ROSTER_LIMITS,
        )
    fmt = MatchFormat.parse(match_format)
    league = League(
        organization_id=organization_id,
        game_mode_id=mode.id,
        name=_name(name, "league"),
        roster_min=low,
        roster_max=high,
        match_format=str(fmt),
    )
    await insert_unique(session, league, f"This organization already has a league called '{name}'.")
    return league


async def league_by_id(session: AsyncSession, league_id: int) -> League:
    """The league with this id. Raises NOT_FOUND."""
    return found(await session.get(League, league_id), "league", league_id)


async def season_by_id(session: AsyncSession, *, season_id: int) -> tuple[Season, League]:
    """The season with this id and its league. Raises NOT_FOUND."""
    season = found(await session.get(Season, season_id), "season", season_id)
    return season, await league_by_id(session, season.league_id)


async def league_seasons(session: AsyncSession, *, league_id: int) -> list[Season]:
    """The league's seasons by number (none for an unknown league). One statement."""
    rows = await session.scalars(
        select(Season).where(Season.league_id == league_id).order_by(Season.number)
    )
    return list(rows.all())


async def league_skill_groups(session: AsyncSession, *, league_id: int) -> list[SkillGroup]:
    """The league's skill groups, top first (by ordinal; none for an unknown league).
    One statement."""
    rows = await session.scalars(
        select(SkillGroup).where(SkillGroup.league_id == league_id).order_by(SkillGroup.ordinal)
    )
    return list(rows.all())


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
    """League staff open season ``number`` (1 and up) of a league, from ``starts_at`` to
    ``ends_at`` (timezone-aware, start before end); ``name`` defaults to "Season N".
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, INVALID_SEASON, INVALID_DATES,
    INVALID_NAME, DUPLICATE (the league already has that number)."""
    require_user(actor)
    league = await league_by_id(session, league_id)
    await access.require_league_staff(
        session, actor, league.organization_id, league.id, "create seasons"
    )
    if number < 1:
        raise InvalidInput("Season numbers start at 1.", code=LeagueCode.INVALID_SEASON)
    if starts_at >= ends_at:
        raise InvalidInput("A season must end after it starts.", code=LeagueCode.INVALID_DATES)
    season = Season(
        league_id=league.id,
        number=number,
        name=_name(name or f"Season {number}", "season"),
        starts_at=starts_at,
        ends_at=ends_at,
    )
    await insert_unique(session, season, f"'{league.name}' already has a season {number}.")
    return season


async def skill_group_of(
    session: AsyncSession, *, league: League, skill_group_id: int
) -> SkillGroup:
    """The skill group with this id, which must be one of ``league``'s.
    Raises NOT_FOUND, WRONG_LEAGUE."""
    group = found(await session.get(SkillGroup, skill_group_id), "skill group", skill_group_id)
    if group.league_id != league.id:
        raise InvalidInput(
            f"Skill group '{group.name}' belongs to another league.", code=LeagueCode.WRONG_LEAGUE
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
    """League staff add a skill group (tier ``ordinal``, 1 the top) to a league, with an
    optional salary cap (above 0, at most :data:`MAX_AMOUNT`); ``code`` (1 to 16 characters)
    is stored upper case. Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, INVALID_ORDER,
    INVALID_SALARY_CAP, INVALID_NAME, DUPLICATE (name or tier taken in the league)."""
    require_user(actor)
    league = await league_by_id(session, league_id)
    await access.require_league_staff(
        session, actor, league.organization_id, league.id, "create skill groups"
    )
    if ordinal < 1:
        raise InvalidInput(
            "Skill group order starts at 1 (the top tier).", code=LeagueCode.INVALID_ORDER
        )
    salary_cap = amount(
        salary_cap, what="salary cap", code=LeagueCode.INVALID_SALARY_CAP, zero=False
    )
    group = SkillGroup(
        league_id=league.id,
        name=_name(name, "skill group", 64),
        code=_name(code, "skill group code", 16).upper(),
        ordinal=ordinal,
        salary_cap=salary_cap,
    )
    await insert_unique(
        session, group, f"'{league.name}' already has a skill group '{name}' or tier {ordinal}."
    )
    return group


async def create_franchise(
    session: AsyncSession, *, actor: Actor, organization_id: int, name: str, code: str
) -> Franchise:
    """An organization admin adds a franchise (``code``: 1 to 8 characters, stored upper
    case). Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, INVALID_NAME, DUPLICATE."""
    require_user(actor)
    found(await session.get(Organization, organization_id), "organization", organization_id)
    await access.require_organization_admin(session, actor, organization_id, "create franchises")
    franchise = Franchise(
        organization_id=organization_id,
        name=_name(name, "franchise"),
        code=_name(code, "franchise code", 8).upper(),
    )
    await insert_unique(session, franchise, f"A franchise called '{name}' already exists.")
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
    """League staff add a team to a league, optionally in one of its skill groups and under
    a franchise of its organization. Raises UNAUTHENTICATED, NOT_FOUND (league, skill group,
    franchise), PERMISSION_DENIED, WRONG_LEAGUE, WRONG_ORGANIZATION, INVALID_NAME,
    DUPLICATE."""
    require_user(actor)
    league = await league_by_id(session, league_id)
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
                code=LeagueCode.WRONG_ORGANIZATION,
            )
    team = Team(
        league_id=league.id,
        name=_name(name, "team"),
        skill_group_id=skill_group_id,
        franchise_id=franchise_id,
    )
    await insert_unique(session, team, f"'{league.name}' already has a team called '{name}'.")
    return team


async def teams(
    session: AsyncSession,
    *,
    league_id: int,
    skill_group_id: int | None = None,
    franchise_id: int | None = None,
    first: int,
    after: str | None = None,
) -> Page[Team]:
    """A page of a league's teams by id (optionally of one skill group, one franchise),
    ``first`` (1 to 100) after the cursor ``after``. Raises InvalidInput:
    ``INVALID_PAGE_SIZE``, ``INVALID_CURSOR``."""
    query = select(Team).where(Team.league_id == league_id)
    if skill_group_id is not None:
        query = query.where(Team.skill_group_id == skill_group_id)
    if franchise_id is not None:
        query = query.where(Team.franchise_id == franchise_id)
    return await page(session, query, Team.id, first=first, after=after)
