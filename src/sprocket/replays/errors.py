"""The error codes of replays: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class ReplayCode(ErrorCode):
    """Replay files and submissions."""

    NOT_A_REPLAY = (
        "NOT_A_REPLAY",
        "The file is empty or not shaped like a Rocket League replay.",
    )
    TRUNCATED_REPLAY = (
        "TRUNCATED_REPLAY",
        "The file ends before the sizes it declares (an interrupted upload or copy).",
    )
    CORRUPT_REPLAY = (
        "CORRUPT_REPLAY",
        "A CRC check fails, or bytes trail the body: the file was changed after the game saved it.",
    )
    REPLAY_TOO_LARGE = (
        "REPLAY_TOO_LARGE",
        "A replay file over `SPROCKET_REPLAY_MAX_BYTES`.",
    )
    UNSUPPORTED_REPLAY = (
        "UNSUPPORTED_REPLAY",
        "An intact file whose header follows no layout the parser knows (a newer game version).",
    )
    NO_FILES = (
        "NO_FILES",
        "A submission without replay files.",
    )
    TOO_MANY_FILES = (
        "TOO_MANY_FILES",
        "More replays than a series can have (15).",
    )
    WRONG_FILE_COUNT = (
        "WRONG_FILE_COUNT",
        "Not one replay per game of the scrim or fixed-length match.",
    )
    DUPLICATE_FILE = (
        "DUPLICATE_FILE",
        "The same file twice in one upload.",
    )
    REPLAY_ALREADY_USED = (
        "REPLAY_ALREADY_USED",
        "The file already proves a game of another open or accepted submission.",
    )
    SUBMISSION_IN_PROGRESS = (
        "SUBMISSION_IN_PROGRESS",
        "The match or scrim already has an open submission.",
    )
    REPLAY_FILE_MISSING = (
        "REPLAY_FILE_MISSING",
        "HTTP 404: the stored replay's file is gone from storage (logged as a fault).",
    )
    NOT_OPEN = (
        "NOT_OPEN",
        "The submission is no longer open (accepted or rejected).",
    )
    NOT_PROCESSED = (
        "NOT_PROCESSED",
        "The submission is still being checked.",
    )
    NOT_AWAITING_RATIFICATION = (
        "NOT_AWAITING_RATIFICATION",
        "The submission is not waiting for ratification.",
    )
    SUBMITTING_SIDE = (
        "SUBMITTING_SIDE",
        "The submitting side cannot ratify its own result; the other side does.",
    )
    REASON_REQUIRED = (
        "REASON_REQUIRED",
        "A rejection, and each staff override of a result (force-accept, reset, invalidate) "
        "asked from the web pages, needs a reason.",
    )
    ALREADY_ACCEPTED = (
        "ALREADY_ACCEPTED",
        "An accepted result is invalidated, not reset.",
    )
    NOT_ACCEPTED = (
        "NOT_ACCEPTED",
        "Only an accepted result can be invalidated.",
    )
    CANNOT_ACCEPT = (
        "CANNOT_ACCEPT",
        "The submission's games cannot be matched to the two sides (or a game has no winner), so "
        "it cannot be accepted.",
    )
    NOT_IN_REPORT = (
        "NOT_IN_REPORT",
        "The claimed account is not among the submission's unknown accounts.",
    )
    DUPLICATE_CLAIM = (
        "DUPLICATE_CLAIM",
        "Someone already claimed the account; it awaits confirmation.",
    )
    CLAIM_DECIDED = (
        "CLAIM_DECIDED",
        "The account claim was confirmed already; staff unlink the account instead of refusing.",
    )


class ProblemCode(ErrorCode):
    """Problems in a replay report (each game of a submission).

    Problems are not errors of a request: a submission lists them per game, and the
    submission is rejected while it has any.
    """

    UNKNOWN_ACCOUNT = (
        "UNKNOWN_ACCOUNT",
        "A player's game account is linked to nobody (it can be claimed from the report).",
    )
    UNKNOWN_PLATFORM = (
        "UNKNOWN_PLATFORM",
        "A player has no platform id the parser can read.",
    )
    BOT_PLAYER = (
        "BOT_PLAYER",
        "A bot played; games are played by people.",
    )
    NOT_IN_LINEUP = (
        "NOT_IN_LINEUP",
        "In a scrim's game, a player who is not in that game's line-up.",
    )
    MIXED_SIDE = (
        "MIXED_SIDE",
        "One side of the game holds players of both teams.",
    )
    SIDES_UNKNOWN = (
        "SIDES_UNKNOWN",
        "No known player of either team appears.",
    )
    SAME_TEAM_BOTH_SIDES = (
        "SAME_TEAM_BOTH_SIDES",
        "Both sides of the game are the same team.",
    )
    WRONG_TEAM_SIZE = (
        "WRONG_TEAM_SIZE",
        "The game's team size is not the league's or the scrim's.",
    )
    NOT_PRIVATE = (
        "NOT_PRIVATE",
        "The game was not a private match.",
    )
    NO_DATE = (
        "NO_DATE",
        "The replay records no date.",
    )
    OUTSIDE_WINDOW = (
        "OUTSIDE_WINDOW",
        "The game was played outside the match window (dates in the organization's time zone).",
    )
    UNDECIDED_GAME = (
        "UNDECIDED_GAME",
        "The game has no winner (a level score, no recorded winner).",
    )
    UNFINISHED_GAME = (
        "UNFINISHED_GAME",
        "The replay of an unfinished match: flagged by its header, or stopped before five minutes "
        "of play without a winner.",
    )
    DUPLICATE_GAME = (
        "DUPLICATE_GAME",
        "The same game twice (the same replay id, or another player's copy with the same match "
        "GUID), within a submission or across open or accepted ones; in ratings, a game listed "
        "twice in a history.",
    )
    TOO_MANY_SUBSTITUTES = (
        "TOO_MANY_SUBSTITUTES",
        "A side fielded more players over the series than its team size plus substitutes.",
    )
    PLAYER_ON_BOTH_SIDES = (
        "PLAYER_ON_BOTH_SIDES",
        "A player played for both sides of the series.",
    )
