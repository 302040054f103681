"""Player skill ratings: pure functions over plain data (no session, no I/O).

The model is openskill's Weng-Lin Bayesian rating with the Plackett-Luce likelihood and
openskill's default parameters (mu 25, sigma 25/3, beta 25/6, tau 25/300). A player's skill
is a belief N(mu, sigma^2): mu is the best estimate, sigma how unsure we still are. Every
update, the win probability and the tie-break of ranks are openskill's own; this module only
converts between openskill's rating objects and the frozen :class:`Skill` the rest of the
platform stores.

Displayed rating
----------------
Players see one number on a familiar, Elo-like scale::

    displayed = max(0, round(1000 + 20 * (mu - 3 * sigma)))

``mu - 3 * sigma`` is openskill's ``ordinal()``: a conservative estimate, three standard
deviations below the best guess, so a player only climbs once the model is sure. A new player
(mu 25, sigma 25/3) has ordinal 0 and shows **1000**. Sigma shrinks with every game, so the
number rises while the model learns, and the spread between players grows with it. In
``bench/ratings.py`` (3v3, hidden skills N(25, 4^2)), after 60 games each the middle half of
players shows about 1100-1340; after 300 games about 1290-1470, the best about 1800 and the
weakest about 850. One mu point is 20 displayed points; the floor at 0 is only reached by
ordinals under -50, which the default model practically never produces. Until a player has
played ``threshold`` games (a setting of the organization) the rating is marked provisional.

Recompute
---------
:func:`recompute` and :func:`history` replay games in order through exactly the same openskill
call as :func:`rate_game`, carrying openskill's rating objects from game to game instead of
rebuilding them from :class:`Skill` values. A rebuilt rating holds the same two floats, so the
replay gives bit-for-bit the ratings that incremental updates gave (a property test checks it);
carrying the objects only saves work.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from openskill.models import PlackettLuce, PlackettLuceRating

from sprocket.errors import InvalidInput
from sprocket.ratings.errors import RatingCode
from sprocket.replays.errors import ProblemCode

K = TypeVar("K", bound=Hashable)

#: The one model instance: building it per call would only cost time, it holds no state
#: between calls.
MODEL = PlackettLuce()

DISPLAY_OFFSET = 1000
DISPLAY_SCALE = 20
#: openskill's ordinal is ``mu - ORDINAL_Z * sigma``.
ORDINAL_Z = 3.0


def display_rating(mu: float, sigma: float) -> int:
    """The displayed number for a belief (mu, sigma); see the module docstring."""
    return max(0, round(DISPLAY_OFFSET + DISPLAY_SCALE * (mu - ORDINAL_Z * sigma)))


@dataclass(frozen=True, slots=True)
class Skill:
    """A player's rating in one organization and game mode, after ``games`` rated games."""

    mu: float
    sigma: float
    games: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mu) and math.isfinite(self.sigma) and self.sigma > 0):
            raise InvalidInput(
                f"A skill needs a finite mu and a positive sigma, not ({self.mu}, {self.sigma}).",
                code=RatingCode.INVALID_SKILL,
            )
        if self.games < 0:
            raise InvalidInput(
                "A player cannot have played fewer than 0 games.", code=RatingCode.INVALID_SKILL
            )

    @property
    def ordinal(self) -> float:
        """The conservative skill estimate ``mu - 3 sigma`` (openskill's ordinal)."""
        return self.mu - ORDINAL_Z * self.sigma

    @property
    def displayed(self) -> int:
        return display_rating(self.mu, self.sigma)

    def provisional(self, threshold: int) -> bool:
        """True until the player has played ``threshold`` rated games."""
        return self.games < threshold


def new_skill() -> Skill:
    """The rating of a player who has not played yet."""
    return Skill(mu=MODEL.mu, sigma=MODEL.sigma, games=0)


def _rating(skill: Skill) -> PlackettLuceRating:
    return MODEL.rating(mu=skill.mu, sigma=skill.sigma)


def _check_lineup(side: str, lineup: Sequence[object]) -> None:
    if not lineup:
        raise InvalidInput(
            f"The {side} side of a game needs at least one player.", code=RatingCode.EMPTY_LINEUP
        )


def _rate(
    home: list[PlackettLuceRating], away: list[PlackettLuceRating], home_won: bool
) -> list[list[PlackettLuceRating]]:
    """The single openskill call behind every update; a lower rank is the winner."""
    return MODEL.rate([home, away], ranks=[0.0, 1.0] if home_won else [1.0, 0.0])


def rate_game(
    home: Sequence[Skill], away: Sequence[Skill], *, home_won: bool
) -> tuple[list[Skill], list[Skill]]:
    """New skills of both line-ups (same order as given) after one game, each with one more
    game played. Raises EMPTY_LINEUP."""
    _check_lineup("home", home)
    _check_lineup("away", away)
    new_home, new_away = _rate([_rating(s) for s in home], [_rating(s) for s in away], home_won)
    return (
        [Skill(r.mu, r.sigma, s.games + 1) for r, s in zip(new_home, home, strict=True)],
        [Skill(r.mu, r.sigma, s.games + 1) for r, s in zip(new_away, away, strict=True)],
    )


def win_probability(home: Sequence[Skill], away: Sequence[Skill]) -> float:
    """The home line-up's chance to beat the away line-up, 0 to 1 (openskill's
    ``predict_win``). Raises EMPTY_LINEUP."""
    _check_lineup("home", home)
    _check_lineup("away", away)
    return MODEL.predict_win([[_rating(s) for s in home], [_rating(s) for s in away]])[0]


@dataclass(frozen=True, slots=True)
class GameRecord(Generic[K]):
    """One accepted game, as the replay of the history sees it."""

    game_id: Hashable
    home: tuple[K, ...]
    away: tuple[K, ...]
    home_won: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "home", tuple(self.home))
        object.__setattr__(self, "away", tuple(self.away))
        _check_lineup("home", self.home)
        _check_lineup("away", self.away)
        if len(set(self.home) | set(self.away)) != len(self.home) + len(self.away):
            raise InvalidInput(
                f"Game {self.game_id!r} lists a player twice; each player plays for one side once.",
                code=RatingCode.PLAYER_TWICE_IN_GAME,
            )


@dataclass(frozen=True, slots=True)
class RatingPoint(Generic[K]):
    """A player's rating just before and just after one game."""

    game_id: Hashable
    player: K
    won: bool
    before: Skill
    after: Skill


@dataclass(frozen=True, slots=True)
class Replay(Generic[K]):
    ratings: dict[K, Skill]
    history: list[RatingPoint[K]]


def replay(games: Iterable[GameRecord[K]], *, keep_history: bool = True) -> Replay[K]:
    """Rate ``games`` in order from scratch: final ratings and (optionally) the history.

    Players start at :func:`new_skill`. A game id seen twice is refused (DUPLICATE_GAME):
    replaying a game twice would silently double its effect. ``history`` lists one point
    per player per game, in game order (empty without ``keep_history``).
    """
    current: dict[K, PlackettLuceRating] = {}
    played: dict[K, int] = {}
    skills: dict[K, Skill] = {}  # only kept with the history: the "before" of the next point
    points: list[RatingPoint[K]] = []
    seen: set[Hashable] = set()
    fresh = new_skill()
    for game in games:
        if game.game_id in seen:
            raise InvalidInput(
                f"Game {game.game_id!r} appears twice in the history.",
                code=ProblemCode.DUPLICATE_GAME,
            )
        seen.add(game.game_id)
        home = [current.get(k) or MODEL.rating() for k in game.home]
        away = [current.get(k) or MODEL.rating() for k in game.away]
        new_home, new_away = _rate(home, away, game.home_won)
        for keys, rated, won in (
            (game.home, new_home, game.home_won),
            (game.away, new_away, not game.home_won),
        ):
            for key, rating in zip(keys, rated, strict=True):
                current[key] = rating
                games_played = played.get(key, 0) + 1
                played[key] = games_played
                if keep_history:
                    after = Skill(rating.mu, rating.sigma, games_played)
                    points.append(
                        RatingPoint(game.game_id, key, won, skills.get(key, fresh), after)
                    )
                    skills[key] = after
    if keep_history:
        return Replay(skills, points)
    return Replay({k: Skill(r.mu, r.sigma, played[k]) for k, r in current.items()}, points)


def recompute(games: Iterable[GameRecord[K]]) -> dict[K, Skill]:
    """Every player's rating after replaying ``games`` in order (see :func:`replay`)."""
    return replay(games, keep_history=False).ratings


def history(games: Iterable[GameRecord[K]]) -> list[RatingPoint[K]]:
    """One :class:`RatingPoint` per player per game, in game order."""
    return replay(games, keep_history=True).history
