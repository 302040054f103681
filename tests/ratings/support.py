"""Accepted series for the ratings tests, through the real submission flow, and reads of the
ratings tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from sprocket.flows import match_results
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.replays import service as replays
from sprocket.replays.models import Submission
from sprocket.runtime import Runtime
from tests.api.test_replay_api import drain, linked_lineup, new_match
from tests.league_world import World
from tests.replays.series import Lineup, actor_of, game

HOME_WINS_3_1 = ((2, 1), (0, 3), (4, 2), (1, 0))
AWAY_SWEEP = ((0, 1), (1, 2), (2, 3))


async def submit_series(
    platform: Runtime, world: World, home: int, away: int, games: Sequence[tuple[int, int]]
) -> tuple[int, Lineup, int]:
    """A fresh match of ``world.team_ids[home]`` against ``[away]``; a home player submits the
    games (home goals, away goals) and the job validates them: it awaits ratification.
    Returns (match id, line-up, submission id)."""
    match_id = await new_match(platform, world, home, away)
    line = await linked_lineup(platform, match_id)
    uploads = [game(line, n, home_goals=h, away_goals=a) for n, (h, a) in enumerate(games, 1)]
    async with platform.unit_of_work() as session:
        submission = await match_results.submit_match_replays(
            session,
            actor=await actor_of(platform, line.home[0][0]),
            storage=platform.storage,
            match_id=match_id,
            files=uploads,
            max_size=20 * 1024 * 1024,
        )
    await drain(platform)
    return match_id, line, submission.id


async def accept_series(
    platform: Runtime, world: World, home: int, away: int, games: Sequence[tuple[int, int]]
) -> tuple[int, Lineup, int]:
    """:func:`submit_series`, then an away player ratifies it."""
    match_id, line, submission_id = await submit_series(platform, world, home, away, games)
    async with platform.unit_of_work() as session:
        done = await replays.ratify(
            session, actor=await actor_of(platform, line.away[0][0]), submission_id=submission_id
        )
        assert done.status == "accepted", done.report
    return match_id, line, submission_id


async def ratings_table(platform: Runtime) -> dict[tuple[int, int], tuple[Any, ...]]:
    """Every rating by (member, game mode): the values, without row ids and times."""
    async with platform.reading() as session:
        rows = (await session.scalars(select(Rating))).all()
    return {
        (r.member_id, r.game_mode_id): (
            r.organization_id,
            r.mu,
            r.sigma,
            r.displayed,
            r.games,
            r.wins,
        )
        for r in rows
    }


async def points_table(platform: Runtime) -> list[tuple[Any, ...]]:
    """Every rating point, in history order (row id), without the row id."""
    async with platform.reading() as session:
        rows = (await session.scalars(select(RatingPoint).order_by(RatingPoint.id))).all()
    return [
        (
            p.organization_id,
            p.member_id,
            p.game_mode_id,
            p.source,
            p.source_game_id,
            p.played_at,
            p.won,
            p.mu_before,
            p.sigma_before,
            p.mu_after,
            p.sigma_after,
            p.displayed_after,
        )
        for p in rows
    ]


async def submission(platform: Runtime, submission_id: int) -> Submission:
    async with platform.reading() as session:
        return await session.get(Submission, submission_id)
