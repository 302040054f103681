"""The pure series validation judges each game against the rosters of the game's own date.

Rosters come as every dated spot of the two teams in the season; a game played before a
player joined (or after they left) does not count them, and its sentence says so with the
dates, in the organization's time zone, instead of "on neither roster" for someone who is on
one today. The series' games are those of ``tests.replays.test_validation`` (game ``n`` is
dated 2025-03-12 20:00 UTC plus ``10 n`` minutes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sprocket.replays.validation import RosterPlayer, Side, validate_series
from tests.replays.test_validation import (
    ALPHA,
    AWAY_TEAM,
    BRAVO,
    CHARLIE,
    DELTA,
    ECHO,
    EXPECT,
    HOME_TEAM,
    NAMES,
    codes,
    expect,
    game,
    steam,
)

UTC = dt.UTC


def spot(member: int, joined: dt.datetime | None = None, left: dt.datetime | None = None):
    return RosterPlayer(member, 100 + member, NAMES[member], joined, left)


def day(month: int, day_: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day_, hour, minute, tzinfo=UTC)


HOME_SINCE_MARCH = (spot(ALPHA, day(3, 1)), spot(BRAVO, day(3, 1)))
AWAY_SINCE_MARCH = (spot(CHARLIE, day(3, 1)), spot(DELTA, day(3, 1)))


def rosters(home=HOME_SINCE_MARCH, away=AWAY_SINCE_MARCH, **changes: object):
    return expect(
        home=Side(HOME_TEAM, "Home FC", tuple(home)),
        away=Side(AWAY_TEAM, "Away FC", tuple(away)),
        **changes,
    )


def messages(report) -> list[str]:
    return [p.message for p in report.problems]


def test_dated_spots_that_cover_the_games_pass() -> None:
    report = validate_series(rosters(), [game(1), game(2), game(3)])
    assert report.ok, report.problems
    assert report.games[0].expected_home == ("Alpha", "Bravo")
    assert report.games[0].expected_away == ("Charlie", "Delta")


def test_a_player_who_joined_after_the_game_is_told_when() -> None:
    # Bravo is on Home FC today, but only since 14 March: the games were on 12 March.
    home = (spot(ALPHA, day(3, 1)), spot(BRAVO, day(3, 14)))

    report = validate_series(rosters(home=home), [game(1), game(2), game(3)])

    assert codes(report) == ["NOT_ON_ROSTER"] * 3
    assert messages(report)[0] == (
        f"Replay 1: account 'Bravo' (Steam {steam(BRAVO)}) belongs to Bravo, who joined "
        "Home FC on 14 Mar, after this game on 12 Mar."
    )
    assert not any("neither" in m for m in messages(report))
    # The expected players of each game are the roster of its date.
    assert all(g.expected_home == ("Alpha",) for g in report.games)


def test_a_player_who_left_before_the_game_is_told_when() -> None:
    away = (spot(CHARLIE, day(3, 1)), spot(DELTA, day(3, 1), day(3, 11, 18)))

    report = validate_series(rosters(away=away), [game(1), game(2), game(3)])

    assert messages(report)[0] == (
        f"Replay 1: account 'Delta' (Steam {steam(DELTA)}) belongs to Delta, who left "
        "Away FC on 11 Mar, before this game on 12 Mar."
    )
    assert report.games[0].expected_away == ("Charlie",)


def test_a_player_who_moved_between_the_teams_is_told_both_moves() -> None:
    # Delta left Away FC on the 11th and joined Home FC on the 14th; he played for Away FC.
    home = (*HOME_SINCE_MARCH, spot(DELTA, day(3, 14)))
    away = (spot(CHARLIE, day(3, 1)), spot(DELTA, day(3, 1), day(3, 11)))

    report = validate_series(rosters(home=home, away=away, match_format="bo1"), [game(1)])

    assert messages(report) == [
        f"Replay 1: account 'Delta' (Steam {steam(DELTA)}) belongs to Delta, who left Away FC "
        "on 11 Mar and joined Home FC on 14 Mar; this game was played on 12 Mar."
    ]


def test_on_the_same_day_the_times_tell_the_order() -> None:
    # Game 1 was at 20:10 UTC; Bravo joined at 21:00 the same evening.
    home = (spot(ALPHA, day(3, 1)), spot(BRAVO, day(3, 12, 21)))

    report = validate_series(rosters(home=home, match_format="bo1"), [game(1)])

    assert messages(report) == [
        f"Replay 1: account 'Bravo' (Steam {steam(BRAVO)}) belongs to Bravo, who joined "
        "Home FC on 12 Mar 21:00 UTC, after this game on 12 Mar 20:10 UTC."
    ]


def test_dates_are_written_in_the_organizations_time_zone() -> None:
    # In Sydney (UTC+11 in March) game 1 was on 13 March at 07:10 and Bravo joined on the
    # 13th at 21:00 (10:00 UTC): the same local day, so the times tell the order.
    home = (spot(ALPHA, day(3, 1)), spot(BRAVO, day(3, 13, 10)))

    report = validate_series(
        rosters(home=home, time_zone="Australia/Sydney", match_format="bo1"), [game(1)]
    )

    assert messages(report) == [
        f"Replay 1: account 'Bravo' (Steam {steam(BRAVO)}) belongs to Bravo, who joined "
        "Home FC on 13 Mar 21:00 AEDT, after this game on 13 Mar 07:10 AEDT."
    ]


def test_each_game_is_judged_on_its_own_date() -> None:
    # Bravo joined between game 1 (20:10) and game 3 (20:30): only game 1 may not count him.
    home = (spot(ALPHA, day(3, 1)), spot(BRAVO, day(3, 12, 20, 20)))

    report = validate_series(rosters(home=home), [game(1), game(2), game(3)])

    assert [p.game for p in report.problems] == [1]
    assert codes(report) == ["NOT_ON_ROSTER"]
    assert [g.expected_home for g in report.games] == [
        ("Alpha",),
        ("Alpha", "Bravo"),
        ("Alpha", "Bravo"),
    ]
    # The players of games 2 and 3 count for Home FC.
    assert {p.member_id: p.team_id for p in report.games[2].found}[BRAVO] == HOME_TEAM


def test_someone_never_on_either_roster_is_on_neither() -> None:
    found = game(1, home=(ALPHA, ECHO))

    report = validate_series(rosters(match_format="bo1"), [found])

    assert messages(report) == [
        f"Replay 1: account 'Echo' (Steam {steam(ECHO)}) belongs to Echo, who is on neither "
        "Home FC's nor Away FC's roster."
    ]


def test_a_game_without_a_date_counts_the_rosters_of_the_match_window() -> None:
    # The window is 10 to 17 March: Bravo (from the 14th) counts, Delta (until the 9th) not.
    home = (spot(ALPHA, day(3, 1)), spot(BRAVO, day(3, 14)))
    away = (spot(CHARLIE, day(3, 1)), spot(DELTA, day(3, 1), day(3, 9)))
    dated = game(1)
    assert dated.replay is not None
    undated = dataclasses.replace(
        dated, replay=dataclasses.replace(dated.replay, date=None, started_at=None)
    )

    report = validate_series(rosters(home=home, away=away, match_format="bo1"), [undated])

    assert report.games[0].expected_home == ("Alpha", "Bravo")
    assert report.games[0].expected_away == ("Charlie",)
    assert "NO_DATE" in codes(report)
    assert (
        f"account 'Delta' (Steam {steam(DELTA)}) belongs to Delta, who is on neither"
        in " ".join(messages(report))
    )


def test_undated_roster_spots_still_mean_always() -> None:
    """Spots without dates (as the older callers and tests give them) count for every game."""
    assert validate_series(EXPECT, [game(1), game(2), game(3)]).ok
    always = EXPECT.home.roster[0]
    assert always.joined_at is None and always.left_at is None and always.on(day(1, 1))
