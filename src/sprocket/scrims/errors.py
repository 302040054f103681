"""The error codes of scrims: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class ScrimCode(ErrorCode):
    """Scrims and the matchmaking queue."""

    SCRIMS_DISABLED = (
        "SCRIMS_DISABLED",
        "Scrims are turned off in the organization.",
    )
    NO_SKILL_GROUP = (
        "NO_SKILL_GROUP",
        "The member plays in no league of the mode here: casual scrims only.",
    )
    QUEUE_BANNED = (
        "QUEUE_BANNED",
        "The member is banned from the scrim queue until the time given.",
    )
    SCRIM_REASON_REQUIRED = (
        "SCRIM_REASON_REQUIRED",
        "Staff say why they ban a member from the queue, or cancel a scrim from the web pages.",
    )
    INVALID_BAN_LENGTH = (
        "INVALID_BAN_LENGTH",
        "A queue ban staff give lasts a whole number of minutes, from one minute to a year.",
    )
    BAN_NOT_ACTIVE = (
        "BAN_NOT_ACTIVE",
        "The queue ban is no longer in force (or the member has none in force).",
    )
    INVALID_WAIT = (
        "INVALID_WAIT",
        "A wait outside 1 minute to 24 hours (or a time without a zone).",
    )
    INVALID_GAMES = (
        "INVALID_GAMES",
        "A scrim's number of games out of range.",
    )
    INVALID_TEAM_MODE = (
        "INVALID_TEAM_MODE",
        "A team mode that is not `fixed` or `round_robin`.",
    )
    ALREADY_IN_SCRIM = (
        "ALREADY_IN_SCRIM",
        "The member is already in a scrim.",
    )
    ALREADY_QUEUED = (
        "ALREADY_QUEUED",
        "The member is already waiting in the matchmaking queue.",
    )
    NOT_QUEUED = (
        "NOT_QUEUED",
        "The member is not waiting in the matchmaking queue.",
    )
    ALREADY_IN_GROUP = (
        "ALREADY_IN_GROUP",
        "The member is already in a premade group of the scrim.",
    )
    GROUP_NOT_FOUND = (
        "GROUP_NOT_FOUND",
        "No premade group with that code in the scrim.",
    )
    GROUP_FULL = (
        "GROUP_FULL",
        "The premade group is a full team.",
    )
    SCRIM_FULL = (
        "SCRIM_FULL",
        "The scrim is full.",
    )
    SCRIM_NOT_OPEN = (
        "SCRIM_NOT_OPEN",
        "The scrim no longer takes players.",
    )
    SCRIM_LOCKED = (
        "SCRIM_LOCKED",
        "Staff locked the scrim.",
    )
    SCRIM_NOT_LOCKED = (
        "SCRIM_NOT_LOCKED",
        "The scrim is not locked.",
    )
    SCRIM_NOT_LOCKABLE = (
        "SCRIM_NOT_LOCKABLE",
        "Only a pending or running scrim can be locked.",
    )
    SCRIM_POPPED = (
        "SCRIM_POPPED",
        "The scrim has popped: its players check in now.",
    )
    SCRIM_STARTED = (
        "SCRIM_STARTED",
        "The scrim has started: nobody leaves now.",
    )
    SCRIM_FINISHED = (
        "SCRIM_FINISHED",
        "The scrim is already complete or cancelled.",
    )
    SCRIM_NOT_IN_PROGRESS = (
        "SCRIM_NOT_IN_PROGRESS",
        "Results are submitted and accepted while a scrim is in progress.",
    )
    NOT_IN_SCRIM = (
        "NOT_IN_SCRIM",
        "The member is not in that scrim.",
    )
    NOT_POPPED = (
        "NOT_POPPED",
        "The scrim has not popped yet: check-in opens when it is full.",
    )
    ALREADY_CHECKED_IN = (
        "ALREADY_CHECKED_IN",
        "The member already checked in.",
    )
    CHECK_IN_CLOSED = (
        "CHECK_IN_CLOSED",
        "The check-in window closed.",
    )
