"""Finding an organization's leagues, teams and members by a few typed letters (the
suggestions a Discord option offers) and by the name or id a person gave."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import CommonCode, InvalidInput, NotFound
from sprocket.league.models import League, Member, Organization, Player, SkillGroup, Team
from sprocket.league.names import member_name_key
from sprocket.paging import check_page_size

#: The longest typed text searched for.
TYPED = 50


def _containing(column: object, text: str) -> object:
    return column.icontains(text.strip()[:TYPED], autoescape=True)  # type: ignore[attr-defined]


async def find_organizations(session: AsyncSession, *, text: str, first: int) -> list[Organization]:
    """Up to ``first`` (1 to 100) organizations whose name or slug holds ``text`` (any case;
    empty: all), by name. Raises INVALID_PAGE_SIZE."""
    check_page_size(first)
    query = select(Organization).order_by(Organization.name, Organization.id).limit(first)
    if text.strip():
        query = query.where(
            _containing(Organization.name, text) | _containing(Organization.slug, text)
        )
    return list((await session.scalars(query)).all())


async def find_leagues(
    session: AsyncSession, *, organization_id: int, text: str, first: int
) -> list[League]:
    """Up to ``first`` (1 to 100) of the organization's leagues whose name holds ``text``
    (any case; empty: all), by name. Raises INVALID_PAGE_SIZE."""
    check_page_size(first)
    query = select(League).where(League.organization_id == organization_id)
    if text.strip():
        query = query.where(_containing(League.name, text))
    rows = await session.scalars(query.order_by(League.name, League.id).limit(first))
    return list(rows.all())


def _teams(organization_id: int) -> Select:
    return (
        select(Team, League)
        .join(League, League.id == Team.league_id)
        .where(League.organization_id == organization_id)
    )


async def find_teams(
    session: AsyncSession, *, organization_id: int, text: str, first: int
) -> list[tuple[Team, League]]:
    """Up to ``first`` (1 to 100) of the organization's teams (with their league) whose
    name holds ``text`` (any case; empty: all), by name. Raises INVALID_PAGE_SIZE."""
    check_page_size(first)
    query = _teams(organization_id)
    if text.strip():
        query = query.where(_containing(Team.name, text))
    rows = await session.execute(query.order_by(Team.name, League.name, Team.id).limit(first))
    return [(team, lg) for team, lg in rows.all()]


async def find_members(
    session: AsyncSession, *, organization_id: int, text: str, first: int
) -> list[Member]:
    """Up to ``first`` (1 to 100) of the organization's current members whose name holds
    ``text`` (any case; empty: all), by name. Raises INVALID_PAGE_SIZE."""
    check_page_size(first)
    query = select(Member).where(
        Member.organization_id == organization_id, Member.left_at.is_(None)
    )
    if text.strip():
        query = query.where(_containing(Member.name, text))
    rows = await session.scalars(query.order_by(Member.name_key, Member.id).limit(first))
    return list(rows.all())


def _id_of(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


async def league_named(session: AsyncSession, *, organization_id: int, value: str) -> League:
    """The organization's league ``value`` names: its id (as a suggestion carries it) or
    its name (any case). Raises NOT_FOUND."""
    ident = _id_of(value)
    if ident is not None:
        condition = League.id == ident
    else:
        condition = func.lower(League.name) == value.strip().lower()
    row = await session.scalar(
        select(League).where(League.organization_id == organization_id, condition).limit(1)
    )
    if row is None:
        raise NotFound(f"This organization has no league '{value.strip()[:TYPED]}'.")
    return row


async def team_named(
    session: AsyncSession, *, organization_id: int, value: str
) -> tuple[Team, League]:
    """The organization's team ``value`` names, with its league: its id or its name (any
    case; the first league's when several leagues have a team of that name).
    Raises NOT_FOUND."""
    ident = _id_of(value)
    if ident is not None:
        condition = Team.id == ident
    else:
        condition = func.lower(Team.name) == value.strip().lower()
    row = (
        await session.execute(_teams(organization_id).where(condition).order_by(League.id).limit(1))
    ).first()
    if row is None:
        raise NotFound(f"This organization has no team '{value.strip()[:TYPED]}'.")
    return row[0], row[1]


async def member_named(session: AsyncSession, *, organization_id: int, value: str) -> Member:
    """The organization's member ``value`` names: their id or their name (compared as
    member names are: without case, width or spacing). Raises NOT_FOUND."""
    ident = _id_of(value)
    condition = (
        Member.id == ident if ident is not None else Member.name_key == member_name_key(value)
    )
    row = await session.scalar(
        select(Member).where(Member.organization_id == organization_id, condition).limit(1)
    )
    if row is None:
        raise NotFound(f"This organization has no member '{value.strip()[:TYPED]}'.")
    return row


async def current_member(
    session: AsyncSession, *, organization_id: int, user_id: int
) -> Member | None:
    """The user's current membership of the organization (not left), else None. Raises
    nothing."""
    return await session.scalar(
        select(Member).where(
            Member.organization_id == organization_id,
            Member.user_id == user_id,
            Member.left_at.is_(None),
        )
    )


async def player_of(session: AsyncSession, *, member: Member, league: League | None) -> Player:
    """The member's player in ``league``, or, with no league named, in the only league
    they play in. Raises NOT_FOUND (no player there; none at all), INVALID_INPUT (several
    leagues and none named)."""
    query = select(Player).where(Player.member_id == member.id)
    if league is not None:
        query = query.where(Player.league_id == league.id)
    rows = list((await session.scalars(query.order_by(Player.id).limit(2))).all())
    if not rows:
        where = f" in {league.name}" if league is not None else ""
        raise NotFound(f"{member.name} does not play{where}.")
    if len(rows) > 1:
        raise InvalidInput(
            f"{member.name} plays in several leagues: name the league.",
            code=CommonCode.INVALID_INPUT,
        )
    return rows[0]


async def skill_group_named(session: AsyncSession, *, league_id: int, value: str) -> SkillGroup:
    """The league's skill group ``value`` names: its name or its code (any case).
    Raises NOT_FOUND."""
    typed = value.strip().lower()
    row = await session.scalar(
        select(SkillGroup)
        .where(
            SkillGroup.league_id == league_id,
            (func.lower(SkillGroup.name) == typed) | (func.lower(SkillGroup.code) == typed),
        )
        .order_by(SkillGroup.ordinal)
        .limit(1)
    )
    if row is None:
        raise NotFound(f"This league has no skill group '{value.strip()[:TYPED]}'.")
    return row
