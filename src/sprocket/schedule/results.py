"""Whether a list of game results is a complete series of a match format (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from sprocket.errors import InvalidInput
from sprocket.league.match_format import MatchFormat
from sprocket.schedule.errors import ScheduleCode
from sprocket.schedule.standings import home_won
from sprocket.text import plural


def check_games(
    format_: str,
    games: Sequence[tuple[int, int]],
    winners: Sequence[bool | None] | None = None,
) -> list[bool]:
    """Whether ``games`` (home goals, away goals per game, in order) is a complete series of
    the match format ``format_`` (``boN``, ``fixedN``).

    ``winners``: per game, whether the home side won as the game's own record says (a
    replay's forfeit can be won at a level score), None where the goals decide (see
    :func:`~sprocket.schedule.standings.home_won`). Returns whether the home side won each
    game. Raises InvalidInput: ``INVALID_SCORE`` (goals outside 0-99, or a level game
    without a winner), ``WRONG_GAME_COUNT`` (a fixed series of another length, a best-of
    series that is not over or goes on after its end), ``INVALID_MATCH_FORMAT``.
    """
    fmt = MatchFormat.parse(format_)
    recorded = list(winners) if winners is not None else [None] * len(games)
    won: list[bool] = []
    for number, ((home, away), winner) in enumerate(zip(games, recorded, strict=True), start=1):
        if home < 0 or away < 0 or home > 99 or away > 99:
            raise InvalidInput(
                f"Game {number} has an impossible score.", code=ScheduleCode.INVALID_SCORE
            )
        result = home_won(home, away, winner)
        if result is None:
            raise InvalidInput(
                f"Game {number} ended {home}-{away}: Rocket League games have a winner.",
                code=ScheduleCode.INVALID_SCORE,
            )
        won.append(result)
    if fmt.kind == "fixed":
        if len(games) != fmt.games:
            raise InvalidInput(
                f"This match is played over exactly {plural(fmt.games, 'game')}; "
                f"{len(games)} {'was' if len(games) == 1 else 'were'} given.",
                code=ScheduleCode.WRONG_GAME_COUNT,
            )
        return won
    needed = fmt.wins_needed
    home_wins = away_wins = 0
    for number, home_took in enumerate(won, start=1):
        if needed in (home_wins, away_wins):
            raise InvalidInput(
                f"A best-of-{fmt.games} ends at {needed} wins; game {number} comes after the end.",
                code=ScheduleCode.WRONG_GAME_COUNT,
            )
        home_wins += home_took
        away_wins += not home_took
    if needed not in (home_wins, away_wins):
        raise InvalidInput(
            f"A best-of-{fmt.games} needs {needed} wins for one side; this one stands at "
            f"{home_wins}-{away_wins}.",
            code=ScheduleCode.WRONG_GAME_COUNT,
        )
    return won
