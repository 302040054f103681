"""Leaderboards through the service on a real database, checked against a plain Python
reading of the same rows for every board and filter, plus paging and bad input.

The scenario: four teams of two; series A (Team 1 beats Team 2, 3-1, a month ago, then moved
to a second season), B (Team 3 sweeps Team 4 away) and C (Team 1 sweeps Team 3 away). One of
Team 3's players is in the second skill group.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

from sprocket.db import utcnow
from sprocket.errors import InvalidInput
from sprocket.flows import ratings as rating_flow
from sprocket.league import service as league
from sprocket.league.models import GameMode, Player
from sprocket.ratings import leaderboards
from sprocket.ratings import service as ratings
from sprocket.ratings.leaderboards import Filters, PlayerBoard
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Match, MatchGame
from sprocket.stats.models import PlayerGameStat
from tests.ratings.support import AWAY_SWEEP, HOME_WINS_3_1, accept_series


@dataclass
class Scenario:
    organization_id: int
    mode: int
    season_id: int
    other_season_id: int
    skill_groups: list[int]
    moved_member: int
    month_ago: dt.datetime


async def build(platform, world) -> Scenario:
    a, _, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    await accept_series(platform, world, 3, 2, AWAY_SWEEP)
    c, c_line, _ = await accept_series(platform, world, 2, 0, AWAY_SWEEP)
    month_ago = utcnow() - dt.timedelta(days=30)
    async with platform.unit_of_work() as session:
        season = await league.create_season(
            session,
            actor=world.actors["superuser"],
            league_id=world.league_id,
            number=2,
            starts_at=month_ago - dt.timedelta(days=1),
            ends_at=month_ago + dt.timedelta(days=7),
        )
        # Series A was played a month ago, in another season; rebuild the history's dates
        # (a game's date is the one its replay recorded).
        await session.execute(
            update(Match).where(Match.id == a).values(starts_at=month_ago, season_id=season.id)
        )
        await session.execute(
            update(MatchGame).where(MatchGame.match_id == a).values(played_at=month_ago)
        )
        moved = c_line.home[1][0]
        await session.execute(
            update(Player)
            .where(Player.member_id == moved)
            .values(skill_group_id=world.skill_group_ids[1])
        )
        mode = await session.scalar(select(GameMode.id).where(GameMode.code == "doubles"))
        await rating_flow.recompute(
            session, organization_id=world.organization_id, game_mode_id=mode
        )
    return Scenario(
        world.organization_id,
        mode,
        world.season_id,
        season.id,
        world.skill_group_ids,
        moved,
        month_ago,
    )


async def board(platform, by: PlayerBoard, filters: Filters, *, first: int = 100):
    async with platform.reading() as session:
        page = await leaderboards.player_leaderboard(session, by=by, filters=filters, first=first)
    assert not page.has_next
    return [(e.rank, e.member_id, e.value, e.games, e.wins) for e in page.entries]


async def expected(platform, by: PlayerBoard, f: Filters) -> list[tuple]:
    """The board computed in Python from the raw rows."""
    async with platform.reading() as session:
        lines = (
            await session.execute(
                select(
                    Player.member_id,
                    Player.skill_group_id,
                    Match.season_id,
                    func.coalesce(MatchGame.played_at, Match.starts_at),
                    PlayerGameStat.goals,
                    PlayerGameStat.saves,
                    PlayerGameStat.shots,
                    PlayerGameStat.assists,
                    PlayerGameStat.won,
                )
                .join(Player, Player.id == PlayerGameStat.player_id)
                .join(MatchGame, MatchGame.id == PlayerGameStat.match_game_id)
                .join(Match, Match.id == MatchGame.match_id)
            )
        ).all()
        rated = {
            r.member_id: r
            for r in await session.scalars(
                select(Rating).where(Rating.game_mode_id == f.game_mode_id)
            )
        }
        groups = defaultdict(set)
        for member, group in await session.execute(select(Player.member_id, Player.skill_group_id)):
            groups[member].add(group)
    counted = defaultdict(list)
    for member, group, season, starts, goals, saves, shots, assists, won in lines:
        if by is not PlayerBoard.RATING and f.skill_group_id and group != f.skill_group_id:
            continue
        if f.season_id and season != f.season_id:
            continue
        if f.since and starts < f.since or f.until and starts >= f.until:
            continue
        counted[member].append(
            {"goals": goals, "saves": saves, "shots": shots, "assists": assists, "won": won}
        )
    rows = []
    for member, games in counted.items():
        if len(games) < max(f.min_games, 1):
            continue
        wins = sum(g["won"] for g in games)
        if by is PlayerBoard.RATING:
            if f.skill_group_id and f.skill_group_id not in groups[member]:
                continue
            r = rated[member]
            rows.append(((-r.displayed, -r.mu, member), member, float(r.displayed), games, wins))
        else:
            key = "won" if by is PlayerBoard.WIN_RATE else by.value
            value = sum(g[key] for g in games) / len(games)
            rows.append(((-value, -len(games), member), member, value, games, wins))
    rows.sort()
    return [
        (n, member, pytest.approx(value), len(games), wins)
        for n, (_, member, value, games, wins) in enumerate(rows, start=1)
    ]


async def test_every_board_under_every_filter(platform, world) -> None:
    s = await build(platform, world)
    week_ago = utcnow() - dt.timedelta(days=7)
    cases = {
        "all": Filters(s.organization_id, s.mode),
        "min games": Filters(s.organization_id, s.mode, min_games=5),
        "skill group": Filters(s.organization_id, s.mode, skill_group_id=s.skill_groups[0]),
        "other skill group": Filters(s.organization_id, s.mode, skill_group_id=s.skill_groups[1]),
        "season": Filters(s.organization_id, s.mode, season_id=s.season_id),
        "other season": Filters(s.organization_id, s.mode, season_id=s.other_season_id),
        "since": Filters(s.organization_id, s.mode, since=week_ago),
        "until": Filters(s.organization_id, s.mode, until=week_ago),
        "window and min games": Filters(
            s.organization_id,
            s.mode,
            since=s.month_ago - dt.timedelta(days=1),
            until=week_ago,
            min_games=4,
        ),
        "everything": Filters(
            s.organization_id,
            s.mode,
            skill_group_id=s.skill_groups[0],
            season_id=s.season_id,
            since=week_ago,
            until=utcnow() + dt.timedelta(days=1),
            min_games=3,
        ),
    }
    sizes = {}
    for by in PlayerBoard:
        for name, filters in cases.items():
            got = await board(platform, by, filters)
            assert got == await expected(platform, by, filters), (by, name)
            sizes[(by, name)] = len(got)
    # The scenario makes every filter bite (so the comparisons above mean something).
    assert sizes[(PlayerBoard.RATING, "all")] == 8
    assert sizes[(PlayerBoard.RATING, "min games")] == 4  # Teams 1 and 3 played 7 and 6
    assert sizes[(PlayerBoard.RATING, "other skill group")] == 1
    assert sizes[(PlayerBoard.GOALS, "skill group")] == 7
    assert sizes[(PlayerBoard.RATING, "season")] == 6  # series B and C
    assert sizes[(PlayerBoard.RATING, "other season")] == 4  # series A
    assert sizes[(PlayerBoard.WIN_RATE, "since")] == 6
    assert sizes[(PlayerBoard.WIN_RATE, "until")] == 4
    assert sizes[(PlayerBoard.RATING, "window and min games")] == 4
    assert sizes[(PlayerBoard.SAVES, "everything")] == 5
    assert sizes[(PlayerBoard.RATING, "everything")] == 5
    # Other organizations and game modes have nothing.
    async with platform.reading() as session:
        standard = await ratings.game_mode_id(session, "standard")
    assert await board(platform, PlayerBoard.RATING, Filters(s.organization_id, standard)) == []
    assert await board(platform, PlayerBoard.GOALS, Filters(s.organization_id + 1, s.mode)) == []


async def test_the_rating_board_shows_games_and_wins_in_the_window(platform, world) -> None:
    s = await build(platform, world)
    async with platform.reading() as session:
        points = (await session.scalars(select(RatingPoint))).all()
    recent = [p for p in points if p.played_at >= utcnow() - dt.timedelta(days=7)]
    got = await board(
        platform,
        PlayerBoard.RATING,
        Filters(s.organization_id, s.mode, since=utcnow() - dt.timedelta(days=7)),
    )
    for _, member, _, games, wins in got:
        mine = [p for p in recent if p.member_id == member]
        assert (games, wins) == (len(mine), sum(p.won for p in mine))


async def test_pages_follow_each_other(platform, world) -> None:
    s = await build(platform, world)
    filters = Filters(s.organization_id, s.mode)
    for by in (PlayerBoard.RATING, PlayerBoard.SHOTS):
        whole = await board(platform, by, filters)
        seen, offset, pages = [], 0, 0
        async with platform.reading() as session:
            while True:
                page = await leaderboards.player_leaderboard(
                    session, by=by, filters=filters, first=3, offset=offset
                )
                pages += 1
                seen += [(e.rank, e.member_id, e.value, e.games, e.wins) for e in page.entries]
                if not page.has_next:
                    break
                offset = page.entries[-1].rank
        assert pages == 3
        assert seen == whole
        assert [row[0] for row in seen] == list(range(1, 9))


async def test_teams_by_standings(platform, world) -> None:
    s = await build(platform, world)
    async with platform.reading() as session:
        table = await leaderboards.team_leaderboard(session, season_id=s.season_id)
        assert table == await schedule.standings(session, season_id=s.season_id)
        group = await leaderboards.team_leaderboard(
            session, season_id=s.season_id, skill_group_id=s.skill_groups[0]
        )
        records = await leaderboards.team_records(
            session, keys=[(s.season_id, t) for t in world.team_ids]
        )
    assert [r.team for r in table][:2] == [world.team_ids[0], world.team_ids[2]]
    assert {(s.season_id, r.team): r for r in group} == records
    assert records[(s.season_id, world.team_ids[2])].series_won == 1


@pytest.mark.parametrize(
    ("filters", "first", "offset", "code"),
    [
        ({"min_games": -1}, 10, 0, "INVALID_MIN_GAMES"),
        ({}, 101, 0, "INVALID_PAGE_SIZE"),
        ({}, 0, 0, "INVALID_PAGE_SIZE"),
        ({}, 10, -1, "INVALID_CURSOR"),
        (
            {
                "since": dt.datetime(2030, 1, 2, tzinfo=dt.UTC),
                "until": dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            },
            10,
            0,
            "INVALID_TIME_WINDOW",
        ),
    ],
)
async def test_bad_input_is_a_typed_error(platform, filters, first, offset, code) -> None:
    async with platform.reading() as session:
        with pytest.raises(InvalidInput) as raised:
            await leaderboards.player_leaderboard(
                session,
                by=PlayerBoard.RATING,
                filters=Filters(1, 1, **filters),
                first=first,
                offset=offset,
            )
    assert raised.value.code == code
    assert raised.value.message
