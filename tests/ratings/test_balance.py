from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sprocket.errors import InvalidInput
from sprocket.ratings.balance import (
    DEFAULT_WINDOW_LOBBIES,
    Entrant,
    form_lobbies,
    split_teams,
)
from sprocket.ratings.skill import Skill, win_probability


def entrant(key: str, mu: float, sigma: float = 2.0, wait: float = 0.0) -> Entrant[str]:
    return Entrant(key, Skill(mu, sigma), wait)


def keys(players: Sequence[Entrant[str]]) -> set[str]:
    return {p.key for p in players}


def brute_force(
    players: Sequence[Entrant[str]], team_size: int, groups: Sequence[frozenset[str]]
) -> list[float]:
    """|P - 1/2| of every split keeping the groups together, straight from openskill."""
    imbalances = []
    for home_index in combinations(range(len(players)), team_size):
        home = [players[i] for i in home_index]
        away = [p for i, p in enumerate(players) if i not in home_index]
        home_keys = keys(home)
        if all(g <= home_keys or not (g & home_keys) for g in groups):
            p = win_probability([e.skill for e in home], [e.skill for e in away])
            imbalances.append(abs(p - 0.5))
    return imbalances


# --- split_teams -------------------------------------------------------------------------


def test_a_known_split() -> None:
    players = [entrant(k, mu) for k, mu in zip("abcdef", [10, 20, 30, 40, 50, 60], strict=True)]
    split = split_teams(players, team_size=3)
    home_mu = sum(p.skill.mu for p in split.home)
    assert abs(home_mu - (210 - home_mu)) == 10  # 105 is unreachable with multiples of ten
    assert split.home[0].key == "a"
    assert split.imbalance == pytest.approx(min(brute_force(players, 3, [])), abs=1e-12)


def test_a_premade_pair_of_the_two_strongest_plays_together() -> None:
    players = [entrant(k, mu) for k, mu in zip("abcdef", [10, 20, 30, 40, 50, 60], strict=True)]
    split = split_teams(players, team_size=3, groups=[frozenset({"e", "f"})])
    team = split.home if "e" in keys(split.home) else split.away
    assert {"e", "f"} <= keys(team)
    assert keys(team) == {"a", "e", "f"}  # 120 vs 90: the closest that keeps them together


def test_equal_players_make_an_even_game() -> None:
    players = [entrant(str(i), 25.0) for i in range(8)]
    split = split_teams(players, team_size=4)
    assert split.home_win_probability == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("players", "team_size", "groups", "code"),
    [
        ([entrant(str(i), 25) for i in range(5)], 3, [], "WRONG_PLAYER_COUNT"),
        ([entrant(str(i), 25) for i in range(7)], 3, [], "WRONG_PLAYER_COUNT"),
        ([entrant("a", 25)] * 2, 1, [], "PLAYER_TWICE"),
        ([], 0, [], "INVALID_TEAM_SIZE"),
        ([entrant(str(i), 25) for i in range(18)], 9, [], "INVALID_TEAM_SIZE"),
        ([entrant(str(i), 25) for i in range(6)], 3, [frozenset("0123")], "GROUP_TOO_LARGE"),
        (
            [entrant(str(i), 25) for i in range(6)],
            3,
            [frozenset("01"), frozenset("23"), frozenset("45")],
            "GROUPS_UNPLACEABLE",
        ),
        ([entrant(str(i), 25) for i in range(4)], 2, [frozenset("0x")], "UNKNOWN_GROUP_MEMBER"),
        (
            [entrant(str(i), 25) for i in range(4)],
            2,
            [frozenset("01"), frozenset("12")],
            "PLAYER_IN_TWO_GROUPS",
        ),
    ],
)
def test_bad_splits_are_refused(
    players: list[Entrant[str]], team_size: int, groups: list[frozenset[str]], code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        split_teams(players, team_size=team_size, groups=groups)
    assert caught.value.code == code
    assert caught.value.message


skills = st.builds(
    Skill,
    mu=st.floats(5.0, 45.0, allow_nan=False),
    sigma=st.floats(0.5, 8.5, allow_nan=False),
    games=st.integers(0, 100),
)


@st.composite
def lineups(draw: st.DrawFn) -> tuple[list[Entrant[str]], int, list[frozenset[str]]]:
    team_size = draw(st.integers(1, 4))
    players = [Entrant(f"p{i}", draw(skills)) for i in range(2 * team_size)]
    order = draw(st.permutations([p.key for p in players]))
    groups: list[frozenset[str]] = []
    start = 0
    while start < len(order):
        size = draw(st.integers(1, team_size))
        groups.append(frozenset(order[start : start + size]))
        start += size
    groups = [g for g in groups if len(g) > 1 or draw(st.booleans())]  # some solo "groups"
    return players, team_size, groups


@settings(max_examples=150, deadline=None)
@given(lineup=lineups())
def test_split_teams_properties(
    lineup: tuple[list[Entrant[str]], int, list[frozenset[str]]],
) -> None:
    players, team_size, groups = lineup
    feasible = brute_force(players, team_size, groups)
    if not feasible:
        with pytest.raises(InvalidInput) as caught:
            split_teams(players, team_size=team_size, groups=groups)
        assert caught.value.code == "GROUPS_UNPLACEABLE"
        return
    split = split_teams(players, team_size=team_size, groups=groups)
    # every player placed exactly once, team sizes right
    assert len(split.home) == len(split.away) == team_size
    assert sorted(p.key for p in split.home + split.away) == sorted(p.key for p in players)
    # premade groups intact
    for group in groups:
        assert group <= keys(split.home) or group <= keys(split.away)
    # the reported probability is openskill's, and no other split is better balanced
    home_skills = [p.skill for p in split.home]
    away_skills = [p.skill for p in split.away]
    assert split.home_win_probability == pytest.approx(
        win_probability(home_skills, away_skills), abs=1e-12
    )
    assert split.imbalance <= min(feasible) + 1e-12


# --- form_lobbies ----------------------------------------------------------------------------


def test_lobbies_keep_skill_clusters_apart() -> None:
    # strong and weak players join alternately; each lobby must come from one cluster
    queue = [entrant(f"p{i}", 40.0 + i % 4 if i % 2 else 10.0 + i % 4, wait=i) for i in range(24)]
    lobbies = form_lobbies(queue, team_size=2, window=11)
    assert len(lobbies) == 6
    for lobby in lobbies:
        mus = [p.skill.mu for p in lobby.players]
        assert max(mus) - min(mus) < 5
    assert lobbies[0].anchor.key == "p0"


def test_a_short_queue_forms_no_lobby_and_leftovers_wait() -> None:
    queue = [entrant(f"p{i}", 25.0, wait=i) for i in range(8)]
    assert form_lobbies(queue[:5], team_size=3) == []
    lobbies = form_lobbies(queue, team_size=3)
    assert len(lobbies) == 1
    assert len(lobbies[0].players) == 6


def test_bad_queues_are_refused() -> None:
    queue = [entrant(f"p{i}", 25.0) for i in range(6)]
    for call, code in (
        (lambda: form_lobbies(queue + queue[:1], team_size=3), "PLAYER_TWICE"),
        (lambda: form_lobbies(queue, team_size=3, window=4), "INVALID_WINDOW"),
        (lambda: form_lobbies(queue, team_size=0), "INVALID_TEAM_SIZE"),
    ):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert caught.value.code == code


@st.composite
def queues(draw: st.DrawFn) -> tuple[list[Entrant[str]], int, int | None]:
    team_size = draw(st.integers(1, 3))
    n = draw(st.integers(0, 40))
    waits = st.integers(0, 20).map(float)  # few distinct values: ties happen
    queue = [Entrant(f"p{i}", draw(skills), draw(waits)) for i in range(n)]
    window = draw(st.none() | st.integers(2 * team_size - 1, 20))
    return queue, team_size, window


@settings(max_examples=100, deadline=None)
@given(case=queues())
def test_form_lobbies_properties(case: tuple[list[Entrant[str]], int, int | None]) -> None:
    queue, team_size, window = case
    lobby_size = 2 * team_size
    lobbies = form_lobbies(queue, team_size=team_size, window=window)
    window = DEFAULT_WINDOW_LOBBIES * lobby_size if window is None else window

    # as many lobbies as the queue fills, each player at most once, teams of the right size
    assert len(lobbies) == len(queue) // lobby_size
    placed = [p.key for lobby in lobbies for p in lobby.players]
    assert len(placed) == len(set(placed))
    for lobby in lobbies:
        assert len(lobby.split.home) == len(lobby.split.away) == team_size
        # the lobby's split is the balancer's exact optimum for its players
        members = sorted(lobby.players, key=lambda p: (p.wait_since, queue.index(p)))
        assert lobby.split == split_teams(members, team_size=team_size)

    # the longest-waiting player (earliest join, then queue order) is in the first lobby
    if lobbies:
        longest = min(range(len(queue)), key=lambda i: (queue[i].wait_since, i))
        assert queue[longest] in lobbies[0].players

    # the policy, replayed: each lobby is anchored on the longest waiter still queued, and no
    # player of the anchor's window left out is closer in skill to the anchor than one taken
    waiting = sorted(queue, key=lambda p: (p.wait_since, queue.index(p)))
    for lobby in lobbies:
        anchor = waiting[0]
        assert lobby.anchor == anchor
        candidates = waiting[1 : window + 1]
        taken = [p for p in lobby.players if p != anchor]
        assert all(p in candidates for p in taken)
        left_out = [p for p in candidates if p not in taken]
        if left_out:
            farthest_taken = max(abs(p.skill.mu - anchor.skill.mu) for p in taken)
            nearest_left = min(abs(p.skill.mu - anchor.skill.mu) for p in left_out)
            assert farthest_taken <= nearest_left
        waiting = [p for p in waiting if p not in lobby.players]
    assert len(waiting) < lobby_size
