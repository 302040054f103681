"""A match format: how many games a series is played over (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sprocket.errors import InvalidInput
from sprocket.league.errors import LeagueCode

_FORMAT = re.compile(r"^(bo|fixed)([1-9]|1[0-9])$")


@dataclass(frozen=True, slots=True)
class MatchFormat:
    """``bo`` N: best of N games (N odd), the first side to win a majority takes the series;
    ``fixed`` N: exactly N games. N is 1 to 19. Written ``bo5``, ``fixed2`` (``str()``)."""

    kind: Literal["bo", "fixed"]
    games: int

    @classmethod
    def parse(cls, value: str) -> MatchFormat:
        """The format written in ``value`` (any case, surrounding spaces ignored): 'bo5' is a
        best-of-five series, 'fixed2' exactly two games. Raises InvalidInput
        ``INVALID_MATCH_FORMAT``."""
        match = _FORMAT.match(value.strip().lower())
        if match is None or (match.group(1) == "bo" and int(match.group(2)) % 2 == 0):
            raise InvalidInput(
                f"'{value}' is not a match format: use boN with N odd (bo3, bo5, bo7) or fixedN.",
                code=LeagueCode.INVALID_MATCH_FORMAT,
            )
        kind: Literal["bo", "fixed"] = "bo" if match.group(1) == "bo" else "fixed"
        return cls(kind, int(match.group(2)))

    @property
    def wins_needed(self) -> int:
        """The game wins that take a best-of series (a majority of :attr:`games`)."""
        return self.games // 2 + 1

    def __str__(self) -> str:
        return f"{self.kind}{self.games}"
