"""Line-ups of a scrim's games: pure functions over plain data (no session, no I/O).

Fixed teams play every game with the balancer's best split (:func:`split_teams`). Round
robin plays a *different* balanced split each game: game 1 is the best split, game 2 the
next best that differs from every earlier one, and so on (ranked by the predicted win
probability's distance from one half, premade groups always kept together). When the
players allow fewer distinct splits than games (1v1 has exactly one), the splits repeat in
the same order.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from typing import TypeVar

from sprocket.ratings.balance import Entrant, Split, split_teams
from sprocket.ratings.skill import win_probability

K = TypeVar("K", bound=Hashable)


def _units(players: Sequence[Entrant[K]], groups: Sequence[frozenset[K]]) -> list[list[int]]:
    group_of = {key: g for g, group in enumerate(groups) for key in group}
    units: list[list[int]] = []
    by_group: dict[int, list[int]] = {}
    for i, player in enumerate(players):
        g = group_of.get(player.key)
        if g is None:
            units.append([i])
        elif g in by_group:
            by_group[g].append(i)
        else:
            by_group[g] = [i]
            units.append(by_group[g])
    return units


def ranked_splits(
    players: Sequence[Entrant[K]], *, team_size: int, groups: Sequence[frozenset[K]] = ()
) -> list[Split[K]]:
    """Every split that keeps the groups together, most balanced first (mirrors counted
    once; the first is :func:`~sprocket.ratings.balance.split_teams`'). Raises what
    ``split_teams`` raises (INVALID_TEAM_SIZE, WRONG_PLAYER_COUNT, PLAYER_TWICE,
    GROUP_TOO_LARGE, GROUPS_UNPLACEABLE...)."""
    best = split_teams(players, team_size=team_size, groups=groups)  # validates the input
    units = _units(players, groups)
    sizes = [len(u) for u in units]
    found: list[tuple[float, int, Split[K]]] = []
    rest = range(1, len(units))
    order = 0
    for r in range(len(units)):
        for chosen in itertools.combinations(rest, r):
            home_units = (0, *chosen)
            if sum(sizes[u] for u in home_units) != team_size:
                continue
            home_index = sorted(i for u in home_units for i in units[u])
            in_home = set(home_index)
            home = tuple(players[i] for i in home_index)
            away = tuple(p for i, p in enumerate(players) if i not in in_home)
            p = win_probability([e.skill for e in home], [e.skill for e in away])
            found.append((abs(p - 0.5), order, Split(home, away, p)))
            order += 1
    found.sort(key=lambda item: (item[0], item[1]))
    ranked = [best]
    seen = {frozenset(e.key for e in best.home)}
    for _, _, split in found:
        key = frozenset(e.key for e in split.home)
        if key not in seen:
            seen.add(key)
            ranked.append(split)
    return ranked


def game_lineups(
    players: Sequence[Entrant[K]],
    *,
    team_size: int,
    games: int,
    round_robin: bool,
    groups: Sequence[frozenset[K]] = (),
) -> list[Split[K]]:
    """One split per game, game 1 first: the best split every game (fixed), or the ranked
    splits in turn (round robin). Raises what
    :func:`~sprocket.ratings.balance.split_teams` raises."""
    if not round_robin:
        return [split_teams(players, team_size=team_size, groups=groups)] * games
    ranked = ranked_splits(players, team_size=team_size, groups=groups)
    return [ranked[n % len(ranked)] for n in range(games)]
