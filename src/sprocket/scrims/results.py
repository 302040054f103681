"""A scrim's results: its games' recorded goals and winners, and their ratings.

A scrim's replays go through the submission flow of league matches
(:mod:`sprocket.flows.scrim_results` makes the scrim a submission's subject); accepting them
records each game here (:func:`record_results`), invalidating clears them
(:func:`reopen_results`).

Games of completed competitive scrims are rated while the organization setting
``ratings_from_competitive_scrims`` is on: :func:`rate_scrim_games` when a result is accepted,
and :func:`competitive_scrim_games` as a source of the full history a recompute replays (their
order is the scrim's ``finished_at``, source ``scrim``, then the game's id: see
:mod:`sprocket.ratings.service`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import database_now
from sprocket.errors import Conflict
from sprocket.league.configuration import KEYS
from sprocket.league.models import OrganizationSetting
from sprocket.ratings import service as ratings
from sprocket.ratings.enums import RatingSource
from sprocket.ratings.models import RatingPoint
from sprocket.ratings.service import RatedGame
from sprocket.replays.errors import ReplayCode
from sprocket.replays.models import Submission
from sprocket.replays.subjects import replay_ids
from sprocket.replays.validation import decided_winners
from sprocket.scrims import service
from sprocket.scrims.enums import ScrimStatus
from sprocket.scrims.models import Scrim, ScrimGame
from sprocket.scrims.validation import Lineup

SCRIMS_KEY = "ratings_from_competitive_scrims"


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(",") if v)


def lineups(games: Sequence[ScrimGame]) -> list[Lineup]:
    """The games' line-ups (member ids of each side), game 1 first."""
    return [Lineup(_ids(g.home_member_ids), _ids(g.away_member_ids)) for g in games]


# -- recording -------------------------------------------------------------------------------


async def record_results(
    session: AsyncSession,
    *,
    scrim: Scrim,
    games: Sequence[ScrimGame],
    submission: Submission,
    now: dt.datetime,
) -> None:
    """Record an accepted submission's games (``submission.report``'s, one per game in game
    order): each game's goals, winner (its replay's outcome), replay and time (the replay's
    date, else ``now``); the scrim is then complete at ``now`` and its seats freed. Raises
    CANNOT_ACCEPT when the report's games do not match the scrim's."""
    reports = (submission.report or {}).get("games", [])
    if len(reports) != len(games) or any(r.get("home_goals") is None for r in reports):
        raise Conflict(
            "This submission's games cannot be matched to the scrim's line-ups; it cannot "
            "be accepted.",
            code=ReplayCode.CANNOT_ACCEPT,
        )
    winners = decided_winners(reports)
    stored = await replay_ids(session, submission)
    for game, report, won, replay_id in zip(games, reports, winners, stored, strict=True):
        game.home_goals, game.away_goals = report["home_goals"], report["away_goals"]
        game.home_won = won
        game.stored_replay_id = replay_id
        moment = report.get("played_at")
        game.played_at = dt.datetime.fromisoformat(moment) if moment else now
    for entry in await service.active_entries(session, scrim_id=scrim.id):
        service.unseat(entry=entry, now=now)
    service.finish(scrim=scrim, status=ScrimStatus.COMPLETE, now=now)
    await session.flush()


async def reopen_results(
    session: AsyncSession, *, scrim: Scrim, games: Sequence[ScrimGame]
) -> None:
    """Clear the games' results: the scrim is in progress again, for a new upload (staff
    cancel it if none comes)."""
    for game in games:
        game.home_goals = game.away_goals = game.home_won = None
        game.stored_replay_id = None
        game.played_at = None
    scrim.status = ScrimStatus.IN_PROGRESS
    scrim.finished_at = None
    await session.flush()


# -- ratings ---------------------------------------------------------------------------------


async def _scrims_rated(session: AsyncSession, organization_id: int) -> bool:
    stored = await session.scalar(
        select(OrganizationSetting.value).where(
            OrganizationSetting.organization_id == organization_id,
            OrganizationSetting.key == SCRIMS_KEY,
        )
    )
    return bool(KEYS[SCRIMS_KEY].default if stored is None else stored)


def _scrim_games_query():  # noqa: ANN202 - a SQLAlchemy select of two entities
    return (
        select(ScrimGame, Scrim)
        .join(Scrim, Scrim.id == ScrimGame.scrim_id)
        .where(
            Scrim.status == ScrimStatus.COMPLETE,
            Scrim.competitive.is_(True),
            ScrimGame.stored_replay_id.is_not(None),
            ScrimGame.home_won.is_not(None),
        )
        .order_by(ScrimGame.id)
    )


def _rated_game(game: ScrimGame, scrim: Scrim) -> RatedGame | None:
    home, away = _ids(game.home_member_ids), _ids(game.away_member_ids)
    if not home or not away or game.home_won is None:
        return None
    accepted = scrim.finished_at or scrim.started_at or scrim.created_at
    return RatedGame(
        source=RatingSource.SCRIM,
        game_id=game.id,
        organization_id=scrim.organization_id,
        game_mode_id=scrim.game_mode_id,
        accepted_at=accepted,
        played_at=game.played_at or accepted,
        home=home,
        away=away,
        home_won=game.home_won,
    )


async def competitive_scrim_games(
    session: AsyncSession, organization_id: int, game_mode_id: int
) -> list[RatedGame]:
    """Games of the organization's completed competitive scrims in the game mode, when its
    setting ``ratings_from_competitive_scrims`` is on (read now: turning it off and
    recomputing takes every scrim game back out of the ratings). A
    :data:`~sprocket.ratings.service.GameSource`."""
    if not await _scrims_rated(session, organization_id):
        return []
    rows = await session.execute(
        _scrim_games_query().where(
            Scrim.organization_id == organization_id, Scrim.game_mode_id == game_mode_id
        )
    )
    return [g for g in (_rated_game(*row) for row in rows) if g is not None]


async def rate_scrim_games(session: AsyncSession, *, scrim_id: int) -> list[RatingPoint]:
    """Rate the games of a just-completed scrim, if it is competitive and its organization
    rates scrims (safe to run again: rated games are skipped). Returns the new rating points.

    As for :func:`~sprocket.ratings.service.rate_match_games`, the scrim's ``finished_at`` is
    stamped again once its players' ratings are held, so a recompute reads the results in
    the order they were applied."""
    await session.flush()
    rows = (await session.execute(_scrim_games_query().where(Scrim.id == scrim_id))).all()
    if not rows or not await _scrims_rated(session, rows[0][1].organization_id):
        return []
    games = [g for g in (_rated_game(*row) for row in rows) if g is not None]
    points = await ratings.rate_games(session, games=games)
    if points:  # applied after any result that held these ratings first: stamped after it
        rows[0][1].finished_at = await database_now(session)
        await session.flush()
    return points
