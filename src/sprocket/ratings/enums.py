"""Kinds of the ratings' data, as stored (the lowercase values)."""

from __future__ import annotations

from enum import StrEnum


class RatingSource(StrEnum):
    """Where a rated game was played: a league match or a scrim."""

    MATCH = "match"
    SCRIM = "scrim"
