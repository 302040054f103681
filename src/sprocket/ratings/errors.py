"""The error codes of ratings: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class RatingCode(ErrorCode):
    """Ratings and leaderboards."""

    UNKNOWN_GAME_MODE = (
        "UNKNOWN_GAME_MODE",
        "No game mode has that code (Duel, Doubles, Standard).",
    )
    UNKNOWN_MEMBER = (
        "UNKNOWN_MEMBER",
        "A member of another organization (or none) in a line-up.",
    )
    INVALID_SKILL = (
        "INVALID_SKILL",
        "A rating with a non-finite mu or a sigma that is not positive.",
    )
    INVALID_MIN_GAMES = (
        "INVALID_MIN_GAMES",
        "A negative minimum number of games.",
    )
    INVALID_TIME_WINDOW = (
        "INVALID_TIME_WINDOW",
        "A leaderboard time window that ends before it starts.",
    )
    EMPTY_LINEUP = (
        "EMPTY_LINEUP",
        "A game side without players.",
    )
    PLAYER_TWICE = (
        "PLAYER_TWICE",
        "A player listed twice for the balancer.",
    )
    PLAYER_TWICE_IN_GAME = (
        "PLAYER_TWICE_IN_GAME",
        "A player on both sides of one game.",
    )
    INVALID_TEAM_SIZE = (
        "INVALID_TEAM_SIZE",
        "A team size outside 1 to 4.",
    )
    WRONG_PLAYER_COUNT = (
        "WRONG_PLAYER_COUNT",
        "Not two teams' worth of players.",
    )
    GROUP_TOO_LARGE = (
        "GROUP_TOO_LARGE",
        "A premade group larger than a team.",
    )
    GROUPS_UNPLACEABLE = (
        "GROUPS_UNPLACEABLE",
        "Premade groups that cannot be split into two teams.",
    )
    PLAYER_IN_TWO_GROUPS = (
        "PLAYER_IN_TWO_GROUPS",
        "A player in two premade groups.",
    )
    UNKNOWN_GROUP_MEMBER = (
        "UNKNOWN_GROUP_MEMBER",
        "A premade group member who is not one of the players.",
    )
    INVALID_WINDOW = (
        "INVALID_WINDOW",
        "A matchmaking window too small to fill a lobby.",
    )
