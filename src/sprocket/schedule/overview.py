"""Reads of the calendar across an organization's leagues: the latest results and the next
matches, as lines a page can show without further queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ScalarSelect, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sprocket.errors import found
from sprocket.league.models import League, Season, Team
from sprocket.paging import check_page_size
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Fixture, Match, MatchGame, MatchWeek


@dataclass(frozen=True)
class MatchLine:
    """A match as one line: its league, teams, window (``starts_at`` to ``ends_at``),
    status, series score (games won by each side; a forfeit names the side that gave it up)
    and match week number."""

    id: int
    organization_id: int
    league: str
    season: str
    home: str
    away: str
    starts_at: dt.datetime
    status: MatchStatus
    home_wins: int
    away_wins: int
    forfeited_by: str | None
    week: int
    ends_at: dt.datetime


def _games_won(*, home_side: bool) -> ScalarSelect[int]:
    return (
        select(func.count(MatchGame.id))
        .where(MatchGame.match_id == Match.id, MatchGame.home_won.is_(home_side))
        .correlate(Match)
        .scalar_subquery()
    )


def _lines(organization_id: int | None) -> Select:
    home, away = aliased(Team), aliased(Team)
    home_wins = _games_won(home_side=True)
    away_wins = _games_won(home_side=False)
    query = (
        select(
            Match.id,
            League.organization_id,
            League.name,
            Season.name,
            home.name,
            away.name,
            Match.starts_at,
            Match.status,
            home_wins,
            away_wins,
            case(
                (Match.forfeited_by_team_id == home.id, home.name),
                (Match.forfeited_by_team_id == away.id, away.name),
                else_=None,
            ),
            MatchWeek.number,
            Match.ends_at,
        )
        .join(Fixture, Fixture.id == Match.fixture_id)
        .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
        .join(home, home.id == Fixture.home_team_id)
        .join(away, away.id == Fixture.away_team_id)
        .join(Season, Season.id == Match.season_id)
        .join(League, League.id == Season.league_id)
    )
    if organization_id is not None:
        query = query.where(League.organization_id == organization_id)
    return query


async def recent_results(
    session: AsyncSession, *, organization_id: int | None = None, first: int
) -> list[MatchLine]:
    """The latest ``first`` (1 to 100) played or forfeited matches, newest result first, of
    one organization or of all. One statement. Raises InvalidInput ``INVALID_PAGE_SIZE``."""
    check_page_size(first)
    newest = (func.coalesce(Match.completed_at, Match.ends_at).desc(), Match.id.desc())
    # The matches first, then their lines: joining every match's teams and weeks before
    # keeping a few costs a multiple of this on a large organization.
    latest = select(Match.id).where(Match.status != MatchStatus.SCHEDULED)
    if organization_id is not None:
        latest = (
            latest.join(Season, Season.id == Match.season_id)
            .join(League, League.id == Season.league_id)
            .where(League.organization_id == organization_id)
        )
    latest = latest.order_by(*newest).limit(first)
    query = _lines(None).where(Match.id.in_(latest.scalar_subquery())).order_by(*newest)
    return [MatchLine(*row) for row in (await session.execute(query)).all()]


async def upcoming_matches(
    session: AsyncSession, *, at: dt.datetime, organization_id: int | None = None, first: int
) -> list[MatchLine]:
    """The next ``first`` (1 to 100) matches still waiting for a result whose window has not
    ended at ``at`` (timezone-aware), soonest first, of one organization or of all. One
    statement. Raises InvalidInput ``INVALID_PAGE_SIZE``."""
    check_page_size(first)
    query = (
        _lines(organization_id)
        .where(Match.status == MatchStatus.SCHEDULED, Match.ends_at > at)
        .order_by(Match.starts_at, Match.id)
        .limit(first)
    )
    return [MatchLine(*row) for row in (await session.execute(query)).all()]


async def upcoming_team_matches(
    session: AsyncSession, *, team_ids: Collection[int], at: dt.datetime, first: int
) -> list[MatchLine]:
    """The next ``first`` (1 to 100) matches of any of ``team_ids`` (home or away) still
    waiting for a result whose window has not ended at ``at`` (timezone-aware), soonest
    first; none without a team. One statement. Raises InvalidInput ``INVALID_PAGE_SIZE``."""
    check_page_size(first)
    if not team_ids:
        return []
    teams = set(team_ids)
    query = (
        _lines(None)
        .where(
            Match.status == MatchStatus.SCHEDULED,
            Match.ends_at > at,
            Fixture.home_team_id.in_(teams) | Fixture.away_team_id.in_(teams),
        )
        .order_by(Match.starts_at, Match.id)
        .limit(first)
    )
    return [MatchLine(*row) for row in (await session.execute(query)).all()]


async def open_team_matches(
    session: AsyncSession,
    *,
    team_ids: Collection[int],
    organization_id: int,
    at: dt.datetime,
    first: int,
) -> list[MatchLine]:
    """The matches of any of ``team_ids`` (home or away) in the organization still waiting
    for a result whose window has begun at ``at`` (timezone-aware): those a result may be
    submitted for, the latest window first, at most ``first`` (1 to 100); none without a
    team. One statement. Raises InvalidInput ``INVALID_PAGE_SIZE``."""
    check_page_size(first)
    if not team_ids:
        return []
    teams = set(team_ids)
    query = (
        _lines(organization_id)
        .where(
            Match.status == MatchStatus.SCHEDULED,
            Match.starts_at <= at,
            Fixture.home_team_id.in_(teams) | Fixture.away_team_id.in_(teams),
        )
        .order_by(Match.starts_at.desc(), Match.id.desc())
        .limit(first)
    )
    return [MatchLine(*row) for row in (await session.execute(query)).all()]


async def team_matches(session: AsyncSession, *, team_id: int, season_id: int) -> list[MatchLine]:
    """Every match of a team (home or away) in a season, in the order of their windows, with
    the series score of those played. One statement."""
    query = (
        _lines(None)
        .where(
            Match.season_id == season_id,
            (Fixture.home_team_id == team_id) | (Fixture.away_team_id == team_id),
        )
        .order_by(Match.starts_at, Match.id)
    )
    return [MatchLine(*row) for row in (await session.execute(query)).all()]


async def season_schedule(session: AsyncSession, *, season_id: int) -> list[MatchLine]:
    """Every match of a season as lines, by week number, then start, then id (none for an
    unknown season). One statement. Raises nothing."""
    query = (
        _lines(None)
        .where(Match.season_id == season_id)
        .order_by(MatchWeek.number, Match.starts_at, Match.id)
    )
    return [MatchLine(*row) for row in (await session.execute(query)).all()]


async def match_line(session: AsyncSession, *, match_id: int) -> MatchLine:
    """The match with this id as a line. One statement. Raises NOT_FOUND."""
    row = (await session.execute(_lines(None).where(Match.id == match_id))).first()
    return found(MatchLine(*row) if row is not None else None, "match", match_id)
