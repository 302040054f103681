"""Ratings from accepted results on a real database: incremental updates, idempotency,
recompute equal to the increments, invalidation taken back, win probability, the demo."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sprocket.demo import build_demo
from sprocket.errors import InvalidInput, NotFound
from sprocket.flows import ratings as rating_flow
from sprocket.league import service as league
from sprocket.league.models import GameMode, League, Player
from sprocket.ratings import service as ratings
from sprocket.ratings import skill
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.ratings.skill import GameRecord
from sprocket.replays import service as replays
from sprocket.schedule.models import MatchGame
from sprocket.stats.models import PlayerGameStat
from tests.helpers.database import snapshot
from tests.ratings.support import (
    AWAY_SWEEP,
    HOME_WINS_3_1,
    accept_series,
    points_table,
    ratings_table,
    submission,
)


async def _mode(platform, code: str = "doubles") -> int:
    async with platform.reading() as session:
        return await session.scalar(select(GameMode.id).where(GameMode.code == code))


async def _game_ids(platform, match_id: int) -> list[int]:
    async with platform.reading() as session:
        rows = await session.scalars(
            select(MatchGame.id).where(MatchGame.match_id == match_id).order_by(MatchGame.number)
        )
        return list(rows)


async def test_an_accepted_series_rates_every_player_once_per_game(platform, world) -> None:
    match_id, line, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    mode = await _mode(platform)
    games = await _game_ids(platform, match_id)

    table = await ratings_table(platform)
    points = await points_table(platform)

    home = [m for m, _, _ in line.home]
    away = [m for m, _, _ in line.away]
    assert set(table) == {(m, mode) for m in home + away}
    assert len(points) == 4 * len(HOME_WINS_3_1)  # one per player per game
    assert {(p[1], p[4]) for p in points} == {(m, g) for m in home + away for g in games}
    assert {p[3] for p in points} == {"match"}
    for member in home:
        org, mu, sigma, displayed, played, wins = table[(member, mode)]
        assert org == world.organization_id
        assert (played, wins) == (4, 3)
        assert mu > skill.MODEL.mu and sigma < skill.MODEL.sigma
        assert displayed == skill.display_rating(mu, sigma)
    for member in away:
        _, mu, _, _, played, wins = table[(member, mode)]
        assert (played, wins) == (4, 1)
        assert mu < skill.MODEL.mu
    # The winners of the series end above the losers.
    assert min(table[(m, mode)][1] for m in home) > max(table[(m, mode)][1] for m in away)
    # Each player's history is a chain: a game starts from the previous game's rating.
    for member in home + away:
        chain = [p for p in points if p[1] == member]
        assert [p[4] for p in chain] == games
        assert (chain[0][7], chain[0][8]) == (skill.MODEL.mu, skill.MODEL.sigma)
        for before, after in zip(chain, chain[1:], strict=False):
            assert (after[7], after[8]) == (before[9], before[10])
        assert (chain[-1][9], chain[-1][10]) == table[(member, mode)][1:3]
        won = [p[6] for p in chain]
        assert won == [(h > a) == (member in home) for h, a in HOME_WINS_3_1]

    # The result is exactly the pure model's replay of the four games.
    expected = skill.recompute(
        GameRecord(g, tuple(home), tuple(away), h > a)
        for g, (h, a) in zip(games, HOME_WINS_3_1, strict=True)
    )
    assert {m: (s.mu, s.sigma, s.games) for m, s in expected.items()} == {
        m: (v[1], v[2], v[4]) for (m, _), v in table.items()
    }


async def test_rating_a_match_twice_changes_nothing(platform, world) -> None:
    match_id, _, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    before = await snapshot(platform)

    async with platform.unit_of_work() as session:
        assert await ratings.rate_match_games(session, match_id=match_id) == []

    assert await snapshot(platform) == before


async def test_recompute_gives_exactly_the_incremental_ratings(platform, world) -> None:
    # Six series among four teams, in an order where players meet again after other games.
    for home, away, games in (
        (0, 1, HOME_WINS_3_1),
        (2, 3, AWAY_SWEEP),
        (0, 2, AWAY_SWEEP),
        (1, 3, HOME_WINS_3_1),
        (3, 0, HOME_WINS_3_1),
        (1, 2, ((3, 2), (3, 1), (0, 2), (2, 1))),
    ):
        await accept_series(platform, world, home, away, games)
    incremental_ratings = await ratings_table(platform)
    incremental_points = await points_table(platform)
    assert len(incremental_ratings) == 8
    assert len(incremental_points) == 4 * (4 + 3 + 3 + 4 + 4 + 4)

    async with platform.unit_of_work() as session:
        done = await rating_flow.recompute(
            session, organization_id=world.organization_id, game_mode_id=await _mode(platform)
        )

    assert (done.games, done.players, done.points) == (22, 8, 88)
    # Exact float equality: the same games in the same order through the same model.
    assert await ratings_table(platform) == incremental_ratings
    assert await points_table(platform) == incremental_points


async def test_an_invalidated_result_is_taken_back(platform, world) -> None:
    first, first_line, first_submission = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    second, second_line, _ = await accept_series(platform, world, 0, 2, AWAY_SWEEP)
    third, third_line, _ = await accept_series(platform, world, 2, 3, HOME_WINS_3_1)
    mode = await _mode(platform)
    first_games = await _game_ids(platform, first)
    team_two = [m for m, _, _ in first_line.away]  # played only the invalidated series

    async with platform.unit_of_work() as session:
        await replays.invalidate(
            session,
            actor=world.actors["league_staff"],
            submission_id=first_submission,
            reason="wrong replays",
        )

    assert (await submission(platform, first_submission)).status == "rejected"
    table = await ratings_table(platform)
    points = await points_table(platform)
    assert not [p for p in points if p[4] in first_games]
    assert not [m for m in team_two if (m, mode) in table]
    # What is left is the replay of the two remaining series, as if the first never happened.
    remaining = []
    for match_id, line, games in (
        (second, second_line, AWAY_SWEEP),
        (third, third_line, HOME_WINS_3_1),
    ):
        ids = await _game_ids(platform, match_id)
        home = tuple(m for m, _, _ in line.home)
        away = tuple(m for m, _, _ in line.away)
        remaining += [
            GameRecord(g, home, away, h > a) for g, (h, a) in zip(ids, games, strict=True)
        ]
    expected = skill.recompute(remaining)
    assert {m: (s.mu, s.sigma, s.games) for m, s in expected.items()} == {
        m: (v[1], v[2], v[4]) for (m, _), v in table.items()
    }
    assert len(points) == 4 * (3 + 4)


async def test_lines_without_a_player_are_not_rated(platform, world) -> None:
    """An accepted series where one player's line belongs to no player (as when a stat line's
    player was deleted): the others are rated, that one is skipped."""
    match_id, line, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    games = await _game_ids(platform, match_id)
    missing = line.away[1][0]
    async with platform.unit_of_work() as session:
        player = await session.scalar(
            select(Player.id).where(
                Player.member_id == missing, Player.league_id == world.league_id
            )
        )
        for stat in await session.scalars(
            select(PlayerGameStat).where(PlayerGameStat.player_id == player)
        ):
            stat.player_id = None
        done = await rating_flow.recompute(
            session, organization_id=world.organization_id, game_mode_id=await _mode(platform)
        )
    assert (done.games, done.players, done.points) == (len(games), 3, 3 * len(games))
    assert missing not in {m for m, _ in await ratings_table(platform)}


async def test_win_probability(platform, world) -> None:
    _, line, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    mode = await _mode(platform)
    home = [m for m, _, _ in line.home]
    away = [m for m, _, _ in line.away]
    async with platform.reading() as session:
        favourite = await ratings.win_probability_for(
            session, home_member_ids=home, away_member_ids=away, game_mode_id=mode
        )
        underdog = await ratings.win_probability_for(
            session, home_member_ids=away, away_member_ids=home, game_mode_id=mode
        )
        rows = await ratings.ratings_of(session, member_ids=home + away, game_mode_id=mode)
        mixed = await ratings.win_probability_for(
            session,
            home_member_ids=[home[0], away[0]],
            away_member_ids=[home[1], away[1]],
            game_mode_id=mode,
        )
        # Unrated players are new players: two new line-ups are a coin flip.
        other_mode = await _mode(platform, "standard")
        fresh = await ratings.win_probability_for(
            session, home_member_ids=home, away_member_ids=away, game_mode_id=other_mode
        )

        for home_ids, away_ids, error, code in (
            ([], away, InvalidInput, "EMPTY_LINEUP"),
            (home, [home[0]], InvalidInput, "PLAYER_TWICE_IN_GAME"),
            ([home[0], home[0]], away, InvalidInput, "PLAYER_TWICE_IN_GAME"),
            (home, [999_999], NotFound, "UNKNOWN_MEMBER"),
        ):
            with pytest.raises(error) as raised:
                await ratings.win_probability_for(
                    session, home_member_ids=home_ids, away_member_ids=away_ids, game_mode_id=mode
                )
            assert raised.value.code == code
        with pytest.raises(NotFound):
            await ratings.win_probability_for(
                session,
                home_member_ids=home,
                away_member_ids=away,
                game_mode_id=mode,
                organization_id=world.organization_id + 1,
            )
        with pytest.raises(InvalidInput) as raised:
            await ratings.game_mode_id(session, "hoops-9v9")
        assert raised.value.code == "UNKNOWN_GAME_MODE"

    assert favourite > 0.5 and underdog < 0.5
    assert favourite + underdog == pytest.approx(1.0, abs=1e-12)
    skills = {m: skill.Skill(r.mu, r.sigma, r.games) for m, r in rows.items()}
    assert favourite == skill.win_probability([skills[m] for m in home], [skills[m] for m in away])
    assert 0 < mixed < 1
    assert fresh == pytest.approx(0.5, abs=1e-12)


async def test_the_settings_have_typed_defaults(platform, world) -> None:
    async with platform.reading() as session:
        config = await league.organization_config(session, world.organization_id)
        assert config["rating_provisional_games"] == 10
        assert config["ratings_from_competitive_scrims"] is True
        assert await ratings.provisional_thresholds(session, [world.organization_id]) == {
            world.organization_id: 10
        }
    async with platform.unit_of_work() as session:
        await league.set_organization_setting(
            session,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            key="rating_provisional_games",
            value=3,
        )
    async with platform.reading() as session:
        assert await ratings.provisional_thresholds(session, [world.organization_id]) == {
            world.organization_id: 3
        }
    with pytest.raises(InvalidInput):
        async with platform.unit_of_work() as session:
            await league.set_organization_setting(
                session,
                actor=world.actors["organization_admin"],
                organization_id=world.organization_id,
                key="rating_provisional_games",
                value=-1,
            )


async def test_the_demo_rates_every_player_with_history(platform) -> None:
    async with platform.unit_of_work() as session:
        result = await build_demo(session)
    assert result.played > 0
    async with platform.reading() as session:
        played = set(
            await session.execute(
                select(Player.member_id, League.game_mode_id)
                .join(PlayerGameStat, PlayerGameStat.player_id == Player.id)
                .join(League, League.id == Player.league_id)
                .distinct()
            )
        )
        rated = set(await session.execute(select(Rating.member_id, Rating.game_mode_id)))
        point_counts = dict(
            (
                await session.execute(
                    select(RatingPoint.member_id, func.count()).group_by(RatingPoint.member_id)
                )
            ).all()
        )
        games = dict((await session.execute(select(Rating.member_id, Rating.games))).all())
    assert len(played) > 100
    assert rated == played
    assert point_counts == games
    before = await ratings_table(platform)
    async with platform.unit_of_work() as session:
        for org, mode in await ratings.rated_scopes(session):
            await rating_flow.recompute(session, organization_id=org, game_mode_id=mode)
    assert await ratings_table(platform) == before
    # Building it again adds nothing.
    async with platform.unit_of_work() as session:
        assert not (await build_demo(session)).created
    assert await ratings_table(platform) == before
