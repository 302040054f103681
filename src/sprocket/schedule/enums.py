"""States of scheduled matches, as stored (the lowercase values)."""

from __future__ import annotations

from enum import StrEnum


class MatchStatus(StrEnum):
    """A match waits for its result (``scheduled``), then counts as played (``completed``)
    or lost by one side's forfeit (``forfeited``)."""

    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    FORFEITED = "forfeited"
