"""Rating bands in Discord: after new rating points, ask for a role sync of each player whose
displayed rating moved into another band of a linked server (see
:func:`sprocket.league.discord_sync.sync_band_crossings`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.league import discord_sync
from sprocket.ratings.models import RatingPoint
from sprocket.ratings.skill import display_rating


async def sync_band_crossings(session: AsyncSession, *, points: Sequence[RatingPoint]) -> None:
    """For new rating ``points`` (in the order they were rated): each player's displayed
    rating before their first point and after their last, by organization and game mode,
    handed to the band check that asks for the syncs. Raises nothing."""
    moves: dict[tuple[int, int], dict[int, tuple[int, int]]] = defaultdict(dict)
    for point in points:
        scope = moves[(point.organization_id, point.game_mode_id)]
        earlier = scope.get(point.member_id)
        before = earlier[0] if earlier else display_rating(point.mu_before, point.sigma_before)
        scope[point.member_id] = (before, point.displayed_after)
    for (organization_id, game_mode_id), ratings in sorted(moves.items()):
        await discord_sync.sync_band_crossings(
            session, organization_id=organization_id, game_mode_id=game_mode_id, ratings=ratings
        )
