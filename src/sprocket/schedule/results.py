"""Whether a list of game scores is a complete series of a match format (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from sprocket.errors import InvalidInput
from sprocket.league.service import parse_match_format


def check_games(format_: str, games: Sequence[tuple[int, int]]) -> None:
    """Whether ``games`` is a complete series of this format (raises InvalidInput if not)."""
    kind, count = parse_match_format(format_)
    for number, (home, away) in enumerate(games, start=1):
        if home < 0 or away < 0 or home > 99 or away > 99:
            raise InvalidInput(f"Game {number} has an impossible score.", code="INVALID_SCORE")
        if home == away:
            raise InvalidInput(
                f"Game {number} ended {home}-{away}: Rocket League games have a winner.",
                code="INVALID_SCORE",
            )
    if kind == "fixed":
        if len(games) != count:
            raise InvalidInput(
                f"This match is played over exactly {count} games; {len(games)} were given.",
                code="WRONG_GAME_COUNT",
            )
        return
    needed = count // 2 + 1
    home_wins = away_wins = 0
    for number, (home, away) in enumerate(games, start=1):
        if needed in (home_wins, away_wins):
            raise InvalidInput(
                f"A best-of-{count} ends at {needed} wins; game {number} comes after the end.",
                code="WRONG_GAME_COUNT",
            )
        home_wins += home > away
        away_wins += away > home
    if needed not in (home_wins, away_wins):
        raise InvalidInput(
            f"A best-of-{count} needs {needed} wins for one side; this one stands at "
            f"{home_wins}-{away_wins}.",
            code="WRONG_GAME_COUNT",
        )
