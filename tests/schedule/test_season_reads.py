"""The reads behind the season and match pages: a league's seasons and skill groups, a
season by id, its schedule as lines, a match as a line, its games and their stat lines."""

from __future__ import annotations

import pytest

from sprocket.db import utcnow
from sprocket.demo import build_demo
from sprocket.errors import NotFound
from sprocket.league import service as league
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.schedule.enums import MatchStatus
from sprocket.stats import service as stats


async def test_the_reads_over_the_demo_organization(platform: Runtime) -> None:
    async with platform.unit_of_work() as session:
        demo = await build_demo(session)
    async with platform.reading() as session:
        running = await league.current_seasons(
            session, at=utcnow(), organization_ids=[demo.organization_id]
        )
        doubles = next(lg.id for _, lg in running if lg.name == "Doubles League")
        seasons = await league.league_seasons(session, league_id=doubles)
        assert [(s.number, s.name) for s in seasons] == [(1, "Season 1")]
        season, lg = await league.season_by_id(session, season_id=seasons[0].id)
        assert season.id == seasons[0].id and lg.id == doubles and lg.name == "Doubles League"
        groups = await league.league_skill_groups(session, league_id=doubles)
        assert [(g.ordinal, g.name) for g in groups] == [
            (1, "Premier"),
            (2, "Master"),
            (3, "Champion"),
        ]

        lines = await overview.season_schedule(session, season_id=season.id)
        assert len(lines) == 3 * 4 * 14
        assert [line.week for line in lines] == sorted(line.week for line in lines)
        assert {line.season for line in lines} == {"Season 1"}
        first = lines[0]
        assert first.week == 1 and first.status == MatchStatus.COMPLETED
        assert await overview.match_line(session, match_id=first.id) == first

        games = await schedule.match_games(session, match_id=first.id)
        assert [g.number for g in games] == list(range(1, len(games) + 1))
        assert sum(g.home_won for g in games) == first.home_wins
        assert sum(not g.home_won for g in games) == first.away_wins
        lines_by_game = await stats.game_stat_lines(session, game_ids=[g.id for g in games])
        assert set(lines_by_game) == {g.id for g in games}
        for game in games:
            rows = lines_by_game[game.id]
            assert len(rows) == 4  # two a side in the doubles league
            assert sum(row.mvp for row in rows) == 1
            keys = [(row.team_id, -row.score) for row in rows]
            assert keys == sorted(keys)

        last = lines[-1]
        assert last.week == 14 and last.status == MatchStatus.SCHEDULED
        assert await schedule.match_games(session, match_id=last.id) == []


async def test_reads_of_ids_that_name_nothing(platform: Runtime) -> None:
    async with platform.reading() as session:
        assert await league.league_seasons(session, league_id=404) == []
        assert await league.league_skill_groups(session, league_id=404) == []
        assert await overview.season_schedule(session, season_id=404) == []
        assert await schedule.match_games(session, match_id=404) == []
        assert await stats.game_stat_lines(session, game_ids=[404]) == {}
        with pytest.raises(NotFound, match="There is no season with id 404."):
            await league.season_by_id(session, season_id=404)
        with pytest.raises(NotFound, match="There is no match with id 404."):
            await overview.match_line(session, match_id=404)


async def test_the_recent_results_are_the_latest_played_matches(platform: Runtime) -> None:
    async with platform.unit_of_work() as session:
        demo = await build_demo(session)
    async with platform.reading() as session:
        running = await league.current_seasons(
            session, at=utcnow(), organization_ids=[demo.organization_id]
        )
        played = [
            line
            for season, _ in running
            for line in await overview.season_schedule(session, season_id=season.id)
            if line.status != MatchStatus.SCHEDULED
        ]
        matches = {x.id: await schedule.match_by_id(session, match_id=x.id) for x in played}

        def newest(line: overview.MatchLine) -> tuple:
            match = matches[line.id]
            return (match.completed_at or match.ends_at, line.id)

        expected = sorted(played, key=newest, reverse=True)[:8]
        assert len(expected) == 8
        assert await overview.recent_results(session, first=8) == expected
        mine = await overview.recent_results(session, organization_id=demo.organization_id, first=8)
        assert mine == expected
        assert await overview.recent_results(session, organization_id=404, first=8) == []
