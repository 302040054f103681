"""Migration 0006 on a database that holds results: down to 0005 and up again, no game or stat
line is lost (no table is rebuilt: a rebuild of ``match_games`` would cascade to its stat
lines on SQLite), and the winners of existing games come from their goals."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, text

from sprocket.migrate import downgrade, upgrade
from sprocket.replays import service as replays
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.schedule.models import MatchGame
from sprocket.stats.models import PlayerGameStat, TeamGameStat
from tests.league_world import World
from tests.replays.series import actor_of, game
from tests.replays.test_submissions import act, load, run_jobs, submit, team_one_match


async def counts(platform: Runtime) -> tuple[int, int, int]:
    async with platform.reading() as s:
        return (
            await s.scalar(select(func.count()).select_from(MatchGame)) or 0,
            await s.scalar(select(func.count()).select_from(PlayerGameStat)) or 0,
            await s.scalar(select(func.count()).select_from(TeamGameStat)) or 0,
        )


async def test_down_and_up_keeps_every_result(
    platform: Runtime, world: World, database_url: str
) -> None:
    line = await team_one_match(platform, world)
    files = [
        game(line, 1, home_goals=2, away_goals=1),
        game(line, 2, home_goals=0, away_goals=4, home_blue=False),
        game(line, 3, home_goals=3, away_goals=2),
        game(line, 4, home_goals=1, away_goals=0),
    ]
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, files)
    await run_jobs(platform)
    assert (await load(platform, submitted.id)).status == "awaiting_ratification"
    opponent = await actor_of(platform, line.away[0][0])
    await act(platform, replays.ratify, actor=opponent, submission_id=submitted.id)
    async with platform.unit_of_work() as s:  # and a result entered by staff
        await schedule.record_result(
            s,
            actor=world.actors["league_staff"],
            match_id=world.match_ids[1],
            games=[(0, 1), (2, 0), (0, 3), (0, 1)],
        )
    before = await counts(platform)
    assert before == (8, 16, 8)
    await platform.engine.dispose()  # no pooled connection holds the tables

    await asyncio.to_thread(downgrade, database_url, "0005")
    async with platform.reading() as s:
        columns = set((await s.execute(text("SELECT * FROM match_games"))).keys())
        assert "home_won" not in columns and "home_goals" in columns
    assert await counts(platform) == before
    await platform.engine.dispose()
    await asyncio.to_thread(upgrade, database_url)

    assert await counts(platform) == before
    async with platform.reading() as s:
        rows = await s.execute(
            select(MatchGame.home_goals, MatchGame.away_goals, MatchGame.home_won).order_by(
                MatchGame.match_id, MatchGame.number
            )
        )
        assert [tuple(r) for r in rows] == [
            (2, 1, True),
            (0, 4, False),
            (3, 2, True),
            (1, 0, True),
            (0, 1, False),
            (2, 0, True),
            (0, 3, False),
            (0, 1, False),
        ]
