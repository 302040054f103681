"""A report card's facts as plain data (no session, no drawing): what the card of an accepted
series or scrim says, and the pure rules that shape it (its title, each player's line summed
over the games, a round robin's ranking by record).

:mod:`sprocket.media.gather` reads the facts from the database; :mod:`sprocket.media.render`
draws them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

#: The sides of a series or scrim game: home and away.
HOME, AWAY = 0, 1


@dataclass(frozen=True)
class GameScore:
    """One game: its number, the goals of each side and who won (from the home side's point
    of view; a forfeit may be won at a level score). ``home`` and ``away`` name the players of
    each side where the sides change every game (a round robin scrim), else stay empty."""

    number: int
    home_goals: int
    away_goals: int
    home_won: bool
    home: tuple[str, ...] = ()
    away: tuple[str, ...] = ()


@dataclass(frozen=True)
class GameStat:
    """One player's line in one game, as :func:`player_lines` sums them. ``key`` tells the
    player apart (a member id; an account for a player linked to nobody); ``side`` is
    :data:`HOME` or :data:`AWAY`, None where the sides change every game."""

    key: Hashable
    name: str
    side: int | None
    won: bool
    goals: int
    assists: int
    saves: int
    shots: int
    score: int
    mvp: bool


@dataclass(frozen=True)
class PlayerLine:
    """A player's line on the card: games played and won, the in-game counters summed over
    them, MVP awards, and their displayed rating before the first game and after the last
    (None when the games were not rated)."""

    key: Hashable
    name: str
    side: int | None
    games: int
    wins: int
    goals: int
    assists: int
    saves: int
    shots: int
    score: int
    mvps: int
    rating_before: int | None = None
    rating_after: int | None = None

    @property
    def losses(self) -> int:
        return self.games - self.wins

    @property
    def rating_change(self) -> int | None:
        """Points gained (or lost, negative) over the games; None when unrated."""
        if self.rating_before is None or self.rating_after is None:
            return None
        return self.rating_after - self.rating_before


@dataclass(frozen=True)
class ReportCard:
    """What one card says. ``subject``: ``match`` or ``scrim``, with its id; ``primary`` and
    ``secondary``: the organization's colours (``#rrggbb``); ``played``: the date the games
    were played, in words in the organization's time zone. ``home`` and ``away`` name the two
    sides (a round robin has none of its own: ``round_robin`` ranks its players instead)."""

    subject: str
    subject_id: int
    organization: str
    primary: str
    secondary: str
    title: str
    subtitle: str
    played: str
    home: str
    away: str
    games: tuple[GameScore, ...]
    players: tuple[PlayerLine, ...]
    round_robin: bool = False

    @property
    def home_wins(self) -> int:
        return sum(1 for g in self.games if g.home_won)

    @property
    def away_wins(self) -> int:
        return sum(1 for g in self.games if not g.home_won)

    @property
    def winner(self) -> int | None:
        """The side that won the series (:data:`HOME`, :data:`AWAY`), None at a draw."""
        if self.home_wins == self.away_wins:
            return None
        return HOME if self.home_wins > self.away_wins else AWAY

    def side(self, side: int) -> tuple[PlayerLine, ...]:
        """The players of one side, best score first."""
        return tuple(
            sorted((p for p in self.players if p.side == side), key=lambda p: (-p.score, p.name))
        )

    def ranked(self) -> tuple[PlayerLine, ...]:
        """Every player by record (:func:`by_record`)."""
        return by_record(self.players)


def match_title(week: int, skill_group: str | None, game_mode: str) -> str:
    """A league match's title: "Week 4 - Premier - Standard" (without a skill group:
    "Week 4 - Standard")."""
    return " - ".join(p for p in (f"Week {week}", skill_group, game_mode) if p)


def scrim_title(scrim_id: int, skill_group: str | None, game_mode: str) -> str:
    """A scrim's title: "Scrim 12 - Premier - Doubles" (a casual one: "Scrim 12 - Doubles")."""
    return " - ".join(p for p in (f"Scrim {scrim_id}", skill_group, game_mode) if p)


def player_lines(
    stats: Iterable[GameStat], ratings: Mapping[Hashable, tuple[int, int]]
) -> tuple[PlayerLine, ...]:
    """One line per player (by ``key``, in the order they first appear) summing their games;
    ``ratings``: each rated player's displayed rating before the first game and after the
    last, by key. A player's side is the one of their first game."""
    lines: dict[Hashable, PlayerLine] = {}
    for stat in stats:
        line = lines.get(stat.key)
        if line is None:
            before, after = ratings.get(stat.key, (None, None))
            line = PlayerLine(stat.key, stat.name, stat.side, 0, 0, 0, 0, 0, 0, 0, 0, before, after)
        lines[stat.key] = PlayerLine(
            key=line.key,
            name=line.name,
            side=line.side,
            games=line.games + 1,
            wins=line.wins + stat.won,
            goals=line.goals + stat.goals,
            assists=line.assists + stat.assists,
            saves=line.saves + stat.saves,
            shots=line.shots + stat.shots,
            score=line.score + stat.score,
            mvps=line.mvps + stat.mvp,
            rating_before=line.rating_before,
            rating_after=line.rating_after,
        )
    return tuple(lines.values())


def by_record(players: Iterable[PlayerLine]) -> tuple[PlayerLine, ...]:
    """Players ranked as a round robin's card lists them: most games won, then fewest lost,
    then most MVP awards, then the highest summed score, then by name."""
    return tuple(sorted(players, key=lambda p: (-p.wins, p.losses, -p.mvps, -p.score, p.name)))
