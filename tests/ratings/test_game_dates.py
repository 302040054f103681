"""A rating history point carries the game's own time, from its replay, not the start of the
match's window. Accepting a submission stores each game's date; a game without one (a result
entered by hand) is dated by the match's start."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from sprocket.flows import ratings as rating_flow
from sprocket.ratings import service as ratings
from sprocket.ratings.models import RatingPoint
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Match, MatchGame
from tests.ratings.support import HOME_WINS_3_1, accept_series, points_table


async def _points(platform, match_id: int) -> tuple[Match, list[MatchGame], list[tuple]]:
    async with platform.reading() as s:
        match = await s.get(Match, match_id)
        games = (
            await s.scalars(
                select(MatchGame).where(MatchGame.match_id == match_id).order_by(MatchGame.number)
            )
        ).all()
        points = (
            await s.execute(
                select(RatingPoint.source_game_id, RatingPoint.played_at).where(
                    RatingPoint.source_game_id.in_([g.id for g in games])
                )
            )
        ).all()
    return match, list(games), [tuple(p) for p in points]


async def _recompute(platform, world) -> None:
    async with platform.unit_of_work() as s:
        mode = await ratings.game_mode_id(s, "doubles")
        await rating_flow.recompute(s, organization_id=world.organization_id, game_mode_id=mode)


async def test_rating_points_carry_each_games_replay_date(platform, world) -> None:
    match_id, line, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    # tests.replays.series dates game n at the window's start + 2 h + 10 n minutes.
    dates = [line.starts_at + dt.timedelta(hours=2, minutes=10 * n) for n in range(1, 5)]

    match, games, points = await _points(platform, match_id)

    assert [g.played_at for g in games] == dates
    assert match.starts_at not in dates
    by_game = {g.id: g.played_at for g in games}
    assert len(points) == 16 and all(at == by_game[game] for game, at in points)
    # The rebuilt history dates its points the same way.
    before = await points_table(platform)
    await _recompute(platform, world)
    assert await points_table(platform) == before


async def test_a_game_without_a_date_is_dated_by_the_match_start(platform, world) -> None:
    match_id, _, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    async with platform.unit_of_work() as s:
        await s.execute(
            update(MatchGame).where(MatchGame.match_id == match_id).values(played_at=None)
        )
    await _recompute(platform, world)

    match, _, points = await _points(platform, match_id)

    assert len(points) == 16 and {at for _, at in points} == {match.starts_at}


async def test_a_result_by_hand_records_no_game_date(platform, world) -> None:
    match_id = world.match_ids[0]
    async with platform.unit_of_work() as s:
        await schedule.record_result(
            s, actor=world.actors["league_staff"], match_id=match_id, games=[(1, 0)] * 3
        )
    _, games, _ = await _points(platform, match_id)
    assert [g.played_at for g in games] == [None, None, None]
