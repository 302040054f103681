"""The rules an organization sets for its standings: points per series outcome and the
order of tie-breakers. Plain values: :mod:`sprocket.schedule.standings` applies them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PointsRule:
    """Table points per series outcome; a forfeit scores ``forfeit_loss`` instead of ``loss``."""

    win: int = 1
    draw: int = 0
    loss: int = 0
    forfeit_loss: int = 0
