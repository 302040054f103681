"""Typed organization configuration: every key, its type, bounds, default and meaning.

Organizations only store the keys they changed; everything else reads as the default here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sprocket.errors import InvalidInput
from sprocket.league.enums import TieBreak
from sprocket.league.errors import LeagueCode
from sprocket.league.rules import PointsRule


@dataclass(frozen=True)
class SettingKey:
    key: str
    type: type
    default: Any
    description: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] | None = None
    #: A text value's form: a regular expression it matches in full, and its name in words.
    pattern: tuple[str, str] | None = None

    def coerce(self, value: Any) -> Any:
        """Check ``value`` against the key's type and bounds, returning the typed value.
        Raises INVALID_SETTING."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise self._bad(value, "true or false")
            return value
        if self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise self._bad(value, "a whole number")
            if self.minimum is not None and value < self.minimum:
                raise self._bad(value, f"at least {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise self._bad(value, f"at most {self.maximum}")
            return value
        if self.type is str:
            if self.pattern is not None:
                form, words = self.pattern
                if not isinstance(value, str) or not re.fullmatch(form, value):
                    raise self._bad(value, words)
                return value.lower()
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise self._bad(value, "one of " + ", ".join(self.choices or ()))
            return value
        if self.type is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self._bad(value, "a list of names")
            unknown = [v for v in value if self.choices and v not in self.choices]
            if unknown or len(set(value)) != len(value):
                raise self._bad(value, "distinct names from " + ", ".join(self.choices or ()))
            return list(value)
        raise TypeError(self.type)  # pragma: no cover - a programming error in KEYS

    def _bad(self, value: Any, expected: str) -> InvalidInput:
        return InvalidInput(
            f"Setting '{self.key}' must be {expected}; got {value!r}.",
            code=LeagueCode.INVALID_SETTING,
        )


_TIE_BREAKS = tuple(t.value for t in TieBreak)
#: A colour as the web writes it (``#1f3a5f``), in any case; kept in lower case.
COLOUR = (r"#[0-9A-Fa-f]{6}", "a colour written #RRGGBB (six hexadecimal digits)")

KEYS: dict[str, SettingKey] = {
    k.key: k
    for k in (
        SettingKey("points_win", int, 1, "Standings points for a series win.", -10, 10),
        SettingKey("points_draw", int, 0, "Standings points for a drawn series.", -10, 10),
        SettingKey("points_loss", int, 0, "Standings points for a series loss.", -10, 10),
        SettingKey(
            "points_forfeit_loss", int, 0, "Standings points for forfeiting a series.", -10, 10
        ),
        SettingKey(
            "tie_breaks",
            list,
            list(_TIE_BREAKS),
            "Order of tie-breakers after points.",
            choices=_TIE_BREAKS,
        ),
        SettingKey(
            "roster_substitutes",
            int,
            2,
            "Players a roster may hold beyond the game mode's team size, for new leagues.",
            0,
            20,
        ),
        SettingKey(
            "required_ratifications",
            int,
            1,
            "Players of the opposing side who must ratify a submitted result.",
            0,
            10,
        ),
        SettingKey(
            "ratification_mode",
            str,
            "count",
            "count: the required number ratifies; majority: most of the opposing side.",
            choices=("count", "majority"),
        ),
        SettingKey(
            "substitutes_per_series",
            int,
            1,
            "Players beyond the team size a side may field across one series.",
            0,
            10,
        ),
        SettingKey("require_private_match", bool, True, "Replays must be private matches."),
        SettingKey(
            "replay_date_tolerance_hours",
            int,
            24,
            "Hours a game may be played outside its match window.",
            0,
            24 * 14,
        ),
        SettingKey(
            "match_reminder_minutes",
            int,
            24 * 60,
            "Minutes before a match's window closes when its teams are reminded that no "
            "result is submitted yet (0: no reminders).",
            0,
            7 * 24 * 60,
        ),
        SettingKey("queue_ban_initial_minutes", int, 30, "First queue ban.", 0, 60 * 24 * 30),
        SettingKey(
            "queue_ban_modifier_minutes",
            int,
            30,
            "Added to a queue ban for each ban in the look-back window.",
            0,
            60 * 24 * 30,
        ),
        SettingKey(
            "queue_ban_lookback_days", int, 30, "Days of past bans that lengthen a ban.", 0, 365
        ),
        SettingKey(
            "scrim_check_in_seconds", int, 300, "Time to check in once a scrim pops.", 10, 3600
        ),
        SettingKey(
            "scrims_enabled", bool, True, "Players may create and join scrims (staff switch)."
        ),
        SettingKey(
            "scrim_queue_games",
            int,
            3,
            "Games of a scrim formed by the matchmaking queue.",
            1,
            15,
        ),
        SettingKey(
            "scrim_queue_gather_seconds",
            int,
            0,
            "Seconds the matchmaking queue gathers players before forming lobbies, so that "
            "a larger pool gives lobbies of closer skill (0: form as soon as a lobby is full).",
            0,
            3600,
        ),
        SettingKey(
            "rating_provisional_games",
            int,
            10,
            "Rated games before a player's rating stops being marked provisional.",
            0,
            1000,
        ),
        SettingKey(
            "replay_downloads",
            str,
            "public",
            "Who may download replay files: public (anyone) or members (the organization's "
            "members and staff, signed in; a replay file carries every player's platform ids).",
            choices=("public", "members"),
        ),
        SettingKey(
            "ratings_from_competitive_scrims",
            bool,
            True,
            "Accepted games of competitive scrims update the players' ratings.",
        ),
        SettingKey(
            "primary_colour",
            str,
            "#1f3a5f",
            "The organization's main colour: the background of its report cards' header.",
            pattern=COLOUR,
        ),
        SettingKey(
            "secondary_colour",
            str,
            "#e07a1f",
            "The organization's accent colour: its report cards' highlights (series winner, MVPs).",
            pattern=COLOUR,
        ),
    )
}


@dataclass(frozen=True)
class OrganizationConfig:
    """An organization's effective configuration: stored values over defaults."""

    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def points(self) -> PointsRule:
        return PointsRule(
            win=self["points_win"],
            draw=self["points_draw"],
            loss=self["points_loss"],
            forfeit_loss=self["points_forfeit_loss"],
        )

    @property
    def tie_breaks(self) -> tuple[TieBreak, ...]:
        return tuple(TieBreak(v) for v in self["tie_breaks"])


def effective_config(stored: dict[str, Any]) -> OrganizationConfig:
    """The configuration an organization's stored values (setting key -> value, as kept in
    the database) make: every key of :data:`KEYS`, its default where not stored. Stored keys
    no longer known are ignored."""
    values = {key: spec.default for key, spec in KEYS.items()}
    values.update({k: v for k, v in stored.items() if k in KEYS})
    return OrganizationConfig(values)


def setting_key(key: str) -> SettingKey:
    """The declaration of a setting by its key (``points_win``...). Raises UNKNOWN_SETTING."""
    try:
        return KEYS[key]
    except KeyError:
        raise InvalidInput(
            f"There is no setting called '{key}'. Known settings: {', '.join(sorted(KEYS))}.",
            code=LeagueCode.UNKNOWN_SETTING,
        ) from None
