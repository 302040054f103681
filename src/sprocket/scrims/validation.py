"""Checks a scrim's replays against its games' line-ups (pure: no session, no I/O).

Replay *n* proves game *n*: each player must be a member through a linked account and in that
game's line-up (a round robin changes line-ups between games), the two line-ups on opposite
sides; the organization's game rules (team size, private match, played while the scrim ran,
a finished game with a winner) apply as in league matches, and each game counts once. The
report has the same shape as a match's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sprocket.replays.errors import ProblemCode, ReplayCode
from sprocket.replays.validation import (
    GameChecks,
    GameFile,
    GameKeys,
    GameReport,
    GameRules,
    Problem,
    Report,
    UnknownAccount,
    check_file,
    check_game_rules,
    checked_game,
    find_players,
    home_index_of,
    unreadable,
)
from sprocket.text import plural

HOME, AWAY = "home", "away"


@dataclass(frozen=True)
class Lineup:
    """One game's two line-ups (member ids)."""

    home: tuple[int, ...]
    away: tuple[int, ...]


@dataclass(frozen=True)
class ScrimExpectation:
    lineups: Sequence[Lineup]  # game 1 first
    rules: GameRules
    accounts: Mapping[tuple[str, str], int]  # (platform, account id) -> member id
    member_names: Mapping[int, str]


def validate_scrim_games(expect: ScrimExpectation, files: Sequence[GameFile]) -> Report:
    """Check a scrim's replays, ``files`` in game order, each against its game's line-up
    (``expect.lineups``, member ids per side). Returns the report; problems are reported,
    never raised: WRONG_FILE_COUNT (not one replay per game), a player not in the game's
    line-up (NOT_IN_LINEUP), and the per-game checks of league matches
    (:mod:`sprocket.replays.validation`)."""
    games: list[GameReport] = []
    unknown: list[UnknownAccount] = []
    seen: list[tuple[int, GameKeys]] = []
    extra: list[Problem] = []
    if len(files) != len(expect.lineups):
        extra.append(
            Problem(
                ReplayCode.WRONG_FILE_COUNT,
                f"The scrim has {plural(len(expect.lineups), 'game')}; "
                f"{plural(len(files), 'replay')} {'was' if len(files) == 1 else 'were'} given.",
            )
        )
    for number, (file, lineup) in enumerate(zip(files, expect.lineups, strict=False), start=1):
        game = GameChecks(number)
        home_names = tuple(expect.member_names.get(m, "?") for m in lineup.home)
        away_names = tuple(expect.member_names.get(m, "?") for m in lineup.away)
        replay = file.replay
        if replay is None:
            games.append(unreadable(game, file, home_names, away_names))
            continue
        check_file(game, file, replay, seen)
        side_of = {m: HOME for m in lineup.home} | {m: AWAY for m in lineup.away}
        found = find_players(
            replay,
            expect.accounts,
            expect.member_names,
            set(side_of),
            {},
            game,
            unknown,
            lambda _member, n=number: (
                f"who is not in game {n}'s line-up",
                ProblemCode.NOT_IN_LINEUP,
            ),
            games="scrims",
        )
        index = home_index_of(
            [(p.replay_team, side_of.get(p.member_id or 0)) for p in found],
            (HOME, f"game {number}'s home line-up"),
            (AWAY, "its away line-up"),
            game,
            who="player",
        )
        check_game_rules(replay, expect.rules, game)
        games.append(checked_game(game, file, replay, (home_names, away_names), found, index))
    problems = [p for g in games for p in g.problems] + extra
    return Report(tuple(games), tuple(problems), tuple(unknown))
