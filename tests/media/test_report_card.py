"""The report card's facts as plain data: titles, a player's line summed over a series, the
rating change, the series winner and a round robin's ranking by record."""

from __future__ import annotations

from sprocket.media.report_card import (
    AWAY,
    HOME,
    GameScore,
    GameStat,
    PlayerLine,
    ReportCard,
    by_record,
    match_title,
    player_lines,
    scrim_title,
)


def stat(key: int, side: int | None, won: bool, goals: int, score: int, mvp: bool = False):
    return GameStat(key, f"P{key}", side, won, goals, 1, 2, goals + 1, score, mvp)


def card(games: tuple[GameScore, ...], players: tuple[PlayerLine, ...] = ()) -> ReportCard:
    return ReportCard(
        "match", 1, "Org", "#1f3a5f", "#e07a1f", "T", "S", "1 Jan", "H", "A", games, players
    )


def test_titles_name_the_week_skill_group_and_mode() -> None:
    assert match_title(4, "Premier", "Standard") == "Week 4 - Premier - Standard"
    assert match_title(1, None, "Doubles") == "Week 1 - Doubles"
    assert scrim_title(12, "Premier", "Doubles") == "Scrim 12 - Premier - Doubles"
    assert scrim_title(12, None, "Duel") == "Scrim 12 - Duel"


def test_a_players_line_sums_their_games_and_keeps_their_rating_span() -> None:
    stats = [
        stat(1, HOME, True, 2, 400, mvp=True),
        stat(2, AWAY, False, 1, 300),
        stat(1, HOME, False, 0, 150),
        stat(2, AWAY, True, 3, 500, mvp=True),
        stat(3, AWAY, True, 0, 90),  # a substitute in one game only
    ]
    lines = player_lines(stats, {1: (1000, 1012), 2: (1100, 1091)})
    assert [p.key for p in lines] == [1, 2, 3]  # in the order they first appear
    first, second, third = lines
    assert (first.games, first.wins, first.losses) == (2, 1, 1)
    assert (first.goals, first.assists, first.saves, first.shots) == (2, 2, 4, 4)
    assert (first.score, first.mvps, first.side) == (550, 1, HOME)
    assert first.rating_change == 12 and second.rating_change == -9
    assert (third.games, third.rating_before, third.rating_change) == (1, None, None)


def test_the_series_winner_and_sides_best_score_first() -> None:
    players = player_lines(
        [stat(1, HOME, True, 1, 100), stat(2, HOME, True, 0, 300), stat(3, AWAY, False, 0, 50)],
        {},
    )
    won = card((GameScore(1, 3, 1, True), GameScore(2, 0, 2, False), GameScore(3, 1, 1, True)))
    assert (won.home_wins, won.away_wins, won.winner) == (2, 1, HOME)
    level = card((GameScore(1, 3, 1, True), GameScore(2, 0, 2, False)))
    assert level.winner is None
    # A forfeit won at a level score counts for the side that won it.
    assert card((GameScore(1, 1, 1, False),), players).winner == AWAY
    assert [p.key for p in card((), players).side(HOME)] == [2, 1]
    assert [p.key for p in card((), players).side(AWAY)] == [3]


def test_a_round_robin_ranks_players_by_record() -> None:
    def line(key: int, wins: int, games: int, mvps: int, score: int) -> PlayerLine:
        return PlayerLine(key, f"P{key}", None, games, wins, 0, 0, 0, 0, score, mvps)

    players = [
        line(1, 1, 3, 0, 900),
        line(2, 2, 3, 0, 100),
        line(3, 2, 3, 1, 100),
        line(4, 2, 2, 0, 50),  # same wins, fewer losses: ahead
        line(5, 1, 3, 0, 950),
    ]
    assert [p.key for p in by_record(players)] == [4, 3, 2, 5, 1]
