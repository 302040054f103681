"""Checks a series of parsed replays against the scheduled match (pure: no session, no I/O).

The report says, per game, which players were expected (the two rosters on the game's own
date, from its replay) and which accounts the replay shows, and every problem in a sentence a
player understands, its dates in the organization's time zone. The rosters come as every dated
spot of the two teams in the season; each game picks the spots that ran when it was played (a
game without a date: every spot that ran during the match window).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sprocket.dates import DEFAULT_ZONE, for_people
from sprocket.errors import Conflict, InvalidInput
from sprocket.league.accounts import platform_name
from sprocket.league.enums import GamePlatform
from sprocket.league.errors import LeagueCode
from sprocket.replays.errors import ProblemCode, ReplayCode
from sprocket.replays.parser import Replay, ReplayError
from sprocket.schedule.results import check_games
from sprocket.schedule.standings import home_won
from sprocket.text import plural

#: The platforms whose accounts a member links (a replay may name one we do not know).
PLATFORMS = frozenset(GamePlatform)


@dataclass(frozen=True)
class RosterPlayer:
    """A player's spot on a team's roster, from ``joined_at`` until ``left_at`` (None: since
    before anything this series asks about; still on the roster)."""

    member_id: int
    player_id: int
    name: str
    joined_at: dt.datetime | None = None
    left_at: dt.datetime | None = None

    def on(self, moment: dt.datetime) -> bool:
        """On the roster at ``moment``."""
        return (self.joined_at is None or self.joined_at <= moment) and (
            self.left_at is None or moment < self.left_at
        )

    def during(self, start: dt.datetime, end: dt.datetime) -> bool:
        """On the roster at some moment from ``start`` to ``end``."""
        return (self.joined_at is None or self.joined_at <= end) and (
            self.left_at is None or self.left_at > start
        )


@dataclass(frozen=True)
class Side:
    team_id: int
    name: str
    roster: tuple[RosterPlayer, ...]  # every spot of the team in the season, dated


@dataclass(frozen=True)
class GameRules:
    """What every game must be, whatever it proves (a league match or a scrim)."""

    team_size: int
    require_private: bool
    window_start: dt.datetime
    window_end: dt.datetime
    date_tolerance: dt.timedelta
    window_name: str = "the match window"
    played_by: str = "this league"
    time_zone: str = DEFAULT_ZONE


@dataclass(frozen=True)
class Expectation:
    """What the match, the league and the organization's rules expect of the series."""

    match_format: str
    team_size: int
    home: Side
    away: Side
    window_start: dt.datetime
    window_end: dt.datetime
    date_tolerance: dt.timedelta
    require_private: bool
    substitutes_per_series: int
    accounts: Mapping[tuple[str, str], int]  # (platform, account id) -> member id
    member_names: Mapping[int, str]
    time_zone: str = DEFAULT_ZONE  # the organization's, for the dates of sentences

    @property
    def rules(self) -> GameRules:
        return GameRules(
            self.team_size,
            self.require_private,
            self.window_start,
            self.window_end,
            self.date_tolerance,
            time_zone=self.time_zone,
        )


@dataclass(frozen=True)
class GameKeys:
    """What tells one game from another: ``replay_id`` names one copy of a replay (each
    player's saved copy has its own), ``match_guid`` the game that every copy records
    (absent in older replays)."""

    replay_id: str | None
    match_guid: str | None

    @classmethod
    def of(cls, replay: Replay) -> GameKeys:
        return cls(replay.replay_id, replay.match_guid)

    def same_game_as(self, other: GameKeys) -> str | None:
        """Why ``other`` is the same game, in words ("(replay id X)": the same copy;
        "(match GUID X), saved by another player": another copy), or None."""
        if self.replay_id and self.replay_id == other.replay_id:
            return f"(replay id {self.replay_id})"
        if self.match_guid and self.match_guid == other.match_guid:
            return f"(match GUID {self.match_guid}), saved by another player"
        return None


@dataclass(frozen=True)
class CountedGame:
    """A replay that another open or accepted submission holds, by its game's keys."""

    submission_id: int
    keys: GameKeys


@dataclass(frozen=True)
class GameFile:
    """One file of a submission as the checks see it. ``used_by_submission``: another open
    or accepted submission holds these very bytes; ``counted_elsewhere``: replays of other
    open or accepted submissions that share a key with this one (the service looks them up,
    see :func:`duplicate_game` for what counts as the same game)."""

    filename: str
    replay: Replay | None
    error: ReplayError | None = None
    used_by_submission: int | None = None
    counted_elsewhere: tuple[CountedGame, ...] = ()


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    game: int | None = None


@dataclass(frozen=True)
class FoundPlayer:
    name: str
    platform: str
    platform_id: str | None
    replay_team: int | None
    member_id: int | None
    team_id: int | None
    score: int
    goals: int
    assists: int
    saves: int
    shots: int


@dataclass(frozen=True)
class GameReport:
    number: int
    filename: str
    expected_home: tuple[str, ...]
    expected_away: tuple[str, ...]
    found: tuple[FoundPlayer, ...]
    home_index: int | None = None  # which replay team (0 or 1) is the home side
    home_goals: int | None = None
    away_goals: int | None = None
    problems: tuple[Problem, ...] = ()
    played_at: str | None = None  # ISO 8601, UTC
    # Who won, from the replay's outcome (None: sides unknown, or no winner); a forfeited
    # game may be won at a level score.
    home_won: bool | None = None
    forfeit: bool = False


@dataclass(frozen=True)
class UnknownAccount:
    game: int
    name: str
    platform: str
    platform_id: str


@dataclass(frozen=True)
class Report:
    games: tuple[GameReport, ...]
    problems: tuple[Problem, ...]
    unknown_accounts: tuple[UnknownAccount, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return "Every game checks out."
        first = "; ".join(p.message for p in self.problems[:5])
        more = len(self.problems) - 5
        return first + (f"; and {plural(more, 'more problem')}." if more > 0 else "")

    def as_json(self) -> dict:
        return {"ok": self.ok, **asdict(self)}


class GameChecks:
    """Collects one game's problems, each prefixed with the game's number."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.problems: list[Problem] = []

    def flag(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, f"Replay {self.number}: {message}", self.number))

    def say(self, code: str, sentence: str) -> None:
        """A problem already worded as a whole sentence about this game."""
        self.problems.append(Problem(code, sentence, self.number))


@dataclass(frozen=True)
class GameRosters:
    """The two rosters one game is judged against: those of the game's own date."""

    home: tuple[RosterPlayer, ...]
    away: tuple[RosterPlayer, ...]

    @classmethod
    def of(cls, expect: Expectation, moment: dt.datetime | None) -> GameRosters:
        """The spots that ran at ``moment`` (no date: during the match window), one per
        member."""

        def pick(side: Side) -> tuple[RosterPlayer, ...]:
            chosen: dict[int, RosterPlayer] = {}
            for spot in side.roster:
                counts = (
                    spot.on(moment)
                    if moment is not None
                    else spot.during(expect.window_start, expect.window_end)
                )
                if counts:
                    chosen.setdefault(spot.member_id, spot)
            return tuple(chosen.values())

        return cls(pick(expect.home), pick(expect.away))

    @property
    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(p.name for p in self.home), tuple(p.name for p in self.away)

    @property
    def rostered(self) -> set[int]:
        return {p.member_id for p in (*self.home, *self.away)}

    def side_of(self, expect: Expectation) -> dict[int, int]:
        """Member -> team, for members on one roster only. A member on both (moved between
        the teams during a dateless game's window) belongs to no side in advance: the side
        they played on says which team they played for."""
        home = {p.member_id for p in self.home}
        away = {p.member_id for p in self.away}
        side_of = {m: expect.home.team_id for m in home - away}
        side_of.update({m: expect.away.team_id for m in away - home})
        return side_of


def validate_series(expect: Expectation, files: Sequence[GameFile]) -> Report:
    """Check a league match's series: ``files`` in game order (game 1 first), each judged
    against the rosters of its own date. Returns the report: per game the expected and found
    players, the goals and winner once the home side is known, and every problem (with its
    code, see :class:`~sprocket.replays.errors.ProblemCode`); then the series' problems
    (TOO_MANY_SUBSTITUTES, PLAYER_ON_BOTH_SIDES, the result's count against the match
    format). Problems are reported, never raised."""
    games: list[GameReport] = []
    unknown: list[UnknownAccount] = []
    seen: list[tuple[int, GameKeys]] = []
    fielded: dict[int, set[int]] = {expect.home.team_id: set(), expect.away.team_id: set()}
    for number, file in enumerate(files, start=1):
        game = GameChecks(number)
        replay = file.replay
        moment = game_time(replay) if replay is not None else None
        rosters = GameRosters.of(expect, moment)
        if replay is None:
            games.append(unreadable(game, file, *rosters.names))
            continue
        check_file(game, file, replay, seen)
        rostered = rosters.rostered
        found = find_players(
            replay,
            expect.accounts,
            expect.member_names,
            rostered,
            rosters.side_of(expect),
            game,
            unknown,
            lambda member, moment=moment: not_on_roster(expect, member, moment),
        )
        home_index = home_index_of(
            [(p.replay_team, p.team_id) for p in found],
            (expect.home.team_id, expect.home.name),
            (expect.away.team_id, expect.away.name),
            game,
        )
        if home_index is not None:
            found = [_played_for(p, home_index, expect, rostered) for p in found]
        check_game_rules(replay, expect.rules, game)
        for player in found:
            if player.member_id is not None and player.team_id is not None:
                fielded[player.team_id].add(player.member_id)
        games.append(checked_game(game, file, replay, rosters.names, found, home_index))
    problems = [p for g in games for p in g.problems]
    problems.extend(_series_problems(expect, games, fielded))
    return Report(tuple(games), tuple(problems), tuple(unknown))


def not_on_roster(expect: Expectation, member: int, moment: dt.datetime | None) -> tuple[str, str]:
    """Why a member was on neither roster of a game played at ``moment``: the roster changes
    around the game's date that leave them out (so a player on a roster today is never told
    they are on neither), else that they are on neither; and the problem's code,
    NOT_ON_ROSTER. ``member``: a member id; ``moment``: the game's UTC start (None: unknown)."""
    spots = [(p, side.name) for side in (expect.home, expect.away) for p in side.roster]
    spots = [(p, team) for p, team in spots if p.member_id == member]
    code = LeagueCode.NOT_ON_ROSTER
    if moment is not None:
        left = [(p.left_at, team) for p, team in spots if p.left_at and p.left_at <= moment]
        joined = [(p.joined_at, team) for p, team in spots if p.joined_at and p.joined_at > moment]
        zone = expect.time_zone
        changes = []
        if left:
            when, team = max(left)
            changes.append(("left", team, *_two_dates(when, moment, zone)))
        if joined:
            when, team = min(joined)
            changes.append(("joined", team, *_two_dates(when, moment, zone)))
        if len(changes) == 2:
            (_, gone, left_on, game_on), (_, came, joined_on, _) = changes
            return (
                f"who left {gone} on {left_on} and joined {came} on {joined_on}; this game was "
                f"played on {game_on}",
                code,
            )
        if changes:
            ((verb, team, change_on, game_on),) = changes
            order = "before" if verb == "left" else "after"
            return f"who {verb} {team} on {change_on}, {order} this game on {game_on}", code
    return f"who is on neither {expect.home.name}'s nor {expect.away.name}'s roster", code


def _two_dates(change: dt.datetime, game: dt.datetime, zone: str) -> tuple[str, str]:
    """A roster change's date and a game's, as days ("24 Nov", "22 Nov"), with the time of
    day when both fall on the same day."""
    day = {"time": False, "year": False}
    if for_people(change, zone, **day) == for_people(game, zone, **day):
        return for_people(change, zone, year=False), for_people(game, zone, year=False)
    return for_people(change, zone, **day), for_people(game, zone, **day)


def _played_for(
    player: FoundPlayer, home_index: int, expect: Expectation, rostered: set[int]
) -> FoundPlayer:
    """A member on both rosters played for the team of the side they were on."""
    if player.team_id is not None or player.member_id not in rostered:
        return player
    if player.replay_team not in (0, 1):
        return player
    team = expect.home.team_id if player.replay_team == home_index else expect.away.team_id
    return replace(player, team_id=team)


def unreadable(
    game: GameChecks, file: GameFile, expected_home: tuple[str, ...], expected_away: tuple[str, ...]
) -> GameReport:
    """The report of a game whose file could not be parsed: its one problem carries the
    parser's code (NOT_A_REPLAY when there is no error to tell)."""
    error = file.error
    text = str(error) if error else "The file cannot be read."
    game.problems.append(
        Problem(
            error.code if error else ReplayCode.NOT_A_REPLAY,
            f"Replay {game.number} ({file.filename}): {text}",
            game.number,
        )
    )
    return GameReport(
        game.number,
        file.filename,
        expected_home,
        expected_away,
        (),
        problems=tuple(game.problems),
    )


def check_file(
    game: GameChecks, file: GameFile, replay: Replay, seen: list[tuple[int, GameKeys]]
) -> None:
    """A replay proves one result once: not another submission's file, not a game this
    submission (``seen``: the numbers and keys of its earlier games, added to here) or
    another open or accepted one counts already. Flags REPLAY_ALREADY_USED, DUPLICATE_GAME
    on ``game``."""
    if file.used_by_submission is not None:
        game.flag(
            ReplayCode.REPLAY_ALREADY_USED,
            f"this replay is already part of submission {file.used_by_submission}.",
        )
    keys = GameKeys.of(replay)
    sentence = duplicate_game(game.number, keys, earlier=seen, counted=file.counted_elsewhere)
    if sentence is not None:
        game.say(ProblemCode.DUPLICATE_GAME, sentence)
    seen.append((game.number, keys))


def duplicate_game(
    number: int,
    keys: GameKeys,
    *,
    earlier: Sequence[tuple[int, GameKeys]] = (),
    counted: Sequence[CountedGame] = (),
    filename: str | None = None,
) -> str | None:
    """The sentence saying that replay ``number`` of a series (with ``keys``; ``filename``
    when the player should see it) is the same game as one of its ``earlier`` replays (their
    numbers and keys) or as one that another submission counts; None when it is neither.

    The same game is the same replay id (the same copy) or the same match GUID (another
    player's copy): "Replay 3 is the same game as replay 1 (match GUID ...), saved by
    another player." Identical bytes are a different matter (``REPLAY_ALREADY_USED``).
    """
    others = [(f"replay {n}", k) for n, k in earlier]
    others += [(f"a replay of submission {c.submission_id}", c.keys) for c in counted]
    for name, other in others:
        why = keys.same_game_as(other)
        if why is not None:
            label = f"Replay {number}" + (f" ({filename})" if filename else "")
            return f"{label} is the same game as {name} {why}."
    return None


def checked_game(
    game: GameChecks,
    file: GameFile,
    replay: Replay,
    expected: tuple[tuple[str, ...], tuple[str, ...]],
    found: Sequence[FoundPlayer],
    home_index: int | None,
) -> GameReport:
    """The report of a parsed game: its goals and winner are known once its home side is
    (the winner is the replay's :attr:`~sprocket.replays.parser.Replay.outcome`)."""
    scores = (replay.team0_score, replay.team1_score)
    winner = replay.outcome.winner
    return GameReport(
        game.number,
        file.filename,
        expected[0],
        expected[1],
        tuple(found),
        home_index,
        None if home_index is None else scores[home_index],
        None if home_index is None else scores[1 - home_index],
        tuple(game.problems),
        played_at(replay),
        None if home_index is None or winner is None else winner == home_index,
        replay.outcome.forfeit,
    )


def game_time(replay: Replay) -> dt.datetime | None:
    """When the game was played: its UTC start, else its recorded date taken as UTC."""
    return replay.started_at or (replay.date.replace(tzinfo=dt.UTC) if replay.date else None)


def played_at(replay: Replay) -> str | None:
    """:func:`game_time` as ISO 8601 text (UTC), or None for a replay without a date."""
    moment = game_time(replay)
    return moment.isoformat() if moment else None


def find_players(
    replay: Replay,
    accounts: Mapping[tuple[str, str], int],
    member_names: Mapping[int, str],
    expected: set[int],
    side_of: Mapping[int, int],
    game: GameChecks,
    unknown: list[UnknownAccount],
    outsider: Callable[[int], tuple[str, str]],
    games: str = "league games",
) -> list[FoundPlayer]:
    """Each player of the replay, in the replay's order, with the member their account is
    linked to and that member's team (``side_of``: member id -> team id).

    ``accounts``: (platform, account id; Epic ids lower case) -> member id; ``member_names``:
    member id -> name; ``expected``: the member ids who may play. Flags on ``game``:
    BOT_PLAYER, UNKNOWN_PLATFORM (no readable platform id), UNKNOWN_ACCOUNT (linked to
    nobody; also appended to ``unknown``), and a member not ``expected`` with the code
    ``outsider(member)`` gives beside the clause that says why they do not belong.
    ``games`` names the games in the bot's sentence."""
    found = []
    for player in replay.players:
        member = None
        if player.is_bot:
            game.flag(
                ProblemCode.BOT_PLAYER, f"'{player.name}' is a bot; {games} are played by people."
            )
        elif player.platform not in PLATFORMS or not player.platform_id:
            game.flag(
                ProblemCode.UNKNOWN_PLATFORM,
                f"account '{player.name}' has no platform id Sprocket can read.",
            )
        else:
            account = (
                player.platform_id.lower()
                if player.platform == GamePlatform.EPIC
                else player.platform_id
            )
            member = accounts.get((player.platform, account))
            label = f"{platform_name(player.platform)} {player.platform_id}"
            if member is None:
                game.flag(
                    ProblemCode.UNKNOWN_ACCOUNT,
                    f"account '{player.name}' ({label}) is linked to nobody.",
                )
                unknown.append(UnknownAccount(game.number, player.name, player.platform, account))
            elif member not in expected:
                who = member_names.get(member, "a member")
                clause, code = outsider(member)
                game.flag(code, f"account '{player.name}' ({label}) belongs to {who}, {clause}.")
        found.append(
            FoundPlayer(
                player.name,
                player.platform,
                player.platform_id,
                player.team,
                member,
                side_of.get(member) if member is not None else None,
                player.score,
                player.goals,
                player.assists,
                player.saves,
                player.shots,
            )
        )
    return found


def home_index_of(
    placed: Sequence[tuple[int | None, Hashable | None]],
    home: tuple[Hashable, str],
    away: tuple[Hashable, str],
    game: GameChecks,
    who: str = "rostered player",
) -> int | None:
    """Which replay team (0 or 1) is the home side, judged by the known players on it:
    ``placed`` holds each player's (replay team, side), ``home``/``away`` each side's key
    and name. None, flagged on ``game``, when it cannot tell: MIXED_SIDE (a replay team
    holds players of both sides), SIDES_UNKNOWN (no ``who`` of either side appears),
    SAME_TEAM_BOTH_SIDES."""
    teams_on: dict[int, set[Hashable]] = {0: set(), 1: set()}
    for replay_team, side in placed:
        if side is not None and replay_team in (0, 1):
            teams_on[replay_team].add(side)
    for index, sides in teams_on.items():
        if len(sides) > 1:
            game.flag(
                ProblemCode.MIXED_SIDE,
                f"the {'blue' if index == 0 else 'orange'} side has players of both "
                f"{home[1]} and {away[1]}.",
            )
            return None
    if teams_on[0] == {home[0]} or teams_on[1] == {away[0]}:
        index = 0
    elif teams_on[1] == {home[0]} or teams_on[0] == {away[0]}:
        index = 1
    else:
        game.flag(ProblemCode.SIDES_UNKNOWN, f"no {who} of {home[1]} or {away[1]} appears.")
        return None
    if teams_on[1 - index] == teams_on[index]:
        game.flag(ProblemCode.SAME_TEAM_BOTH_SIDES, "both sides are the same team.")
        return None
    return index


def check_game_rules(replay: Replay, rules: GameRules, game: GameChecks) -> None:
    """Flag on ``game`` what breaks the rules every game follows: ``WRONG_TEAM_SIZE``,
    ``NOT_PRIVATE``, ``NO_DATE``, ``OUTSIDE_WINDOW`` (the UTC start, else the local date,
    against the window and its tolerance), ``UNFINISHED_GAME`` (the replay of an unfinished
    match) or else ``UNDECIDED_GAME`` (no winner), both from :attr:`Replay.outcome`."""
    if replay.team_size is not None and replay.team_size != rules.team_size:
        game.flag(
            ProblemCode.WRONG_TEAM_SIZE,
            f"it is a {replay.team_size}v{replay.team_size} game; {rules.played_by} plays "
            f"{rules.team_size}v{rules.team_size}.",
        )
    if rules.require_private and replay.match_type != "Private":
        game.flag(
            ProblemCode.NOT_PRIVATE,
            f"it is not a private match (its match type is {replay.match_type or 'unknown'}).",
        )
    played = game_time(replay)
    if played is None:
        game.flag(ProblemCode.NO_DATE, "it has no date.")
    elif not (
        rules.window_start - rules.date_tolerance
        <= played
        <= rules.window_end + rules.date_tolerance
    ):
        game.flag(
            ProblemCode.OUTSIDE_WINDOW,
            f"it was played on {for_people(played, rules.time_zone)}, outside "
            f"{rules.window_name} {for_people(rules.window_start, rules.time_zone, time=False)}"
            f" to {for_people(rules.window_end, rules.time_zone, time=False)}.",
        )
    score = f"{replay.team0_score}-{replay.team1_score}"
    if replay.outcome.unfinished:
        seconds = replay.seconds_played
        after = "" if seconds is None else f" after {seconds:.1f}".removesuffix(".0") + " s"
        game.flag(
            ProblemCode.UNFINISHED_GAME,
            f"it is the replay of an unfinished match ({score}{after} of play), not a decided "
            "game; upload the replay of the whole game.",
        )
    elif replay.outcome.winner is None:
        game.flag(ProblemCode.UNDECIDED_GAME, f"it ended {score}; a game needs a winner.")


def decided_winners(games: Sequence[Mapping[str, Any]]) -> list[bool]:
    """Whether the home side won each game of a stored report (:meth:`Report.as_json`'s
    ``games``, already matched to the two sides): its ``home_won``, the replay's outcome.
    Reports written before the outcome was recorded lack it: their goals decide (see
    :func:`~sprocket.schedule.standings.home_won`). Raises Conflict ``CANNOT_ACCEPT`` for
    the first game without a winner (an unfinished match, a level score)."""
    winners = [
        game["home_won"] if "home_won" in game else home_won(game["home_goals"], game["away_goals"])
        for game in games
    ]
    if None in winners:
        raise Conflict(
            f"Game {winners.index(None) + 1} of this submission has no winner (an unfinished "
            "match, or a level score); it cannot be accepted.",
            code=ReplayCode.CANNOT_ACCEPT,
        )
    return winners


def _series_problems(
    expect: Expectation, games: list[GameReport], fielded: dict[int, set[int]]
) -> list[Problem]:
    problems = []
    limit = expect.team_size + expect.substitutes_per_series
    for side in (expect.home, expect.away):
        if len(fielded[side.team_id]) > limit:
            problems.append(
                Problem(
                    ProblemCode.TOO_MANY_SUBSTITUTES,
                    f"{side.name} fielded {plural(len(fielded[side.team_id]), 'player')}; "
                    f"the limit is {limit} ({expect.team_size} plus "
                    f"{plural(expect.substitutes_per_series, 'substitute')}).",
                )
            )
    both = fielded[expect.home.team_id] & fielded[expect.away.team_id]
    for member in sorted(both):
        problems.append(
            Problem(
                ProblemCode.PLAYER_ON_BOTH_SIDES,
                f"{expect.member_names.get(member, 'A player')} played for both sides.",
            )
        )
    # The count is judged once every game is matched to the teams and decided (an undecided
    # or unfinished game is its own problem, already reported).
    if all(g.home_won is not None for g in games):
        try:
            check_games(
                expect.match_format,
                [(g.home_goals, g.away_goals) for g in games],  # type: ignore[misc]
                [g.home_won for g in games],
            )
        except InvalidInput as error:
            problems.append(Problem(error.code, error.message))
    return problems
