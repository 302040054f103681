"""The error codes of schedule: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class ScheduleCode(ErrorCode):
    """Schedules and results."""

    NO_MATCH_WEEKS = (
        "NO_MATCH_WEEKS",
        "The season has no match weeks yet.",
    )
    INVALID_MATCH_WEEKS = (
        "INVALID_MATCH_WEEKS",
        "A number or length of match weeks out of range.",
    )
    SCHEDULE_EXISTS = (
        "SCHEDULE_EXISTS",
        "The teams already have fixtures in the season.",
    )
    SCHEDULE_TOO_FEW_TEAMS = (
        "SCHEDULE_TOO_FEW_TEAMS",
        "A schedule needs at least two teams.",
    )
    SCHEDULE_NOT_ENOUGH_WEEKS = (
        "SCHEDULE_NOT_ENOUGH_WEEKS",
        "The round robin needs more match weeks than the season has.",
    )
    SCHEDULE_DUPLICATE_TEAM = (
        "SCHEDULE_DUPLICATE_TEAM",
        "A team is listed twice for the generator.",
    )
    SCHEDULE_DUPLICATE_WEEK = (
        "SCHEDULE_DUPLICATE_WEEK",
        "A match week number is listed twice.",
    )
    SCHEDULE_CSV_INVALID = (
        "SCHEDULE_CSV_INVALID",
        "The schedule CSV has problems (line by line in `details`); nothing was imported.",
    )
    FILE_TOO_LARGE = (
        "FILE_TOO_LARGE",
        "The schedule CSV is larger than an import takes.",
    )
    WINDOW_OUTSIDE_WEEK = (
        "WINDOW_OUTSIDE_WEEK",
        "A match window does not lie within its match week.",
    )
    WINDOW_OUTSIDE_SEASON = (
        "WINDOW_OUTSIDE_SEASON",
        "A match window (or week) does not lie within its season.",
    )
    MATCH_ALREADY_DECIDED = (
        "MATCH_ALREADY_DECIDED",
        "The match already has a result (or a forfeit).",
    )
    WRONG_TEAM = (
        "WRONG_TEAM",
        "Only a team playing the match can forfeit it.",
    )
    FORFEIT_REASON_REQUIRED = (
        "FORFEIT_REASON_REQUIRED",
        "A forfeit recorded with a reason that says nothing (blank).",
    )
    INVALID_SCORE = (
        "INVALID_SCORE",
        "A game with an impossible score (negative, over 99, or level without a recorded winner).",
    )
    WRONG_GAME_COUNT = (
        "WRONG_GAME_COUNT",
        "The games do not make a decided series of the match's format.",
    )
    STANDINGS_UNKNOWN_TIE_BREAK = (
        "STANDINGS_UNKNOWN_TIE_BREAK",
        "A tie-break the standings do not know.",
    )
    STANDINGS_DUPLICATE_TEAM = (
        "STANDINGS_DUPLICATE_TEAM",
        "Standings computed with a team listed twice.",
    )
    STANDINGS_UNKNOWN_TEAM = (
        "STANDINGS_UNKNOWN_TEAM",
        "A result names a team that is not in the standings.",
    )
    STANDINGS_SELF_MATCH = (
        "STANDINGS_SELF_MATCH",
        "A result lists one team on both sides.",
    )
    STANDINGS_BAD_FORFEIT = (
        "STANDINGS_BAD_FORFEIT",
        "A forfeit by a team that is not in the series.",
    )
    STANDINGS_EMPTY_SERIES = (
        "STANDINGS_EMPTY_SERIES",
        "A series with no games and no forfeit.",
    )
    STANDINGS_NEGATIVE_GOALS = (
        "STANDINGS_NEGATIVE_GOALS",
        "A game with a negative score.",
    )
    STANDINGS_TIED_GAME = (
        "STANDINGS_TIED_GAME",
        "A level game without a recorded winner.",
    )
