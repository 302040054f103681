from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sprocket.errors import InvalidInput
from sprocket.ratings.skill import (
    MODEL,
    GameRecord,
    Skill,
    display_rating,
    history,
    new_skill,
    rate_game,
    recompute,
    replay,
    win_probability,
)

# --- skill and its display ---------------------------------------------------------------


def test_a_new_player_shows_1000_and_is_provisional() -> None:
    skill = new_skill()
    assert (skill.mu, skill.sigma, skill.games) == (MODEL.mu, MODEL.sigma, 0)
    assert skill.ordinal == pytest.approx(0.0)
    assert skill.displayed == 1000
    assert skill.provisional(10)
    assert not Skill(25.0, 3.0, games=10).provisional(10)
    assert not new_skill().provisional(0)


def test_display_is_twenty_points_per_ordinal_point_and_never_negative() -> None:
    assert Skill(30.0, 1.0).displayed == 1000 + 20 * 27
    assert display_rating(25.0, 2.0) == 1000 + 20 * 19
    assert Skill(18.0, 3.0).displayed == 1000 + 20 * 9
    assert Skill(-100.0, 1.0).displayed == 0


def test_ordinal_is_openskills() -> None:
    skill = Skill(31.5, 2.25, games=40)
    assert skill.ordinal == MODEL.rating(skill.mu, skill.sigma).ordinal()


@pytest.mark.parametrize(
    ("mu", "sigma", "games"),
    [(25.0, 0.0, 0), (25.0, -1.0, 0), (float("nan"), 1.0, 0), (25.0, float("inf"), 0), (25, 1, -1)],
)
def test_an_impossible_skill_is_refused(mu: float, sigma: float, games: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        Skill(mu, sigma, games)
    assert caught.value.code == "INVALID_SKILL"


# --- one game ------------------------------------------------------------------------------


def test_winners_rise_losers_fall_and_everyone_is_more_certain() -> None:
    home = [new_skill(), Skill(30.0, 4.0, games=7), Skill(20.0, 2.0, games=50)]
    away = [new_skill(), new_skill(), Skill(27.0, 5.0, games=3)]
    new_home, new_away = rate_game(home, away, home_won=True)
    assert [s.games for s in new_home] == [1, 8, 51]
    assert [s.games for s in new_away] == [1, 1, 4]
    assert all(n.mu > o.mu for n, o in zip(new_home, home, strict=True))
    assert all(n.mu < o.mu for n, o in zip(new_away, away, strict=True))
    assert new_home[0].sigma < home[0].sigma


def test_rate_game_is_openskills_plackett_luce_update() -> None:
    home = [Skill(28.0, 5.0, 3), Skill(22.0, 7.0, 1)]
    away = [Skill(25.0, 3.0, 9), Skill(26.0, 4.0, 2)]
    new_home, new_away = rate_game(home, away, home_won=False)
    expected = MODEL.rate(
        [[MODEL.rating(s.mu, s.sigma) for s in home], [MODEL.rating(s.mu, s.sigma) for s in away]],
        ranks=[1, 0],
    )
    assert [(s.mu, s.sigma) for s in new_home] == [(r.mu, r.sigma) for r in expected[0]]
    assert [(s.mu, s.sigma) for s in new_away] == [(r.mu, r.sigma) for r in expected[1]]


def test_sides_are_symmetric() -> None:
    home = [Skill(28.0, 5.0, 3), Skill(22.0, 7.0, 1)]
    away = [Skill(25.0, 3.0, 9), Skill(26.0, 4.0, 2)]
    new_home, new_away = rate_game(home, away, home_won=True)
    swapped_away, swapped_home = rate_game(away, home, home_won=False)
    assert [s.mu for s in new_home] == pytest.approx([s.mu for s in swapped_home], abs=1e-12)
    assert [s.mu for s in new_away] == pytest.approx([s.mu for s in swapped_away], abs=1e-12)


def test_win_probability() -> None:
    even = [new_skill()] * 3
    assert win_probability(even, even) == pytest.approx(0.5)
    strong = [Skill(32.0, 2.0)] * 3
    weak = [Skill(20.0, 2.0)] * 3
    p = win_probability(strong, weak)
    assert p > 0.9
    assert win_probability(weak, strong) == pytest.approx(1 - p)
    assert 0.5 < win_probability([Skill(26.0, 2.0)], [Skill(25.0, 2.0)]) < 0.6


def test_an_empty_side_is_refused() -> None:
    for call in (
        lambda: rate_game([], [new_skill()], home_won=True),
        lambda: win_probability([new_skill()], []),
        lambda: GameRecord(1, (), ("a",), True),
    ):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert caught.value.code == "EMPTY_LINEUP"


def test_a_player_on_both_sides_or_a_replayed_game_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        GameRecord(1, ("a", "b"), ("b", "c"), True)
    assert caught.value.code == "PLAYER_TWICE_IN_GAME"
    with pytest.raises(InvalidInput) as caught:
        GameRecord(1, ("a", "a"), ("c",), True)
    assert caught.value.code == "PLAYER_TWICE_IN_GAME"
    game = GameRecord(7, ("a",), ("b",), True)
    with pytest.raises(InvalidInput) as caught:
        recompute([game, GameRecord(8, ("a",), ("c",), False), game])
    assert caught.value.code == "DUPLICATE_GAME"


def test_history_of_a_small_season() -> None:
    games = [
        GameRecord("g1", ("a", "b"), ("c", "d"), True),
        GameRecord("g2", ("a", "c"), ("b", "e"), False),
    ]
    points = history(games)
    assert [(p.game_id, p.player, p.won) for p in points] == [
        ("g1", "a", True),
        ("g1", "b", True),
        ("g1", "c", False),
        ("g1", "d", False),
        ("g2", "a", False),
        ("g2", "c", False),
        ("g2", "b", True),
        ("g2", "e", True),
    ]
    assert points[0].before == new_skill()
    assert points[4].before == points[0].after
    assert points[4].after.games == 2
    assert points[7].before == new_skill()


# --- recompute == incremental, for any history -----------------------------------------------

PLAYERS = [f"p{i}" for i in range(8)]


@st.composite
def seasons(draw: st.DrawFn) -> list[GameRecord[str]]:
    n_games = draw(st.integers(0, 25))
    games = []
    for game_id in range(n_games):
        size = draw(st.integers(1, 3))
        picked = draw(st.permutations(PLAYERS))[: 2 * size]
        games.append(
            GameRecord(game_id, tuple(picked[:size]), tuple(picked[size:]), draw(st.booleans()))
        )
    return games


def incremental(games: list[GameRecord[str]]) -> tuple[dict[str, Skill], list[dict[str, Skill]]]:
    """The ratings after calling rate_game game by game, and a snapshot after each game."""
    skills: dict[str, Skill] = {}
    snapshots = []
    for game in games:
        home = [skills.get(k, new_skill()) for k in game.home]
        away = [skills.get(k, new_skill()) for k in game.away]
        new_home, new_away = rate_game(home, away, home_won=game.home_won)
        skills.update(zip(game.home, new_home, strict=True))
        skills.update(zip(game.away, new_away, strict=True))
        snapshots.append(dict(skills))
    return skills, snapshots


@settings(max_examples=60, deadline=None)
@given(games=seasons())
def test_recompute_gives_exactly_the_incremental_ratings(games: list[GameRecord[str]]) -> None:
    final, _ = incremental(games)
    assert recompute(games) == final  # float-equal mu and sigma, equal game counts
    assert recompute(iter(games)) == final


@settings(max_examples=60, deadline=None)
@given(games=seasons())
def test_history_has_one_point_per_player_per_game(games: list[GameRecord[str]]) -> None:
    final, snapshots = incremental(games)
    result = replay(games)
    assert result.ratings == final
    points = iter(result.history)
    last: dict[str, Skill] = {}
    for game, snapshot in zip(games, snapshots, strict=True):
        for key in game.home + game.away:
            point = next(points)
            assert (point.game_id, point.player) == (game.game_id, key)
            assert point.won == (game.home_won == (key in game.home))
            assert point.before == last.get(key, new_skill())
            assert point.after == snapshot[key]
            last[key] = point.after
    assert next(points, None) is None


@settings(max_examples=30, deadline=None)
@given(games=seasons(), data=st.data())
def test_taking_back_a_game_is_a_recompute_without_it(
    games: list[GameRecord[str]], data: st.DataObject
) -> None:
    if not games:
        return
    dropped = data.draw(st.sampled_from(games))
    kept = [g for g in games if g is not dropped]
    assert recompute(kept) == incremental(kept)[0]
