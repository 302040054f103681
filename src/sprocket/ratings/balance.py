"""Skill-balanced teams and lobbies: pure functions over plain data (no session, no I/O).

Balance objective
-----------------
For two teams, openskill's ``PlackettLuce.predict_win`` is the closed form

    P(home wins) = Phi((M_home - M_away) / sqrt(2 beta^2 + S_home + S_away))

where ``M`` is the sum of a team's mu, ``S`` the sum of its sigma^2 and ``Phi`` the standard
normal CDF. For a fixed set of players ``S_home + S_away`` is the same for every split and
``Phi`` is increasing and symmetric about 1/2, so the split whose probability is closest to 1/2
is exactly the split with the smallest ``|M_home - M_away|``. :func:`split_teams` therefore
compares one subtraction per candidate split and evaluates the closed form once, for the
chosen split; it equals ``win_probability`` (openskill's own call) up to float rounding of the
sums (a test checks 1e-12). The search is exhaustive over every split that keeps premade groups
together (10 splits for 3v3, 35 for 4v4), so the result is exactly optimal; among equally good
splits the first in enumeration order wins, which makes the result deterministic.

Lobby policy
------------
:func:`form_lobbies` serves a large queue of one skill group, oldest wait first:

1. order the queue by ``wait_since`` (earliest first; ties keep queue order);
2. the longest-waiting player still queued is the *anchor* of the next lobby;
3. the anchor's lobby is filled with the ``2 * team_size - 1`` players nearest in skill
   (``|mu - anchor mu|``; ties go to the longer wait) among the next ``window`` longest
   waiters; a player is therefore only ever passed over by a lobby whose anchor has waited
   longer than they have;
4. the lobby is split with :func:`split_teams`; repeat until fewer than a lobby remain (they
   stay queued).

A larger window gives tighter lobbies at the price of letting outliers wait longer; the
default is ``DEFAULT_WINDOW_LOBBIES`` lobbies' worth of players. The lobby former treats every
entrant as solo; premade groups are kept together when a scrim pops, by the ``groups`` of
:func:`split_teams`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import Generic, TypeVar

from sprocket.errors import InvalidInput
from sprocket.ratings.errors import RatingCode
from sprocket.ratings.skill import MODEL, Skill

K = TypeVar("K", bound=Hashable)

MAX_TEAM_SIZE = 8
DEFAULT_WINDOW_LOBBIES = 3
_TWO_BETA_SQUARED = 2 * MODEL.beta**2
_phi = NormalDist().cdf


@dataclass(frozen=True, slots=True)
class Entrant(Generic[K]):
    """A queued player. ``wait_since`` is when they joined, on any clock (smaller = earlier)."""

    key: K
    skill: Skill
    wait_since: float = 0.0


@dataclass(frozen=True, slots=True)
class Split(Generic[K]):
    """Two teams (players in the order given) and the home team's chance to win."""

    home: tuple[Entrant[K], ...]
    away: tuple[Entrant[K], ...]
    home_win_probability: float

    @property
    def imbalance(self) -> float:
        """Distance of the prediction from a coin flip, ``|P(home) - 1/2|``."""
        return abs(self.home_win_probability - 0.5)


@dataclass(frozen=True, slots=True)
class Lobby(Generic[K]):
    """A lobby formed from the queue around its ``anchor`` (its longest-waiting player)."""

    anchor: Entrant[K]
    split: Split[K]

    @property
    def players(self) -> tuple[Entrant[K], ...]:
        return self.split.home + self.split.away


def _check_team_size(team_size: int) -> None:
    if not 1 <= team_size <= MAX_TEAM_SIZE:
        raise InvalidInput(
            f"A team has 1 to {MAX_TEAM_SIZE} players, not {team_size}.",
            code=RatingCode.INVALID_TEAM_SIZE,
        )


def _check_unique(players: Sequence[Entrant[K]]) -> None:
    keys = [p.key for p in players]
    if len(set(keys)) != len(keys):
        twice = next(k for k in keys if keys.count(k) > 1)
        raise InvalidInput(f"Player {twice!r} is listed twice.", code=RatingCode.PLAYER_TWICE)


@lru_cache(maxsize=256)
def _home_choices(sizes: tuple[int, ...], team_size: int) -> tuple[tuple[int, ...], ...]:
    """Every set of units that contains unit 0 and has exactly ``team_size`` players.

    Unit 0 always plays at home, which visits each split once instead of twice (the mirrored
    split has the same imbalance).
    """
    found: list[tuple[int, ...]] = []
    chosen = [0]

    def walk(unit: int, room: int) -> None:
        if room == 0:
            found.append(tuple(chosen))
            return
        if unit == len(sizes):
            return
        if sizes[unit] <= room:
            chosen.append(unit)
            walk(unit + 1, room - sizes[unit])
            chosen.pop()
        walk(unit + 1, room)

    if sizes[0] <= team_size:
        walk(1, team_size - sizes[0])
    return tuple(found)


def _units(players: Sequence[Entrant[K]], groups: Sequence[frozenset[K]]) -> list[list[int]]:
    """Player indices bundled by premade group, in order of each unit's first player."""
    index = {p.key: i for i, p in enumerate(players)}
    group_of: dict[int, int] = {}
    for g, group in enumerate(groups):
        for key in group:
            if key not in index:
                raise InvalidInput(
                    f"Premade group member {key!r} is not one of the players.",
                    code=RatingCode.UNKNOWN_GROUP_MEMBER,
                )
            if index[key] in group_of:
                raise InvalidInput(
                    f"Player {key!r} is in two premade groups.",
                    code=RatingCode.PLAYER_IN_TWO_GROUPS,
                )
            group_of[index[key]] = g
    units: list[list[int]] = []
    unit_of_group: dict[int, list[int]] = {}
    for i in range(len(players)):
        g = group_of.get(i)
        if g is None:
            units.append([i])
        elif g in unit_of_group:
            unit_of_group[g].append(i)
        else:
            unit_of_group[g] = [i]
            units.append(unit_of_group[g])
    return units


def split_teams(
    players: Sequence[Entrant[K]],
    *,
    team_size: int,
    groups: Sequence[frozenset[K]] = (),
) -> Split[K]:
    """The most even split of ``2 * team_size`` players into two teams, groups kept together.

    The first player always lands on the home side; each team keeps the players' given
    order. ``groups``: premade groups by player key, each kept on one team. See the module
    docstring for why the smallest difference of summed mu is exactly the best predicted win
    probability.

    Raises INVALID_TEAM_SIZE (1 to ``MAX_TEAM_SIZE``), WRONG_PLAYER_COUNT, PLAYER_TWICE,
    UNKNOWN_GROUP_MEMBER, PLAYER_IN_TWO_GROUPS, GROUP_TOO_LARGE (a group larger than a
    team), GROUPS_UNPLACEABLE (groups whose sizes cannot make two equal teams).
    """
    _check_team_size(team_size)
    if len(players) != 2 * team_size:
        raise InvalidInput(
            f"A {team_size}v{team_size} game needs {2 * team_size} players, not {len(players)}.",
            code=RatingCode.WRONG_PLAYER_COUNT,
        )
    _check_unique(players)
    units = _units(players, groups)
    for unit in units:
        if len(unit) > team_size:
            raise InvalidInput(
                f"A premade group of {len(unit)} does not fit a team of {team_size}.",
                code=RatingCode.GROUP_TOO_LARGE,
            )
    choices = _home_choices(tuple(len(u) for u in units), team_size)
    if not choices:
        sizes = ", ".join(str(len(u)) for u in units if len(u) > 1)
        raise InvalidInput(
            f"Premade groups of {sizes} cannot be split into two teams of {team_size}.",
            code=RatingCode.GROUPS_UNPLACEABLE,
        )

    mus = [p.skill.mu for p in players]
    unit_mu = [sum(mus[i] for i in unit) for unit in units]
    total_mu = sum(unit_mu)
    best = choices[0]
    best_gap = math.inf
    for choice in choices:
        home_mu = 0.0
        for u in choice:
            home_mu += unit_mu[u]
        gap = abs(2.0 * home_mu - total_mu)
        if gap < best_gap:
            best, best_gap = choice, gap

    home_index = sorted(i for u in best for i in units[u])
    in_home = set(home_index)
    home = tuple(players[i] for i in home_index)
    away = tuple(p for i, p in enumerate(players) if i not in in_home)
    return Split(home, away, _predict(home, away))


def _predict(home: Sequence[Entrant[K]], away: Sequence[Entrant[K]]) -> float:
    """openskill's two-team ``predict_win`` for the home side, in closed form."""
    home_mu = sum(p.skill.mu for p in home)
    away_mu = sum(p.skill.mu for p in away)
    variance = sum(p.skill.sigma**2 for p in home) + sum(p.skill.sigma**2 for p in away)
    return _phi((home_mu - away_mu) / math.sqrt(_TWO_BETA_SQUARED + variance))


def form_lobbies(
    queue: Sequence[Entrant[K]], *, team_size: int, window: int | None = None
) -> list[Lobby[K]]:
    """Lobbies of similar skill, longest waiters first (the policy is in the module docstring).

    ``window`` is how many of the next-longest waiters are considered to fill an anchor's
    lobby (default: ``DEFAULT_WINDOW_LOBBIES`` lobbies' worth). Players left over when fewer
    than a lobby remain are in no lobby. Returns the lobbies in the order they were formed
    (their anchors' waiting order), each split by :func:`split_teams`.

    Raises INVALID_TEAM_SIZE, INVALID_WINDOW (fewer than a lobby's size less one),
    PLAYER_TWICE.
    """
    _check_team_size(team_size)
    lobby_size = 2 * team_size
    if window is None:
        window = DEFAULT_WINDOW_LOBBIES * lobby_size
    if window < lobby_size - 1:
        raise InvalidInput(
            f"The window must hold at least {lobby_size - 1} players to fill a lobby.",
            code=RatingCode.INVALID_WINDOW,
        )
    _check_unique(queue)
    order = sorted(range(len(queue)), key=lambda i: (queue[i].wait_since, i))
    incoming: Iterator[Entrant[K]] = (queue[i] for i in order)
    head: list[Entrant[K]] = []  # the anchor and its window, in waiting order
    lobbies: list[Lobby[K]] = []
    while True:
        head.extend(p for _, p in zip(range(window + 1 - len(head)), incoming, strict=False))
        if len(head) < lobby_size:
            return lobbies
        anchor, candidates = head[0], head[1:]
        anchor_mu = anchor.skill.mu
        nearest = sorted(
            range(len(candidates)), key=lambda j: (abs(candidates[j].skill.mu - anchor_mu), j)
        )[: lobby_size - 1]
        picked = set(nearest)
        members = [anchor] + [candidates[j] for j in sorted(picked)]
        head = [p for j, p in enumerate(candidates) if j not in picked]
        lobbies.append(Lobby(anchor, split_teams(members, team_size=team_size)))
