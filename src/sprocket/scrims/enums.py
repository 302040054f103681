"""States of scrims and of the matchmaking queue, as stored (the lowercase values)."""

from __future__ import annotations

from enum import StrEnum


class ScrimStatus(StrEnum):
    """A scrim's life, as the original Sprocket's: it waits for players (``pending``), pops
    when full (``popped``, check-in), is played (``in_progress``) and ends ``complete`` or
    ``cancelled``; staff may hold a pending or running scrim (``locked``)."""

    PENDING = "pending"
    POPPED = "popped"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    LOCKED = "locked"


#: The scrims that are not over (what the queue and a member's current scrim show).
OPEN_SCRIM_STATUSES = (
    ScrimStatus.PENDING,
    ScrimStatus.POPPED,
    ScrimStatus.IN_PROGRESS,
    ScrimStatus.LOCKED,
)


class ScrimTeamMode(StrEnum):
    """Fixed teams for the whole scrim, or a new balanced split per game."""

    FIXED = "fixed"
    ROUND_ROBIN = "round_robin"


class TicketStatus(StrEnum):
    """How a queue ticket stands: waiting (``queued``), or how it ended: ``placed`` in a
    scrim, ``left`` by its member, ``expired`` at its wait limit."""

    QUEUED = "queued"
    PLACED = "placed"
    LEFT = "left"
    EXPIRED = "expired"
