"""Stat lines written when a result is accepted, and the aggregates read from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sprocket.league.models import Player, Team
from sprocket.paging import check_page_size
from sprocket.schedule.models import Fixture, Match, MatchGame
from sprocket.stats.models import PlayerGameStat, TeamGameStat

_COUNTED = ("score", "goals", "assists", "saves", "shots")

T = TypeVar("T")


def most_valuable(
    lines: Iterable[T], *, won: Callable[[T], bool], score: Callable[[T], int]
) -> T | None:
    """A game's MVP among its players' ``lines``: the best score of the winning side (the
    first such line at a tie), None when the winning side has none. ``won`` tells a line of
    the winning side, ``score`` reads its in-game score."""
    return max((line for line in lines if won(line)), key=score, default=None)


async def record_series(
    session: AsyncSession,
    *,
    league_id: int,
    games: Sequence[MatchGame],
    reports: Sequence[dict[str, Any]],
    home_team_id: int,
    away_team_id: int,
) -> None:
    """One line per player and per team for each game of an accepted series.

    ``games``: the series' stored games, in order; ``reports``: the validation report's
    games, one per game in the same order (``found``: the players found in each replay, each
    a dict with ``member_id``, ``team_id`` (None: not on either roster, no line written),
    ``name``, ``platform``, ``platform_id`` and the counters). The winning side is the
    game's ``home_won`` (its replay's outcome); the MVP is the best score of that side.
    """
    members = {p["member_id"] for r in reports for p in r["found"] if p["member_id"]}
    players = dict(
        (
            await session.execute(
                select(Player.member_id, Player.id).where(
                    Player.league_id == league_id, Player.member_id.in_(members)
                )
            )
        ).all()
    )
    for game, report in zip(games, reports, strict=True):
        winner = home_team_id if game.home_won else away_team_id
        lines = [p for p in report["found"] if p["team_id"] is not None]
        mvp = most_valuable(
            lines, won=lambda p, w=winner: p["team_id"] == w, score=lambda p: p["score"]
        )
        for line in lines:
            session.add(
                PlayerGameStat(
                    match_game_id=game.id,
                    player_id=players.get(line["member_id"]),
                    team_id=line["team_id"],
                    name=line["name"][:100],
                    platform=line["platform"],
                    platform_account_id=line["platform_id"],
                    mvp=line is mvp,
                    won=line["team_id"] == winner,
                    **{k: line[k] for k in _COUNTED},
                )
            )
        for team_id, goals, against in (
            (home_team_id, game.home_goals, game.away_goals),
            (away_team_id, game.away_goals, game.home_goals),
        ):
            side = [p for p in lines if p["team_id"] == team_id]
            session.add(
                TeamGameStat(
                    match_game_id=game.id,
                    team_id=team_id,
                    goals=goals,
                    goals_against=against,
                    won=team_id == winner,
                    **{k: sum(p[k] for p in side) for k in _COUNTED if k != "goals"},
                )
            )
    await session.flush()


@dataclass(frozen=True)
class Totals:
    """Sums over a player's or a team's stat lines: games counted, games won, MVP awards,
    and the summed in-game counters."""

    games: int
    wins: int
    mvps: int
    score: int
    goals: int
    assists: int
    saves: int
    shots: int

    def per_game(self, value: int) -> float:
        """``value`` (one of the totals) per game, to two decimals; 0.0 without games."""
        return round(value / self.games, 2) if self.games else 0.0


def _totals_columns(model: Any, *, mvp: bool) -> list[Any]:
    return [
        func.count(model.id),
        func.coalesce(func.sum(case((model.won, 1), else_=0)), 0),
        func.coalesce(func.sum(case((model.mvp, 1), else_=0)), 0) if mvp else literal(0),
        *(func.coalesce(func.sum(getattr(model, k)), 0) for k in _COUNTED),
    ]


async def player_totals(session: AsyncSession, *, player_ids: Sequence[int]) -> dict[int, Totals]:
    """Career totals of many players (ids) over every recorded game, by player id; a player
    with no stat line is left out. One statement."""
    rows = await session.execute(
        select(PlayerGameStat.player_id, *_totals_columns(PlayerGameStat, mvp=True))
        .where(PlayerGameStat.player_id.in_(player_ids))
        .group_by(PlayerGameStat.player_id)
    )
    return {row[0]: Totals(*map(int, row[1:])) for row in rows}


async def team_totals(session: AsyncSession, *, team_ids: Sequence[int]) -> dict[int, Totals]:
    """Totals of many teams (ids) over every recorded game, by team id (``mvps`` is 0: MVPs
    are players'); a team with no stat line is left out. One statement."""
    rows = await session.execute(
        select(TeamGameStat.team_id, *_totals_columns(TeamGameStat, mvp=False))
        .where(TeamGameStat.team_id.in_(team_ids))
        .group_by(TeamGameStat.team_id)
    )
    return {row[0]: Totals(*map(int, row[1:])) for row in rows}


@dataclass(frozen=True)
class GameLine:
    """A player's stat line in one accepted game of a match, with the match's teams."""

    match_id: int
    game: int
    starts_at: dt.datetime
    team: str
    opponent: str
    goals: int
    assists: int
    saves: int
    shots: int
    score: int
    mvp: bool
    won: bool


async def player_games(
    session: AsyncSession, *, player_ids: Sequence[int], first: int
) -> list[GameLine]:
    """The newest ``first`` (1 to 100) stat lines of the players (ids: one member's players
    in several leagues), by match date then game number, newest first. One statement.
    Raises InvalidInput ``INVALID_PAGE_SIZE``."""
    check_page_size(first)
    home, away = aliased(Team), aliased(Team)
    rows = await session.execute(
        select(PlayerGameStat, MatchGame.match_id, MatchGame.number, Match.starts_at)
        .add_columns(home.id, home.name, away.name)
        .join(MatchGame, MatchGame.id == PlayerGameStat.match_game_id)
        .join(Match, Match.id == MatchGame.match_id)
        .join(Fixture, Fixture.id == Match.fixture_id)
        .join(home, home.id == Fixture.home_team_id)
        .join(away, away.id == Fixture.away_team_id)
        .where(PlayerGameStat.player_id.in_(set(player_ids)))
        .order_by(Match.starts_at.desc(), MatchGame.number.desc(), PlayerGameStat.id.desc())
        .limit(first)
    )
    return [
        GameLine(
            match_id=match_id,
            game=number,
            starts_at=starts_at,
            team=home_name if line.team_id == home_id else away_name,
            opponent=away_name if line.team_id == home_id else home_name,
            goals=line.goals,
            assists=line.assists,
            saves=line.saves,
            shots=line.shots,
            score=line.score,
            mvp=line.mvp,
            won=line.won,
        )
        for line, match_id, number, starts_at, home_id, home_name, away_name in rows
    ]


async def game_stat_lines(
    session: AsyncSession, *, game_ids: Sequence[int]
) -> dict[int, list[PlayerGameStat]]:
    """The player stat lines of the games ``game_ids`` (match game ids), by game id, each
    game's lines by team id then best score first; games without lines are left out.
    One statement. Raises nothing."""
    rows = await session.scalars(
        select(PlayerGameStat)
        .where(PlayerGameStat.match_game_id.in_(set(game_ids)))
        .order_by(PlayerGameStat.team_id, PlayerGameStat.score.desc(), PlayerGameStat.id)
    )
    lines: dict[int, list[PlayerGameStat]] = {}
    for row in rows:
        lines.setdefault(row.match_game_id, []).append(row)
    return lines
