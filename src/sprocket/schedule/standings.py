"""Standings from series results: points, configurable tie-breaks, unique ranks.

Pure: teams are any hashable key (an id, a name, a row object) and nothing is loaded here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sprocket.errors import InvalidInput
from sprocket.league.enums import TieBreak
from sprocket.league.rules import PointsRule
from sprocket.schedule.errors import ScheduleCode

K = TypeVar("K", bound=Hashable)


def home_won(home_goals: int, away_goals: int, recorded: bool | None = None) -> bool | None:
    """Whether the home side won a game: ``recorded`` when the game's own record names the
    winner (a replay's, see :attr:`sprocket.replays.parser.Replay.outcome`: a forfeit is
    won at any score), else the side with more goals; None for a level score without one."""
    if recorded is not None:
        return recorded
    if home_goals == away_goals:
        return None
    return home_goals > away_goals


@dataclass(frozen=True, slots=True)
class SeriesResult(Generic[K]):
    """A finished series. ``games`` holds (home goals, away goals) for each game played;
    ``winners``, when given, whether the home side won each game as its record says (see
    :func:`home_won`), else the goals decide.

    The side with more game wins takes the series; equal game wins is a draw. When
    ``forfeited_by`` is set the other side wins, and the games (usually none) are ignored.
    """

    home: K
    away: K
    games: tuple[tuple[int, int], ...]
    forfeited_by: K | None = None
    winners: tuple[bool, ...] | None = None

    def home_wins(self) -> list[bool | None]:
        """Per game, whether the home side won it (None: a level game without a winner)."""
        recorded = self.winners if self.winners is not None else (None,) * len(self.games)
        return [home_won(h, a, r) for (h, a), r in zip(self.games, recorded, strict=True)]


DEFAULT_TIE_BREAKS: tuple[TieBreak, ...] = (
    TieBreak.HEAD_TO_HEAD,
    TieBreak.GAME_DIFFERENCE,
    TieBreak.GOAL_DIFFERENCE,
    TieBreak.GOALS_FOR,
)


@dataclass(frozen=True, slots=True)
class StandingRow(Generic[K]):
    team: K
    rank: int
    played: int
    series_won: int
    series_drawn: int
    series_lost: int
    forfeits: int
    games_won: int
    games_lost: int
    game_difference: int
    goals_for: int
    goals_against: int
    goal_difference: int
    points: int


@dataclass(slots=True)
class _Tally:
    played: int = 0
    series_won: int = 0
    series_drawn: int = 0
    series_lost: int = 0
    forfeits: int = 0
    games_won: int = 0
    games_lost: int = 0
    goals_for: int = 0
    goals_against: int = 0
    points: int = 0


@dataclass(frozen=True, slots=True)
class _Scored(Generic[K]):
    """A validated result reduced to what ranking needs: who played and the points each got."""

    home: K
    away: K
    home_points: int
    away_points: int


def compute_standings(
    teams: Sequence[K],
    results: Iterable[SeriesResult[K]],
    *,
    points: PointsRule = PointsRule(),
    tie_breaks: Sequence[TieBreak] = DEFAULT_TIE_BREAKS,
    name: Callable[[K], str] | None = None,
) -> list[StandingRow[K]]:
    """Rank ``teams`` by points, then by ``tie_breaks`` in order, then by name.

    HEAD_TO_HEAD compares the points earned only in series among the teams still tied
    (a mini-table). Whenever a tie-break splits a tied group, each still-tied subgroup is
    ranked again from the first tie-break, so head-to-head is recomputed for the smaller
    group; the other criteria are season totals, already equal inside the subgroup, so
    re-applying them changes nothing. The last resort is ``name(team)`` (or ``str(team)``)
    ascending, which keeps ranks unique and the order independent of input order.

    Returns one row per team, best first (rank 1 to N). Raises STANDINGS_DUPLICATE_TEAM,
    STANDINGS_UNKNOWN_TIE_BREAK, and for a result that does not fit: STANDINGS_UNKNOWN_TEAM,
    STANDINGS_SELF_MATCH, STANDINGS_BAD_FORFEIT, STANDINGS_EMPTY_SERIES.
    """
    roster = list(teams)
    tallies: dict[K, _Tally] = {}
    for team in roster:
        if team in tallies:
            raise InvalidInput(
                f"Team '{team}' is listed more than once in the standings.",
                code=ScheduleCode.STANDINGS_DUPLICATE_TEAM,
            )
        tallies[team] = _Tally()
    criteria = [_tie_break(value) for value in tie_breaks]

    scored: list[_Scored[K]] = []
    for result in results:
        _validate(result, tallies)
        scored.append(_record(result, tallies, points))

    label = name if name is not None else str
    order: list[K] = []
    for group in _split(roster, lambda team: tallies[team].points):
        order.extend(_rank(group, criteria, tallies, scored, label))

    rows: list[StandingRow[K]] = []
    for rank, team in enumerate(order, start=1):
        t = tallies[team]
        rows.append(
            StandingRow(
                team=team,
                rank=rank,
                played=t.played,
                series_won=t.series_won,
                series_drawn=t.series_drawn,
                series_lost=t.series_lost,
                forfeits=t.forfeits,
                games_won=t.games_won,
                games_lost=t.games_lost,
                game_difference=t.games_won - t.games_lost,
                goals_for=t.goals_for,
                goals_against=t.goals_against,
                goal_difference=t.goals_for - t.goals_against,
                points=t.points,
            )
        )
    return rows


def _tie_break(value: TieBreak | str) -> TieBreak:
    try:
        return TieBreak(value)
    except ValueError:
        known = ", ".join(tb.value for tb in TieBreak)
        raise InvalidInput(
            f"'{value}' is not a tie-break; use one of {known}.",
            code=ScheduleCode.STANDINGS_UNKNOWN_TIE_BREAK,
        ) from None


def _validate(result: SeriesResult[K], tallies: dict[K, _Tally]) -> None:
    for side in (result.home, result.away):
        if side not in tallies:
            raise InvalidInput(
                f"A result names '{side}', which is not a team in these standings.",
                code=ScheduleCode.STANDINGS_UNKNOWN_TEAM,
            )
    if result.home == result.away:
        raise InvalidInput(
            f"A team cannot play itself; a result lists '{result.home}' on both sides.",
            code=ScheduleCode.STANDINGS_SELF_MATCH,
        )
    if result.forfeited_by is not None:
        if result.forfeited_by not in (result.home, result.away):
            raise InvalidInput(
                f"'{result.forfeited_by}' cannot forfeit a series between '{result.home}' "
                f"and '{result.away}'.",
                code=ScheduleCode.STANDINGS_BAD_FORFEIT,
            )
        return
    if not result.games:
        raise InvalidInput(
            f"The series between '{result.home}' and '{result.away}' has no games and no "
            "forfeit, so it has no result.",
            code=ScheduleCode.STANDINGS_EMPTY_SERIES,
        )
    for (home_goals, away_goals), won in zip(result.games, result.home_wins(), strict=True):
        if home_goals < 0 or away_goals < 0:
            raise InvalidInput(
                f"A game between '{result.home}' and '{result.away}' has a negative score "
                f"({home_goals}-{away_goals}).",
                code=ScheduleCode.STANDINGS_NEGATIVE_GOALS,
            )
        if won is None:
            raise InvalidInput(
                f"A game cannot end level; the series between '{result.home}' and "
                f"'{result.away}' has a {home_goals}-{away_goals} game.",
                code=ScheduleCode.STANDINGS_TIED_GAME,
            )


def _record(result: SeriesResult[K], tallies: dict[K, _Tally], rule: PointsRule) -> _Scored[K]:
    home, away = tallies[result.home], tallies[result.away]
    home.played += 1
    away.played += 1

    if result.forfeited_by is not None:
        home_forfeits = result.forfeited_by == result.home
        loser, winner = (home, away) if home_forfeits else (away, home)
        winner.series_won += 1
        winner.points += rule.win
        loser.series_lost += 1
        loser.forfeits += 1
        loser.points += rule.forfeit_loss
        if home_forfeits:
            return _Scored(result.home, result.away, rule.forfeit_loss, rule.win)
        return _Scored(result.home, result.away, rule.win, rule.forfeit_loss)

    home_wins = sum(1 for won in result.home_wins() if won)
    away_wins = len(result.games) - home_wins
    home.games_won += home_wins
    home.games_lost += away_wins
    away.games_won += away_wins
    away.games_lost += home_wins
    home_goals = sum(h for h, _ in result.games)
    away_goals = sum(a for _, a in result.games)
    home.goals_for += home_goals
    home.goals_against += away_goals
    away.goals_for += away_goals
    away.goals_against += home_goals

    if home_wins == away_wins:
        home.series_drawn += 1
        away.series_drawn += 1
        home_points = away_points = rule.draw
    elif home_wins > away_wins:
        home.series_won += 1
        away.series_lost += 1
        home_points, away_points = rule.win, rule.loss
    else:
        away.series_won += 1
        home.series_lost += 1
        home_points, away_points = rule.loss, rule.win
    home.points += home_points
    away.points += away_points
    return _Scored(result.home, result.away, home_points, away_points)


def _split(group: list[K], key: Callable[[K], int]) -> list[list[K]]:
    """Partition ``group`` by ``key``, highest value first, keeping order inside a part."""
    parts: dict[int, list[K]] = {}
    for team in group:
        parts.setdefault(key(team), []).append(team)
    return [parts[value] for value in sorted(parts, reverse=True)]


def _rank(
    group: list[K],
    criteria: list[TieBreak],
    tallies: dict[K, _Tally],
    scored: list[_Scored[K]],
    label: Callable[[K], str],
) -> list[K]:
    """Order a group of teams level on points."""
    if len(group) == 1:
        return group
    for criterion in criteria:
        parts = _split(group, _key(criterion, group, tallies, scored))
        if len(parts) > 1:
            ordered: list[K] = []
            for part in parts:
                ordered.extend(_rank(part, criteria, tallies, scored, label))
            return ordered
    return sorted(group, key=label)


def _key(
    criterion: TieBreak, group: list[K], tallies: dict[K, _Tally], scored: list[_Scored[K]]
) -> Callable[[K], int]:
    if criterion is TieBreak.HEAD_TO_HEAD:
        members = set(group)
        mini: dict[K, int] = dict.fromkeys(group, 0)
        for s in scored:
            if s.home in members and s.away in members:
                mini[s.home] += s.home_points
                mini[s.away] += s.away_points
        return mini.__getitem__
    if criterion is TieBreak.GAME_DIFFERENCE:
        return lambda team: tallies[team].games_won - tallies[team].games_lost
    if criterion is TieBreak.GOAL_DIFFERENCE:
        return lambda team: tallies[team].goals_for - tallies[team].goals_against
    return lambda team: tallies[team].goals_for
