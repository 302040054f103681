"""Ratings from every domain's results: a full recompute reads the games of league matches
and of competitive scrims, which the ratings (below both scrims and this floor) cannot know
of by themselves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.ratings import service as ratings
from sprocket.ratings.service import GameSource, RecomputeResult
from sprocket.scrims import results as scrim_results

#: Every source of rated games, in no particular order (the history is sorted by acceptance).
GAME_SOURCES: tuple[GameSource, ...] = (
    ratings.league_match_games,
    scrim_results.competitive_scrim_games,
)


async def recompute(
    session: AsyncSession, *, organization_id: int, game_mode_id: int
) -> RecomputeResult:
    """Rebuild every rating and rating point of an organization's game mode from the whole
    history of rated games (:data:`GAME_SOURCES`), as
    :func:`sprocket.ratings.service.recompute` does; returns how many games, players and
    points it rebuilt."""
    return await ratings.recompute(
        session, organization_id=organization_id, game_mode_id=game_mode_id, sources=GAME_SOURCES
    )
