from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sprocket.errors import InvalidInput
from sprocket.league.enums import TieBreak
from sprocket.league.rules import PointsRule
from sprocket.schedule.standings import (
    DEFAULT_TIE_BREAKS,
    SeriesResult,
    StandingRow,
    compute_standings,
)

WIN = ((1, 0), (1, 0))  # home wins 2-0 in games, 2-0 in goals
LOSS = ((0, 1), (0, 1))  # away wins 2-0
DRAW = ((1, 0), (0, 1))  # 1-1 in games
FOOTBALL = PointsRule(win=3, draw=1, loss=0, forfeit_loss=0)


def r(home: str, away: str, *games: tuple[int, int], forfeit: str | None = None) -> SeriesResult:
    return SeriesResult(home, away, tuple(games), forfeited_by=forfeit)


def order(rows: list[StandingRow[str]]) -> list[str]:
    return [row.team for row in rows]


def by_team(rows: list[StandingRow[str]]) -> dict[str, StandingRow[str]]:
    return {row.team: row for row in rows}


# --- basics ----------------------------------------------------------------------------


def test_default_tie_breaks() -> None:
    assert DEFAULT_TIE_BREAKS == (
        TieBreak.HEAD_TO_HEAD,
        TieBreak.GAME_DIFFERENCE,
        TieBreak.GOAL_DIFFERENCE,
        TieBreak.GOALS_FOR,
    )
    assert TieBreak("goals_for") is TieBreak.GOALS_FOR


def test_teams_without_games_get_zero_rows() -> None:
    rows = compute_standings(["B", "A", "C"], [])
    assert order(rows) == ["A", "B", "C"]  # all level: name decides
    assert [row.rank for row in rows] == [1, 2, 3]
    for row in rows:
        assert row == StandingRow(row.team, row.rank, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def test_a_game_won_as_recorded_counts_for_its_winner() -> None:
    """A forfeit at 1-1 (recorded for the away side), and a 3-0 lead forfeited to the away
    side: the recorded winners take the games; the goals still count as goals."""
    result = SeriesResult("A", "B", ((1, 1), (3, 0), (0, 2)), winners=(False, False, False))
    row = by_team(compute_standings(["A", "B"], [result]))
    assert (row["B"].series_won, row["B"].games_won, row["B"].games_lost) == (1, 3, 0)
    assert (row["A"].goals_for, row["A"].goals_against) == (4, 3)
    level = SeriesResult("A", "B", ((1, 1),))
    with pytest.raises(InvalidInput) as raised:
        compute_standings(["A", "B"], [level])
    assert raised.value.code == "STANDINGS_TIED_GAME"


def test_full_row_for_a_single_series() -> None:
    rows = compute_standings(["A", "B"], [r("A", "B", (3, 1), (0, 2), (4, 0))])
    a, b = rows
    assert a == StandingRow(
        team="A",
        rank=1,
        played=1,
        series_won=1,
        series_drawn=0,
        series_lost=0,
        forfeits=0,
        games_won=2,
        games_lost=1,
        game_difference=1,
        goals_for=7,
        goals_against=3,
        goal_difference=4,
        points=1,
    )
    assert b == StandingRow("B", 2, 1, 0, 0, 1, 0, 1, 2, -1, 3, 7, -4, 0)


def test_away_side_can_win() -> None:
    rows = by_team(compute_standings(["A", "B"], [r("A", "B", (0, 1), (2, 1), (0, 3))]))
    assert rows["B"].series_won == 1 and rows["B"].rank == 1
    assert rows["A"].series_lost == 1
    assert (rows["B"].goals_for, rows["B"].goals_against) == (5, 2)


def test_configurable_points() -> None:
    rule = PointsRule(win=3, draw=1, loss=0, forfeit_loss=-1)
    results = [
        r("A", "B", *WIN),
        r("B", "C", *DRAW),
        r("C", "A", forfeit="C"),
        r("D", "B", *LOSS),
    ]
    rows = by_team(compute_standings(["A", "B", "C", "D"], results, points=rule))
    assert rows["A"].points == 6
    assert rows["B"].points == 1 + 3
    assert rows["C"].points == 1 - 1
    assert rows["D"].points == 0
    # C and D level on 0 points: C's game difference is 0 (the forfeit has no games), D's -2.
    assert sorted(rows, key=lambda team: rows[team].rank) == ["A", "B", "C", "D"]


def test_draw_with_even_number_of_games() -> None:
    rows = by_team(compute_standings(["A", "B"], [r("A", "B", (2, 1), (0, 3))], points=FOOTBALL))
    for team in "AB":
        assert rows[team].series_drawn == 1
        assert rows[team].series_won == rows[team].series_lost == 0
        assert rows[team].points == 1
        assert rows[team].games_won == rows[team].games_lost == 1
    assert rows["B"].goal_difference == 2
    assert rows["B"].rank == 1  # same points, no head-to-head winner, same games: goals


def test_forfeit() -> None:
    rule = PointsRule(win=2, draw=1, loss=0, forfeit_loss=-1)
    # Games on a forfeit are ignored even if some were recorded.
    rows = by_team(compute_standings(["A", "B"], [r("A", "B", (5, 0), forfeit="A")], points=rule))
    assert rows["B"] == StandingRow("B", 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)
    assert rows["A"] == StandingRow("A", 2, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, -1)


def test_forfeit_by_away_side() -> None:
    rows = by_team(compute_standings(["A", "B"], [r("A", "B", forfeit="B")]))
    assert rows["A"].series_won == 1 and rows["A"].points == 1
    assert rows["B"].forfeits == 1 and rows["B"].series_lost == 1


def test_forfeit_counts_in_head_to_head() -> None:
    # A and B both 1 point; A won their meeting by forfeit although B has far better games.
    results = [r("A", "B", forfeit="B"), r("B", "C", (9, 0), (9, 0), (9, 0))]
    assert order(compute_standings(["A", "B", "C"], results)) == ["A", "B", "C"]


# --- tie-breaks ------------------------------------------------------------------------


def test_head_to_head_beats_better_differences() -> None:
    results = [
        r("B", "A", *WIN),  # B beat A
        r("A", "C", (9, 0), (9, 0), (9, 0)),  # A crushes C
        r("C", "B", *WIN),  # B lost to C
    ]
    # All three on 1 point: head-to-head among all three is 1-1-1, so game difference
    # decides: A +1, B 0, C -1.
    assert order(compute_standings(["A", "B", "C"], results)) == ["A", "B", "C"]

    results = [r("B", "A", *WIN), r("A", "C", (9, 0), (9, 0), (9, 0))]
    # A and B on 1 point, C on 0: B won the meeting, despite A's +1 and +27.
    assert order(compute_standings(["A", "B", "C"], results)) == ["B", "A", "C"]


def test_three_way_head_to_head_splits_and_is_recomputed_for_the_rest() -> None:
    rows = compute_standings(
        ["A", "B", "C", "D", "E"],
        [
            r("A", "B", *WIN),
            r("A", "B", *WIN),
            r("B", "C", (1, 0), (0, 1), (1, 0)),  # B wins 2-1
            r("B", "C", *DRAW),
            r("A", "C", *WIN),
            r("A", "C", (0, 1), (0, 1), (0, 1)),  # C wins 3-0
            r("B", "D", *WIN),
            r("B", "E", *DRAW),
            r("B", "D", *DRAW),
            r("C", "D", (5, 0), (5, 0), (5, 0)),
            r("C", "E", *DRAW),
            r("C", "E", *DRAW),
        ],
        points=FOOTBALL,
    )
    table = by_team(rows)
    assert [table[t].points for t in "ABCDE"] == [9, 9, 9, 1, 3]
    # Mini-table of A, B, C: A 9, B 4, C 4 -> A first. Recomputed for B and C alone:
    # B 4, C 1 -> B second, although C has the better game difference (+3 against -1).
    assert (table["B"].game_difference, table["C"].game_difference) == (-1, 3)
    assert order(rows) == ["A", "B", "C", "E", "D"]
    assert [row.rank for row in rows] == [1, 2, 3, 4, 5]


def test_game_difference() -> None:
    results = [
        r("A", "C", (1, 0), (0, 1), (1, 0)),  # A wins 2-1 (+1)
        r("B", "D", (1, 0), (1, 0), (1, 0)),  # B wins 3-0 (+3)
    ]
    assert order(compute_standings(["A", "B", "C", "D"], results)) == ["B", "A", "C", "D"]


def test_goal_difference_after_equal_game_difference() -> None:
    results = [
        r("A", "C", (1, 0), (1, 0)),  # +2 goals
        r("B", "D", (4, 0), (1, 0)),  # +5 goals
    ]
    rows = compute_standings(["A", "B", "C", "D"], results)
    assert order(rows) == ["B", "A", "C", "D"]


def test_goals_for_after_equal_goal_difference() -> None:
    results = [
        r("A", "C", (2, 1), (2, 1)),  # +2, 4 scored
        r("B", "D", (4, 3), (4, 3)),  # +2, 8 scored
    ]
    rows = compute_standings(["A", "B", "C", "D"], results)
    assert order(rows) == ["B", "A", "D", "C"]  # D scored 6 to C's 2


def test_name_is_the_last_resort() -> None:
    results = [r("Zed", "Amy", *DRAW)]
    assert order(compute_standings(["Zed", "Amy"], results)) == ["Amy", "Zed"]


def test_name_callable() -> None:
    @dataclass(frozen=True)
    class Team:
        id: int
        label: str

    zulu, alpha = Team(1, "Zulu"), Team(2, "Alpha")
    rows = compute_standings([zulu, alpha], [], name=lambda team: team.label)
    assert [row.team for row in rows] == [alpha, zulu]


def test_tie_break_order_is_configurable() -> None:
    results = [
        r("A", "C", (1, 0), (0, 1), (1, 0)),  # A: games +1, goals +1, 2 scored
        r("B", "D", (9, 0), (0, 1), (0, 1), (1, 0), (1, 0)),  # B: games +1, goals +9, 11 scored
        r("A", "B", *DRAW),
    ]
    teams = ["A", "B", "C", "D"]
    assert order(compute_standings(teams, results, tie_breaks=[TieBreak.GOALS_FOR]))[:2] == [
        "B",
        "A",
    ]
    assert order(compute_standings(teams, results, tie_breaks=[]))[:2] == ["A", "B"]
    assert order(compute_standings(teams, results, tie_breaks=["goal_difference"]))[:2] == [
        "B",
        "A",
    ]


def test_points_come_before_every_tie_break() -> None:
    results = [
        r("A", "C", *WIN),
        r("B", "D", (9, 0), (0, 1), (0, 1)),  # B loses the series despite +7 in goals
    ]
    rows = compute_standings(["A", "B", "C", "D"], results)
    assert order(rows) == ["A", "D", "B", "C"]
    assert by_team(rows)["B"].goal_difference == 7


# --- rejected input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (r("A", "X", *WIN), "STANDINGS_UNKNOWN_TEAM"),
        (r("X", "A", *WIN), "STANDINGS_UNKNOWN_TEAM"),
        (r("A", "A", *WIN), "STANDINGS_SELF_MATCH"),
        (r("A", "B", forfeit="C"), "STANDINGS_BAD_FORFEIT"),
        (r("A", "B"), "STANDINGS_EMPTY_SERIES"),
        (r("A", "B", (1, 0), (2, 2)), "STANDINGS_TIED_GAME"),
        (r("A", "B", (-1, 0)), "STANDINGS_NEGATIVE_GOALS"),
    ],
)
def test_bad_results(result: SeriesResult[str], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        compute_standings(["A", "B", "C"], [result])
    assert caught.value.code == code
    assert caught.value.message.endswith(".")


def test_unknown_team_message() -> None:
    with pytest.raises(InvalidInput) as caught:
        compute_standings(["A"], [r("A", "Ghost", *WIN)])
    assert caught.value.message == (
        "A result names 'Ghost', which is not a team in these standings."
    )


def test_duplicate_team() -> None:
    with pytest.raises(InvalidInput) as caught:
        compute_standings(["A", "B", "A"], [])
    assert caught.value.code == "STANDINGS_DUPLICATE_TEAM"


def test_unknown_tie_break() -> None:
    with pytest.raises(InvalidInput) as caught:
        compute_standings(["A"], [], tie_breaks=["coin_toss"])  # type: ignore[list-item]
    assert caught.value.code == "STANDINGS_UNKNOWN_TIE_BREAK"


# --- properties ------------------------------------------------------------------------

game = st.tuples(st.integers(0, 6), st.integers(0, 6)).filter(lambda g: g[0] != g[1])


@st.composite
def seasons(draw: st.DrawFn) -> tuple[list[str], list[SeriesResult[str]]]:
    count = draw(st.integers(min_value=1, max_value=7))
    teams = [f"T{i}" for i in range(count)]
    results: list[SeriesResult[str]] = []
    if count >= 2:
        pairs = st.lists(st.sampled_from(teams), min_size=2, max_size=2, unique=True)
        for home, away in draw(st.lists(pairs, max_size=18)):
            if draw(st.integers(0, 9)) == 0:
                results.append(
                    SeriesResult(home, away, (), forfeited_by=draw(st.sampled_from([home, away])))
                )
            else:
                games = draw(st.lists(game, min_size=1, max_size=5))
                results.append(SeriesResult(home, away, tuple(games)))
    return teams, results


rules = st.builds(
    PointsRule,
    win=st.integers(-2, 5),
    draw=st.integers(-2, 5),
    loss=st.integers(-2, 5),
    forfeit_loss=st.integers(-3, 5),
)
tie_break_lists = st.lists(st.sampled_from(list(TieBreak)), max_size=4, unique=True)


@settings(max_examples=80, deadline=None)
@given(season=seasons(), rule=rules, tie_breaks=tie_break_lists)
def test_invariants(
    season: tuple[list[str], list[SeriesResult[str]]],
    rule: PointsRule,
    tie_breaks: list[TieBreak],
) -> None:
    teams, results = season
    rows = compute_standings(teams, results, points=rule, tie_breaks=tie_breaks)

    assert sorted(row.team for row in rows) == sorted(teams)
    assert [row.rank for row in rows] == list(range(1, len(teams) + 1))
    assert [row.points for row in rows] == sorted((row.points for row in rows), reverse=True)

    # Every series gives one win and one loss, or two draws.
    assert sum(row.series_won for row in rows) == sum(row.series_lost for row in rows)
    assert sum(row.series_drawn for row in rows) % 2 == 0
    assert sum(row.played for row in rows) == 2 * len(results)
    assert sum(row.forfeits for row in rows) == sum(res.forfeited_by is not None for res in results)
    assert sum(row.games_won for row in rows) == sum(row.games_lost for row in rows)
    assert sum(row.goals_for for row in rows) == sum(row.goals_against for row in rows)

    for row in rows:
        assert row.played == row.series_won + row.series_drawn + row.series_lost
        assert 0 <= row.forfeits <= row.series_lost
        assert row.game_difference == row.games_won - row.games_lost
        assert row.goal_difference == row.goals_for - row.goals_against
        assert row.points == (
            rule.win * row.series_won
            + rule.draw * row.series_drawn
            + rule.loss * (row.series_lost - row.forfeits)
            + rule.forfeit_loss * row.forfeits
        )


@settings(max_examples=60, deadline=None)
@given(season=seasons(), rule=rules, tie_breaks=tie_break_lists, seed=st.integers(0, 2**32))
def test_order_independent_of_input_order(
    season: tuple[list[str], list[SeriesResult[str]]],
    rule: PointsRule,
    tie_breaks: list[TieBreak],
    seed: int,
) -> None:
    teams, results = season
    expected = compute_standings(teams, results, points=rule, tie_breaks=tie_breaks)
    shuffler = random.Random(seed)
    teams, results = list(teams), list(results)
    shuffler.shuffle(teams)
    shuffler.shuffle(results)
    assert compute_standings(teams, results, points=rule, tie_breaks=tie_breaks) == expected


@settings(max_examples=60, deadline=None)
@given(season=seasons(), rule=rules)
def test_without_head_to_head_order_is_lexicographic(
    season: tuple[list[str], list[SeriesResult[str]]], rule: PointsRule
) -> None:
    teams, results = season
    tie_breaks = [TieBreak.GAME_DIFFERENCE, TieBreak.GOAL_DIFFERENCE, TieBreak.GOALS_FOR]
    rows = compute_standings(teams, results, points=rule, tie_breaks=tie_breaks)
    keys = [
        (-row.points, -row.game_difference, -row.goal_difference, -row.goals_for, row.team)
        for row in rows
    ]
    assert keys == sorted(keys)


@settings(max_examples=60, deadline=None)
@given(season=seasons(), rule=rules)
def test_head_to_head_leader_of_a_tied_group_wins_its_mini_table(
    season: tuple[list[str], list[SeriesResult[str]]], rule: PointsRule
) -> None:
    teams, results = season
    rows = compute_standings(teams, results, points=rule, tie_breaks=[TieBreak.HEAD_TO_HEAD])
    by_points: dict[int, list[str]] = {}
    for row in rows:
        by_points.setdefault(row.points, []).append(row.team)
    for group in by_points.values():
        members = set(group)
        mini = dict.fromkeys(group, 0)
        for res in results:
            if res.home in members and res.away in members:
                single = compute_standings([res.home, res.away], [res], points=rule)
                for row in single:
                    mini[row.team] += row.points
        # The first team of each level-on-points group has the best mini-table score.
        assert mini[group[0]] == max(mini.values())
