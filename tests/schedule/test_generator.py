from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sprocket.errors import InvalidInput
from sprocket.schedule.generator import (
    Pairing,
    ScheduledPairing,
    WeekSlot,
    round_robin,
    spread_over_weeks,
)

SEASON_START = datetime(2026, 1, 5, 19, tzinfo=UTC)


def weeks(count: int, *, first: int = 1) -> list[WeekSlot]:
    return [
        WeekSlot(
            number=first + i,
            starts_at=SEASON_START + timedelta(weeks=i),
            ends_at=SEASON_START + timedelta(weeks=i, days=6),
        )
        for i in range(count)
    ]


def teams_of(rnd: list[Pairing[int]]) -> list[int]:
    return [team for game in rnd for team in (game.home, game.away)]


def home_away(rounds: list[list[Pairing[int]]]) -> tuple[Counter[int], Counter[int]]:
    home = Counter(game.home for rnd in rounds for game in rnd)
    away = Counter(game.away for rnd in rounds for game in rnd)
    return home, away


def expected_rounds(n: int, *, double: bool) -> int:
    single = n - 1 if n % 2 == 0 else n
    return 2 * single if double else single


# --- round_robin: examples -------------------------------------------------------------


def test_two_teams_play_once() -> None:
    assert round_robin(["A", "B"]) == [[Pairing("A", "B")]]


def test_two_teams_double_is_home_and_away() -> None:
    assert round_robin(["A", "B"], double=True) == [[Pairing("A", "B")], [Pairing("B", "A")]]


def test_three_teams_each_sit_out_once() -> None:
    rounds = round_robin(["A", "B", "C"])
    assert len(rounds) == 3
    assert all(len(rnd) == 1 for rnd in rounds)
    sitting_out = [({"A", "B", "C"} - set(teams_of(rnd))).pop() for rnd in rounds]
    assert sorted(sitting_out) == ["A", "B", "C"]


def test_four_teams_full_schedule() -> None:
    rounds = round_robin(["A", "B", "C", "D"])
    assert rounds == [
        [Pairing("A", "D"), Pairing("B", "C")],
        [Pairing("D", "B"), Pairing("C", "A")],
        [Pairing("C", "D"), Pairing("A", "B")],
    ]


def test_double_is_single_then_mirror() -> None:
    teams = list("ABCDEF")
    single = round_robin(teams)
    double = round_robin(teams, double=True)
    assert double[: len(single)] == single
    assert double[len(single) :] == [[Pairing(g.away, g.home) for g in rnd] for rnd in single]


def test_deterministic_for_same_input_order() -> None:
    teams = ["Orion", "Lynx", "Hydra", "Pegasus", "Draco"]
    assert round_robin(teams) == round_robin(list(teams))
    assert round_robin(tuple(teams), double=True) == round_robin(teams, double=True)


@pytest.mark.parametrize("teams", [[], ["A"]])
def test_too_few_teams(teams: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        round_robin(teams)
    assert caught.value.code == "SCHEDULE_TOO_FEW_TEAMS"
    assert caught.value.message == (
        f"A schedule needs at least two teams; this group has {len(teams)}."
    )


def test_duplicate_team() -> None:
    with pytest.raises(InvalidInput) as caught:
        round_robin(["A", "B", "A"])
    assert caught.value.code == "SCHEDULE_DUPLICATE_TEAM"
    assert "'A'" in caught.value.message


# --- round_robin: properties -----------------------------------------------------------

team_counts = st.integers(min_value=2, max_value=20)


@settings(max_examples=40, deadline=None)
@given(n=team_counts, double=st.booleans())
def test_round_count(n: int, double: bool) -> None:
    assert len(round_robin(list(range(n)), double=double)) == expected_rounds(n, double=double)


@settings(max_examples=40, deadline=None)
@given(n=team_counts, double=st.booleans())
def test_no_team_twice_in_a_round_and_rounds_are_full(n: int, double: bool) -> None:
    for rnd in round_robin(list(range(n)), double=double):
        playing = teams_of(rnd)
        assert len(playing) == len(set(playing))
        assert len(rnd) == n // 2  # everyone plays except the one on a bye
        assert all(game.home != game.away for game in rnd)


@settings(max_examples=40, deadline=None)
@given(n=team_counts)
def test_single_every_pair_meets_once_and_home_away_balanced(n: int) -> None:
    rounds = round_robin(list(range(n)))
    pairs = Counter(frozenset((g.home, g.away)) for rnd in rounds for g in rnd)
    assert pairs == Counter(frozenset(pair) for pair in combinations(range(n), 2))
    home, away = home_away(rounds)
    for team in range(n):
        assert home[team] + away[team] == n - 1
        assert abs(home[team] - away[team]) <= 1


@settings(max_examples=40, deadline=None)
@given(n=team_counts)
def test_double_every_ordered_pair_once_and_home_away_equal(n: int) -> None:
    rounds = round_robin(list(range(n)), double=True)
    ordered = Counter((g.home, g.away) for rnd in rounds for g in rnd)
    assert ordered == Counter((a, b) for a in range(n) for b in range(n) if a != b)
    home, away = home_away(rounds)
    for team in range(n):
        assert home[team] == away[team] == n - 1


@settings(max_examples=30, deadline=None)
@given(teams=st.lists(st.text(min_size=1, max_size=5), min_size=2, max_size=12, unique=True))
def test_works_for_any_hashable_names(teams: list[str]) -> None:
    rounds = round_robin(teams)
    seen = {team for rnd in rounds for team in teams_of(rnd)}
    assert seen == set(teams)
    assert round_robin(teams) == rounds


# --- spread_over_weeks -----------------------------------------------------------------


def test_same_number_of_weeks_and_rounds() -> None:
    rounds = round_robin(["A", "B", "C", "D"])
    slots = weeks(3)
    scheduled = spread_over_weeks(rounds, slots)
    assert [s.week for s in scheduled] == [1, 1, 2, 2, 3, 3]
    assert scheduled[0] == ScheduledPairing(
        week=1,
        home="A",
        away="D",
        starts_at=slots[0].starts_at,
        ends_at=slots[0].ends_at,
    )
    assert all(s.starts_at == slots[s.week - 1].starts_at for s in scheduled)
    assert all(s.ends_at == slots[s.week - 1].ends_at for s in scheduled)


def test_rounds_spread_evenly_first_and_last_weeks_used() -> None:
    rounds = round_robin(["A", "B", "C", "D"])  # 3 rounds
    scheduled = spread_over_weeks(rounds, weeks(5))
    assert sorted({s.week for s in scheduled}) == [1, 3, 5]


def test_spread_uneven_gap() -> None:
    rounds = round_robin(list("ABCDEF"))  # 5 rounds
    scheduled = spread_over_weeks(rounds, weeks(10))
    # index * 9 / 4 rounded half up: 0, 2.25, 4.5, 6.75, 9 -> 0, 2, 5, 7, 9
    assert sorted({s.week for s in scheduled}) == [1, 3, 6, 8, 10]


def test_single_round_goes_in_first_week() -> None:
    scheduled = spread_over_weeks(round_robin(["A", "B"]), weeks(4))
    assert [s.week for s in scheduled] == [1]


def test_weeks_are_used_in_number_order() -> None:
    slots = weeks(3, first=4)
    scheduled = spread_over_weeks(round_robin(["A", "B", "C", "D"]), list(reversed(slots)))
    assert [s.week for s in scheduled] == [4, 4, 5, 5, 6, 6]


def test_no_rounds_no_fixtures() -> None:
    assert spread_over_weeks([], weeks(2)) == []


def test_not_enough_weeks_double() -> None:
    rounds = round_robin(list(range(8)), double=True)
    with pytest.raises(InvalidInput) as caught:
        spread_over_weeks(rounds, weeks(10))
    assert caught.value.code == "SCHEDULE_NOT_ENOUGH_WEEKS"
    assert caught.value.message == (
        "A double round robin of 8 teams needs 14 match weeks; the season has 10."
    )


def test_not_enough_weeks_single() -> None:
    with pytest.raises(InvalidInput) as caught:
        spread_over_weeks(round_robin(list(range(5))), weeks(3))
    assert caught.value.code == "SCHEDULE_NOT_ENOUGH_WEEKS"
    assert caught.value.message == (
        "A round robin of 5 teams needs 5 match weeks; the season has 3."
    )


def test_not_enough_weeks_other_rounds() -> None:
    rounds = [[Pairing("A", "B")], [Pairing("A", "B")], [Pairing("B", "A")]]
    with pytest.raises(InvalidInput) as caught:
        spread_over_weeks(rounds, [])
    assert caught.value.message == "A schedule of 3 rounds needs 3 match weeks; the season has 0."


def test_duplicate_week_numbers() -> None:
    slots = weeks(2) + weeks(1)
    with pytest.raises(InvalidInput) as caught:
        spread_over_weeks(round_robin(["A", "B"]), slots)
    assert caught.value.code == "SCHEDULE_DUPLICATE_WEEK"


@settings(max_examples=60, deadline=None)
@given(n=team_counts, double=st.booleans(), extra=st.integers(min_value=0, max_value=30))
def test_spreading_keeps_order_and_one_round_per_week(n: int, double: bool, extra: int) -> None:
    rounds = round_robin(list(range(n)), double=double)
    slots = weeks(len(rounds) + extra)
    scheduled = spread_over_weeks(rounds, slots)

    # Same fixtures, same order.
    assert [(s.home, s.away) for s in scheduled] == [
        (g.home, g.away) for rnd in rounds for g in rnd
    ]
    # Each round in exactly one week; weeks strictly increase from round to round.
    round_weeks: list[int] = []
    position = 0
    for rnd in rounds:
        chunk = scheduled[position : position + len(rnd)]
        position += len(rnd)
        assert len({s.week for s in chunk}) == 1
        round_weeks.append(chunk[0].week)
    assert round_weeks == sorted(set(round_weeks))
    # First round in the first week, last round in the last week.
    assert round_weeks[0] == slots[0].number
    if len(rounds) > 1:
        assert round_weeks[-1] == slots[-1].number
    # Evenly spaced: the gaps between used weeks differ by at most one.
    gaps = [b - a for a, b in zip(round_weeks, round_weeks[1:], strict=False)]
    if gaps:
        assert max(gaps) - min(gaps) <= 1
    # Fixtures carry their week's window.
    by_number = {slot.number: slot for slot in slots}
    for s in scheduled:
        assert (s.starts_at, s.ends_at) == (by_number[s.week].starts_at, by_number[s.week].ends_at)


@settings(max_examples=30, deadline=None)
@given(n=team_counts, double=st.booleans(), short=st.integers(min_value=1, max_value=10))
def test_too_few_weeks_always_rejected(n: int, double: bool, short: int) -> None:
    rounds = round_robin(list(range(n)), double=double)
    available = max(len(rounds) - short, 0)
    with pytest.raises(InvalidInput) as caught:
        spread_over_weeks(rounds, weeks(available))
    assert caught.value.code == "SCHEDULE_NOT_ENOUGH_WEEKS"
    assert f"needs {len(rounds)} match week" in caught.value.message
    assert f"the season has {available}." in caught.value.message
