"""Two results accepted at the same moment for the same brand-new players, on PostgreSQL.

Each result is ratified in its own transaction (its own connection). A gate around
``rate_games`` holds both transactions until both are inside; then one (the leader) rates
first, creating the newcomers' rating rows, and does not commit until the other waits on a
lock it holds (seen in ``pg_stat_activity``: the game mode's ratings lock). The other then
rates on top of the leader's committed ratings, and creates no second row for a newcomer.

Both results stamp ``Match.completed_at`` before they reach the ratings, so the leader is
either the result stamped first or the one stamped second: in both cases the ratings must be
exactly what recompute (the history replayed in acceptance order) gives.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.flows import ratings as rating_flow
from sprocket.league.models import GameMode
from sprocket.ratings import service as ratings
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.ratings.service import RatedGame
from sprocket.replays import service as replays
from sprocket.runtime import Runtime
from sprocket.schedule.models import MatchGame
from tests.conftest import POSTGRES_URL
from tests.league_world import World
from tests.ratings.support import (
    AWAY_SWEEP,
    HOME_WINS_3_1,
    points_table,
    ratings_table,
    submit_series,
)
from tests.replays.series import Lineup, actor_of

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="needs PostgreSQL (set SPROCKET_TEST_POSTGRES_URL): SQLite runs one writer at a time",
)

TIMEOUT = 20


async def waiting_on_a_lock(platform: Runtime) -> int:
    """Backends of the test database waiting for a lock another transaction holds."""
    async with platform.engine.connect() as conn:
        return await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


@pytest.mark.parametrize("leader_stamped", ["first", "second"])
async def test_two_results_for_the_same_newcomers_accepted_at_once(
    platform: Runtime, world: World, monkeypatch: pytest.MonkeyPatch, leader_stamped: str
) -> None:
    # Team 0 plays two matches; nobody has a rating yet, so its two players are newcomers in
    # both results.
    one = await submit_series(platform, world, 0, 1, HOME_WINS_3_1)
    two = await submit_series(platform, world, 2, 0, AWAY_SWEEP)
    newcomers = [m for m, _, _ in one[1].home]
    assert newcomers == [m for m, _, _ in two[1].away]
    assert await ratings_table(platform) == {}

    inside = asyncio.Barrier(2)
    accepted_at: dict[int, dt.datetime] = {}  # match id: its completed_at, as stamped
    created = asyncio.Event()  # the leader inserted the newcomers' rows
    done = {one[0]: asyncio.Event(), two[0]: asyncio.Event()}
    leaders: set[int] = set()
    held: list[int] = []
    original = ratings.rate_games

    async def gated(session: AsyncSession, *, games: Sequence[RatedGame]) -> list[RatingPoint]:
        match_id = await _match_of(session, games)
        accepted_at[match_id] = games[0].accepted_at
        await inside.wait()  # both transactions are in, neither has rated anything
        pick = min if leader_stamped == "first" else max
        leader = pick(accepted_at, key=lambda m: (accepted_at[m], m))
        leaders.add(leader)
        if match_id != leader:
            await created.wait()  # then rate while the leader's ratings are uncommitted
        points = await original(session, games=games)
        if match_id == leader:
            created.set()
        return points

    monkeypatch.setattr(ratings, "rate_games", gated)

    async def ratify(match_id: int, line: Lineup, submission_id: int) -> str:
        other = next(e for m, e in done.items() if m != match_id)
        async with platform.unit_of_work() as session:
            row = await replays.ratify(
                session,
                actor=await actor_of(platform, line.away[0][0]),
                submission_id=submission_id,
            )
            # Hold the commit until the other transaction waits on our locks (or has finished).
            while not other.is_set():
                if await waiting_on_a_lock(platform):
                    held.append(match_id)
                    break
                await asyncio.sleep(0.01)
            status = row.status
        done[match_id].set()
        return status

    async with asyncio.timeout(TIMEOUT):
        statuses = await asyncio.gather(ratify(*one), ratify(*two))
    assert statuses == ["accepted", "accepted"]
    # The two really met: the leader committed only once the other waited on its locks.
    (leader,) = leaders
    assert held == [leader]

    mode = await _doubles(platform)
    games_one, games_two = await _game_ids(platform, one[0]), await _game_ids(platform, two[0])
    played = len(games_one) + len(games_two)
    async with platform.reading() as session:
        for member in newcomers:
            rows = (
                await session.scalars(
                    select(Rating).where(Rating.member_id == member, Rating.game_mode_id == mode)
                )
            ).all()
            assert len(rows) == 1
            assert rows[0].games == played == 7
            assert rows[0].wins == 3 + 3  # won 3-1 at home, then swept away
            history = (
                await session.scalars(
                    select(RatingPoint)
                    .where(RatingPoint.member_id == member)
                    .order_by(RatingPoint.id)
                )
            ).all()
            assert len(history) == played
            # The leader's games first: the other result was applied on top of them.
            assert [p.source_game_id for p in history] == (
                games_one + games_two if leader == one[0] else games_two + games_one
            )
            # One chain: each game starts from the rating the previous one left.
            for before, after in zip(history, history[1:], strict=False):
                assert (after.mu_before, after.sigma_before) == (
                    before.mu_after,
                    before.sigma_after,
                )
            assert (history[-1].mu_after, history[-1].sigma_after) == (rows[0].mu, rows[0].sigma)
        total = await session.scalar(select(func.count()).select_from(Rating))
    assert total == 6  # team 0's two players once, teams 1 and 2 two each

    # Exactly what rebuilding the history in acceptance order gives.
    incremental = (await ratings_table(platform), await points_table(platform))
    async with platform.unit_of_work() as session:
        await rating_flow.recompute(
            session, organization_id=world.organization_id, game_mode_id=mode
        )
    assert (await ratings_table(platform), await points_table(platform)) == incremental


async def _match_of(session: AsyncSession, games: Sequence[RatedGame]) -> int:
    ids = {
        m
        for m in await session.scalars(
            select(MatchGame.match_id).where(MatchGame.id.in_([g.game_id for g in games]))
        )
    }
    (match_id,) = ids
    return match_id


async def _doubles(platform: Runtime) -> int:
    async with platform.reading() as session:
        return await session.scalar(select(GameMode.id).where(GameMode.code == "doubles"))


async def _game_ids(platform: Runtime, match_id: int) -> list[int]:
    async with platform.reading() as session:
        rows = await session.scalars(
            select(MatchGame.id).where(MatchGame.match_id == match_id).order_by(MatchGame.number)
        )
        return list(rows)
