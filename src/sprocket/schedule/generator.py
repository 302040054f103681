"""Round-robin fixtures (circle method) and their placement on a season's match weeks.

Pure functions over plain values: teams can be ids, names or any hashable object.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sprocket.errors import InvalidInput
from sprocket.schedule.errors import ScheduleCode
from sprocket.text import plural

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Pairing(Generic[T]):
    """One fixture: ``home`` hosts ``away``."""

    home: T
    away: T


@dataclass(frozen=True, slots=True)
class WeekSlot:
    """A match week of the season: its number and the window in which its matches are played."""

    number: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class ScheduledPairing(Generic[T]):
    """A fixture placed on a match week, carrying that week's window."""

    week: int
    home: T
    away: T
    starts_at: datetime
    ends_at: datetime


def round_robin(teams: Sequence[T], *, double: bool = False) -> list[list[Pairing[T]]]:
    """Return the rounds of a round robin between ``teams``, in play order.

    Circle method: with an even count the last team is the fixed hub and the others rotate;
    with an odd count a bye is the hub, and the team drawn against it sits the round out (the
    bye is simply left out of the round). Within a round, the game between the circle
    positions ``r + k`` and ``r - k`` is hosted by ``r + k`` when ``k`` is odd and by
    ``r - k`` when ``k`` is even, so every team hosts exactly one of its two games at each
    distance ``k``; only the hub game (which alternates by round) can tip a team's home/away
    balance, and then by one. A double round robin appends the mirror of every round, so
    each ordered pair occurs exactly once and home and away counts are equal.

    Raises SCHEDULE_TOO_FEW_TEAMS (fewer than two), SCHEDULE_DUPLICATE_TEAM.
    """
    entrants = list(teams)
    _check_entrants(entrants)

    has_hub = len(entrants) % 2 == 0
    circle = entrants[:-1] if has_hub else entrants
    hub = entrants[-1]
    size = len(circle)  # always odd
    rounds: list[list[Pairing[T]]] = []
    for r in range(size):
        games: list[Pairing[T]] = []
        if has_hub:
            opponent = circle[r]
            games.append(Pairing(hub, opponent) if r % 2 else Pairing(opponent, hub))
        for k in range(1, (size + 1) // 2):
            plus = circle[(r + k) % size]
            minus = circle[(r - k) % size]
            games.append(Pairing(plus, minus) if k % 2 else Pairing(minus, plus))
        rounds.append(games)

    if double:
        rounds += [[Pairing(game.away, game.home) for game in games] for games in rounds]
    return rounds


def spread_over_weeks(
    rounds: Sequence[Sequence[Pairing[T]]], weeks: Sequence[WeekSlot]
) -> list[ScheduledPairing[T]]:
    """Place one round per match week, keeping the rounds' order.

    Weeks are taken in order of their number. With more weeks than rounds the rounds are
    spaced evenly: the first round lands in the first week, the last round in the last week,
    and round ``i`` in week index ``round(i * (W - 1) / (R - 1))``. Integer arithmetic keeps
    that strictly increasing, so two rounds never share a week.

    Returns every pairing of every round, each carrying its week's number and window, in
    round order. Raises SCHEDULE_DUPLICATE_WEEK (two slots with one number),
    SCHEDULE_NOT_ENOUGH_WEEKS (more rounds than weeks).
    """
    slots = sorted(weeks, key=lambda slot: slot.number)
    numbers = [slot.number for slot in slots]
    for earlier, later in zip(numbers, numbers[1:], strict=False):
        if earlier == later:
            raise InvalidInput(
                f"Week {later} is listed more than once; each match week needs its own number.",
                code=ScheduleCode.SCHEDULE_DUPLICATE_WEEK,
            )

    round_count, week_count = len(rounds), len(slots)
    if round_count > week_count:
        raise InvalidInput(
            _not_enough_weeks(rounds, week_count), code=ScheduleCode.SCHEDULE_NOT_ENOUGH_WEEKS
        )

    scheduled: list[ScheduledPairing[T]] = []
    for index, games in enumerate(rounds):
        if round_count == 1:
            week_index = 0
        else:
            # floor(index * (W-1)/(R-1) + 1/2), i.e. round half up, without floats.
            span = round_count - 1
            week_index = (2 * index * (week_count - 1) + span) // (2 * span)
        slot = slots[week_index]
        scheduled.extend(
            ScheduledPairing(slot.number, game.home, game.away, slot.starts_at, slot.ends_at)
            for game in games
        )
    return scheduled


def _check_entrants(entrants: list[T]) -> None:
    if len(entrants) < 2:
        raise InvalidInput(
            f"A schedule needs at least two teams; this group has {len(entrants)}.",
            code=ScheduleCode.SCHEDULE_TOO_FEW_TEAMS,
        )
    seen: set[T] = set()
    for team in entrants:
        if team in seen:
            raise InvalidInput(
                f"Team '{team}' is listed more than once; each team can appear only once "
                "in a schedule.",
                code=ScheduleCode.SCHEDULE_DUPLICATE_TEAM,
            )
        seen.add(team)


def _not_enough_weeks(rounds: Sequence[Sequence[Pairing[T]]], week_count: int) -> str:
    """Describe the shortfall, naming the round robin when the rounds look like one."""
    round_count = len(rounds)
    teams = {team for games in rounds for game in games for team in (game.home, game.away)}
    team_count = len(teams)
    single = team_count - 1 if team_count % 2 == 0 else team_count
    if team_count >= 2 and round_count == single:
        what = f"A round robin of {team_count} teams"
    elif team_count >= 2 and round_count == 2 * single:
        what = f"A double round robin of {team_count} teams"
    else:
        what = f"A schedule of {plural(round_count, 'round')}"
    return f"{what} needs {plural(round_count, 'match week')}; the season has {week_count}."
