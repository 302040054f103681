"""Leaderboards: players by rating or by per-game stats, teams by standings.

Every board is one SQL statement whatever its size (ranking, filtering and paging happen in
the database), so a page costs the same for 100 rated players as for 10,000.

Filters
-------
- ``organization_id`` and ``game_mode_id`` (required): ratings are per organization and mode;
  stat lines count from the organization's leagues of that mode.
- ``skill_group_id``: members with a player registered in that skill group.
- ``season_id``: only games of that season's matches.
- ``since`` / ``until``: only games whose date (the date their replay recorded, or the start
  of their match's window for a result entered by hand; as stored in
  ``RatingPoint.played_at``) is at or after ``since`` and before ``until``.
- ``min_games``: at least that many games counted under the filters above.

On the rating board the value is always the current displayed rating; the season and time
filters choose *who* is listed (players with at least ``min_games`` games in them) and the
games and wins shown are those counted in them.

Paging
------
A cursor is the position of the last row of the page (an offset), so ranks are stable across
pages; ties are broken by member id, so the order is total.

Caching
-------
Boards are read through the GraphQL API, whose response cache (``sprocket.api.response_cache``,
on the cache backend: memory or Redis) answers repeated anonymous reads. Every committed write
(an accepted or invalidated result among them) bumps the data version in the cache key, so a
board is refreshed as soon as a result is accepted, without a second cache here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Float, case, cast, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import CommonCode, InvalidInput
from sprocket.league.models import League, Player, Season, Team
from sprocket.paging import check_page_size
from sprocket.ratings.enums import RatingSource
from sprocket.ratings.errors import RatingCode
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.schedule import service as schedule
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Match, MatchGame
from sprocket.schedule.standings import StandingRow
from sprocket.stats.models import PlayerGameStat


class PlayerBoard(enum.Enum):
    RATING = "rating"
    GOALS = "goals"
    SAVES = "saves"
    SHOTS = "shots"
    ASSISTS = "assists"
    WIN_RATE = "win_rate"


@dataclass(frozen=True)
class Filters:
    organization_id: int
    game_mode_id: int
    skill_group_id: int | None = None
    season_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    min_games: int = 0

    def check(self) -> None:
        """Raises INVALID_MIN_GAMES (negative), INVALID_TIME_WINDOW (``until`` not after
        ``since``)."""
        if self.min_games < 0:
            raise InvalidInput(
                "The minimum number of games cannot be negative.", code=RatingCode.INVALID_MIN_GAMES
            )
        if self.since and self.until and self.since >= self.until:
            raise InvalidInput(
                "The time window must end after it starts.", code=RatingCode.INVALID_TIME_WINDOW
            )

    @property
    def narrowed(self) -> bool:
        """True when games must be counted (a season or a time window)."""
        return self.season_id is not None or self.since is not None or self.until is not None


@dataclass(frozen=True)
class PlayerEntry:
    rank: int
    member_id: int
    value: float
    games: int
    wins: int


@dataclass(frozen=True)
class Page:
    entries: list[PlayerEntry]
    has_next: bool
    offset: int  # of the first entry


def _check_page(first: int, offset: int) -> None:
    check_page_size(first)
    if offset < 0:
        raise InvalidInput(
            "That cursor is not one this API gave out.", code=CommonCode.INVALID_CURSOR
        )


def _in_skill_group(member_id: object, skill_group_id: int) -> object:
    return exists(
        select(Player.id).where(
            Player.member_id == member_id, Player.skill_group_id == skill_group_id
        )
    )


async def player_leaderboard(
    session: AsyncSession,
    *,
    by: PlayerBoard,
    filters: Filters,
    first: int = 50,
    offset: int = 0,
) -> Page:
    """One page of the players' board ``by`` under ``filters``, best first: ``first`` (1 to
    100) entries from ``offset`` (0-based), each with its rank over the whole board.
    Raises INVALID_MIN_GAMES, INVALID_TIME_WINDOW, INVALID_PAGE_SIZE, INVALID_CURSOR
    (a negative offset)."""
    filters.check()
    _check_page(first, offset)
    query = _board(by, filters)
    rows = (await session.execute(query.offset(offset).limit(first + 1))).all()
    entries = [
        PlayerEntry(
            rank=offset + n + 1,
            member_id=member,
            value=float(value),
            games=int(games),
            wins=int(wins or 0),
        )
        for n, (member, value, games, wins) in enumerate(rows[:first])
    ]
    return Page(entries, len(rows) > first, offset)


async def count_players(session: AsyncSession, *, by: PlayerBoard, filters: Filters) -> int:
    """How many players the board ``by`` lists under ``filters``, over every page (one
    statement). Raises INVALID_MIN_GAMES, INVALID_TIME_WINDOW."""
    filters.check()
    board = _board(by, filters).order_by(None).subquery()
    return int(await session.scalar(select(func.count()).select_from(board)) or 0)


def _board(by: PlayerBoard, filters: Filters):  # noqa: ANN202 - a select
    return _rating_board(filters) if by is PlayerBoard.RATING else _stat_board(by, filters)


def _rating_board(f: Filters):  # noqa: ANN202 - a select
    if not f.narrowed:
        query = select(Rating.member_id, Rating.displayed, Rating.games, Rating.wins).where(
            Rating.organization_id == f.organization_id,
            Rating.game_mode_id == f.game_mode_id,
        )
        if f.min_games:
            query = query.where(Rating.games >= f.min_games)
    else:
        games = func.count(RatingPoint.id)
        wins = func.coalesce(func.sum(case((RatingPoint.won, 1), else_=0)), 0)
        counted = select(
            RatingPoint.member_id.label("member_id"),
            games.label("games"),
            wins.label("wins"),
        ).where(
            RatingPoint.organization_id == f.organization_id,
            RatingPoint.game_mode_id == f.game_mode_id,
        )
        if f.since is not None:
            counted = counted.where(RatingPoint.played_at >= f.since)
        if f.until is not None:
            counted = counted.where(RatingPoint.played_at < f.until)
        if f.season_id is not None:
            counted = counted.where(
                RatingPoint.source == RatingSource.MATCH,
                RatingPoint.source_game_id.in_(
                    select(MatchGame.id)
                    .join(Match, Match.id == MatchGame.match_id)
                    .where(Match.season_id == f.season_id)
                ),
            )
        window = (
            counted.group_by(RatingPoint.member_id).having(games >= max(f.min_games, 1)).subquery()
        )
        query = select(Rating.member_id, Rating.displayed, window.c.games, window.c.wins).join(
            window, window.c.member_id == Rating.member_id
        )
        query = query.where(Rating.game_mode_id == f.game_mode_id)
    if f.skill_group_id is not None:
        query = query.where(_in_skill_group(Rating.member_id, f.skill_group_id))
    return query.order_by(Rating.displayed.desc(), Rating.mu.desc(), Rating.member_id)


_STAT_COLUMNS = {
    PlayerBoard.GOALS: PlayerGameStat.goals,
    PlayerBoard.SAVES: PlayerGameStat.saves,
    PlayerBoard.SHOTS: PlayerGameStat.shots,
    PlayerBoard.ASSISTS: PlayerGameStat.assists,
}


def _stat_board(by: PlayerBoard, f: Filters):  # noqa: ANN202 - a select
    games = func.count(PlayerGameStat.id)
    wins = func.sum(case((PlayerGameStat.won, 1), else_=0))
    column = wins if by is PlayerBoard.WIN_RATE else func.sum(_STAT_COLUMNS[by])
    value = cast(column, Float) / games
    query = (
        select(Player.member_id, value.label("value"), games.label("games"), wins.label("wins"))
        .join(Player, Player.id == PlayerGameStat.player_id)
        .join(MatchGame, MatchGame.id == PlayerGameStat.match_game_id)
        .join(Match, Match.id == MatchGame.match_id)
        .join(Season, Season.id == Match.season_id)
        .join(League, League.id == Season.league_id)
        .where(
            League.organization_id == f.organization_id,
            League.game_mode_id == f.game_mode_id,
            Match.status == MatchStatus.COMPLETED,
        )
    )
    if f.skill_group_id is not None:
        query = query.where(Player.skill_group_id == f.skill_group_id)
    if f.season_id is not None:
        query = query.where(Match.season_id == f.season_id)
    played = func.coalesce(MatchGame.played_at, Match.starts_at)
    if f.since is not None:
        query = query.where(played >= f.since)
    if f.until is not None:
        query = query.where(played < f.until)
    return (
        query.group_by(Player.member_id)
        .having(games >= max(f.min_games, 1))
        .order_by(value.desc(), games.desc(), Player.member_id)
    )


async def team_leaderboard(
    session: AsyncSession, *, season_id: int, skill_group_id: int | None = None
) -> list[StandingRow[int]]:
    """Teams by standings: the season's table (of one skill group), best first, by the
    league's rules (:func:`sprocket.schedule.service.standings`). Raises NOT_FOUND (season)."""
    return await schedule.standings(session, season_id=season_id, skill_group_id=skill_group_id)


async def team_records(
    session: AsyncSession, *, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], StandingRow[int]]:
    """Each (season id, team id)'s row in its skill group's table, one table computed per
    (season, group), by that key; an unknown team is left out. Raises NOT_FOUND (season)."""
    teams = dict(
        (
            await session.execute(
                select(Team.id, Team.skill_group_id).where(Team.id.in_({t for _, t in keys}))
            )
        ).all()
    )
    tables: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for season, team in keys:
        if team in teams:
            tables[(season, teams[team])].append(team)
    records: dict[tuple[int, int], StandingRow[int]] = {}
    for (season, group), wanted in tables.items():
        rows = await schedule.standings(session, season_id=season, skill_group_id=group)
        records.update({(season, r.team): r for r in rows if r.team in wanted})
    return records
