"""A submission's report in sentences (pure: no session): per game, whom we expected on each
side and which accounts the replay shows, the replay's other players (an account linked to
nobody, a member nobody expected), and every problem the check found.

The report is a stored ``Report.as_json()`` (see :mod:`sprocket.replays.validation`) as the
viewer may see it (:func:`sprocket.replays.redaction.visible_reports`: a hidden member's
account id reads as None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sprocket.league.accounts import platform_name
from sprocket.text import plural

#: The replay's two teams, by index.
COLOURS = ("blue", "orange")


@dataclass(frozen=True)
class GameWords:
    """One game: a heading, what we expected and found on each side, the replay's other
    players, and the game's problems."""

    number: int
    heading: str
    expected: list[str]
    others: list[str]
    problems: list[str]


@dataclass
class UnknownLine:
    """An account the replay shows and nobody linked, once per account: its name in the game,
    platform and id, in words, and the games it played."""

    name: str
    platform: str
    platform_id: str
    label: str
    games: list[int] = field(default_factory=list)

    @property
    def where(self) -> str:
        numbers = ", ".join(str(n) for n in self.games)
        return f"game {numbers}" if len(self.games) == 1 else f"games {numbers}"


@dataclass(frozen=True)
class ReportWords:
    ok: bool
    games: list[GameWords]
    series_problems: list[str]
    unknown: list[UnknownLine]

    @property
    def problem_count(self) -> str:
        count = sum(len(g.problems) for g in self.games) + len(self.series_problems)
        return plural(count, "problem")


def account_words(player: Mapping[str, Any]) -> str:
    """A replay player's account: "'Ant' (Steam 76561198027585918)"; a hidden id reads
    "(Steam, hidden)", a player without a readable id "(no platform id)"."""
    kind = player.get("platform")
    if not kind:
        return f"'{player['name']}' (no platform id)"
    label = platform_name(kind)
    ident = player.get("platform_id")
    shown = f"{label} {ident}" if ident else f"{label}, hidden"
    return f"'{player['name']}' ({shown})"


def colour(index: object) -> str | None:
    """The replay team ``index`` (0 or 1) as its colour ("blue", "orange"), else None."""
    return COLOURS[index] if index in (0, 1) else None  # type: ignore[index]


def _heading(
    game: Mapping[str, Any], home: str, away: str, when: Callable[[dt.datetime], str]
) -> str:
    text = f"Game {game['number']} ({game['filename']})"
    if game.get("played_at"):
        text += f", played {when(dt.datetime.fromisoformat(game['played_at']))}"
    if game.get("home_goals") is None:
        return text + ("." if game.get("found") else ": the file could not be read.")
    text += f": {home} {game['home_goals']}–{game['away_goals']} {away}"
    home_colour = colour(game.get("home_index"))
    if home_colour:
        text += f", {home} on {home_colour}"
    if game.get("home_won") is not None:
        text += f"; won by {home if game['home_won'] else away}"
    return text + (" (a forfeit)." if game.get("forfeit") else ".")


def _expected(
    game: Mapping[str, Any],
    sides: Sequence[tuple[str, Sequence[str], str | None]],
    names: Mapping[int, str],
) -> tuple[list[str], set[int]]:
    """Sentences about each expected player, and the indexes of the found players they
    account for."""
    found = game.get("found", [])
    sentences, seen = [], set()
    for side, expected, side_colour in sides:
        where = f"for {side}" + (f" on {side_colour}" if side_colour else "")
        for name in expected:
            theirs = [
                (i, p)
                for i, p in enumerate(found)
                if p.get("member_id") is not None and names.get(p["member_id"]) == name
            ]
            if not theirs:
                sentences.append(f"{name} ({side}) does not appear in this replay.")
            for i, player in theirs:
                seen.add(i)
                on = colour(player.get("replay_team"))
                sentences.append(
                    f"We expected {name} {where}; the replay has their account "
                    f"{account_words(player)}" + (f" on {on}." if on else ".")
                )
    return sentences, seen


def _other(
    player: Mapping[str, Any], unknown: set[tuple[str, str]], names: Mapping[int, str]
) -> str:
    on = colour(player.get("replay_team"))
    who = f"The replay's player {account_words(player)}" + (f" on {on}" if on else "")
    member = player.get("member_id")
    if member is not None:
        name = names.get(member, "a member")
        return f"{who} is {name}'s account, but {name} was not expected in this game."
    if (player.get("platform"), _key(player)) in unknown:
        return f"{who} is not linked to anyone."
    return f"{who} cannot be matched to anyone (see the problems below)."


def _key(player: Mapping[str, Any]) -> str | None:
    ident = player.get("platform_id")
    return ident.lower() if ident and player.get("platform") == "epic" else ident


def report_words(
    report: Mapping[str, Any],
    *,
    home: str,
    away: str,
    names: Mapping[int, str],
    when: Callable[[dt.datetime], str],
) -> ReportWords:
    """The report in sentences. ``home``/``away``: the two sides' names (a match's teams, a
    scrim's line-ups); ``names``: member id -> name of the members the report links players
    to; ``when``: a moment as the organization's people read it."""
    unknown: dict[tuple[str, str], UnknownLine] = {}
    for entry in report.get("unknown_accounts", []):
        key = (entry["platform"], entry["platform_id"])
        line = unknown.setdefault(
            key,
            UnknownLine(
                entry["name"],
                entry["platform"],
                entry["platform_id"],
                f"{platform_name(entry['platform'])} {entry['platform_id']}",
            ),
        )
        if entry["game"] not in line.games:
            line.games.append(entry["game"])
    games = []
    for game in report.get("games", []):
        home_colour = colour(game.get("home_index"))
        away_colour = colour(1 - game["home_index"]) if home_colour else None
        expected, seen = _expected(
            game,
            (
                (home, game.get("expected_home", []), home_colour),
                (away, game.get("expected_away", []), away_colour),
            ),
            names,
        )
        in_game = {key for key, line in unknown.items() if game["number"] in line.games}
        others = [
            _other(player, in_game, names)
            for i, player in enumerate(game.get("found", []))
            if i not in seen
        ]
        games.append(
            GameWords(
                game["number"],
                _heading(game, home, away, when),
                expected,
                others,
                [p["message"] for p in game.get("problems", [])],
            )
        )
    series = [p["message"] for p in report.get("problems", []) if p.get("game") is None]
    return ReportWords(bool(report.get("ok")), games, series, list(unknown.values()))
