"""Reads of ratings for the doors: each member's ratings and recent rating history, many
members at once (one statement each), how long a history may be asked for, and what a series
of games did to its players' ratings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sprocket.db import grouped_by
from sprocket.errors import CommonCode, InvalidInput
from sprocket.ratings.enums import RatingSource
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.ratings.skill import display_rating

#: The most rating points (or games of form) one request reads per member.
MAX_HISTORY = 100


def check_history_length(count: int, *, unit: str) -> None:
    """Raises InvalidInput (``INVALID_PAGE_SIZE``) unless ``count`` is 1 to
    :data:`MAX_HISTORY`; ``unit`` says what is counted in the sentence (e.g. ``"points at a
    time"``, ``"games"``)."""
    if not 1 <= count <= MAX_HISTORY:
        raise InvalidInput(f"Ask for 1 to {MAX_HISTORY} {unit}.", code=CommonCode.INVALID_PAGE_SIZE)


async def ratings_by_member(
    session: AsyncSession, *, member_ids: Sequence[int]
) -> dict[int, list[Rating]]:
    """Every rating of each member (ids), one per game mode they were rated in, by member id,
    each list by game mode id; unrated members are left out."""
    rows = await session.scalars(
        select(Rating)
        .where(Rating.member_id.in_(member_ids))
        .order_by(Rating.member_id, Rating.game_mode_id)
    )
    return grouped_by(rows, lambda row: row.member_id)


async def recent_points(
    session: AsyncSession, *, member_ids: Sequence[int], game_mode_id: int, limit: int
) -> dict[int, list[RatingPoint]]:
    """The newest ``limit`` rating points (one per rated game) of each member (ids) in a game
    mode, by member id, newest first; members without any are left out."""
    number = (
        func.row_number()
        .over(partition_by=RatingPoint.member_id, order_by=RatingPoint.id.desc())
        .label("n")
    )
    ranked = (
        select(RatingPoint, number)
        .where(RatingPoint.member_id.in_(member_ids), RatingPoint.game_mode_id == game_mode_id)
        .subquery()
    )
    point = aliased(RatingPoint, ranked)
    rows = await session.scalars(
        select(point).where(ranked.c.n <= limit).order_by(point.member_id, point.id.desc())
    )
    return grouped_by(rows, lambda row: row.member_id)


async def rating_spans(
    session: AsyncSession, *, source: RatingSource, game_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """What the rated games ``game_ids`` of ``source`` (a series' match game ids, or a
    scrim's game ids) did to each of their players: the displayed rating before the first of
    them the member played and after the last, by member id (games are taken in the order
    they were rated). Members with no rated game among them are left out. One statement."""
    rows = await session.scalars(
        select(RatingPoint)
        .where(RatingPoint.source == source, RatingPoint.source_game_id.in_(set(game_ids)))
        .order_by(RatingPoint.id)
    )
    spans: dict[int, tuple[int, int]] = {}
    for point in rows:
        earlier = spans.get(point.member_id)
        if earlier is None:
            before = display_rating(point.mu_before, point.sigma_before)
        else:
            before = earlier[0]
        spans[point.member_id] = (before, point.displayed_after)
    return spans
