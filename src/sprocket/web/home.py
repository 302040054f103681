"""The home page, ``/``: organizations, their staff's latest announcements, their current
seasons, recent results, upcoming matches and top players."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import rows_by_ids, utcnow
from sprocket.league import service as league
from sprocket.league.models import GameMode, Member, Organization
from sprocket.notifications.announcements import recent_announcements
from sprocket.ratings.leaderboards import Filters, PlayerBoard, player_leaderboard
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.web.clocks import clocks
from sprocket.web.pages import WebRoute, render

#: How many organizations, matches and players each part of the page shows.
ORGANIZATIONS = 20
MATCHES = 8
TOP_PLAYERS = 5


@dataclass(frozen=True)
class Board:
    """The top of one organization's rating board in one game mode."""

    organization: Organization
    mode: str
    rows: list[tuple[int, int, str, float, int]]  # rank, member id, name, rating, games


def home_router(runtime: Runtime) -> APIRouter:
    """``/``: what a spectator wants first, every part read through the domains' services."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/")
    async def home(request: Request) -> Response:
        now = utcnow()
        async with runtime.reading() as session:
            organizations = (await league.organizations(session, first=ORGANIZATIONS)).rows
            by_id = {org.id: org for org in organizations}
            seasons = await league.current_seasons(session, at=now, organization_ids=list(by_id))
            announcements = await recent_announcements(session, organization_ids=list(by_id))
            results = await overview.recent_results(session, first=MATCHES)
            upcoming = await overview.upcoming_matches(session, at=now, first=MATCHES)
            modes = await rows_by_ids(session, GameMode, [lg.game_mode_id for _, lg in seasons])
            boards = []
            for org_id, mode_id in dict.fromkeys(
                (lg.organization_id, lg.game_mode_id) for _, lg in seasons
            ):
                board = await player_leaderboard(
                    session,
                    by=PlayerBoard.RATING,
                    filters=Filters(organization_id=org_id, game_mode_id=mode_id),
                    first=TOP_PLAYERS,
                )
                names = await rows_by_ids(session, Member, [e.member_id for e in board.entries])
                rows = [
                    (e.rank, e.member_id, names[e.member_id].name, e.value, e.games)
                    for e in board.entries
                    if e.member_id in names
                ]
                if rows:
                    boards.append(Board(by_id[org_id], modes[mode_id].name, rows))
            moments = await clocks(
                session, {*by_id, *(line.organization_id for line in (*results, *upcoming))}
            )
        return render(
            request,
            "home.html",
            organizations=organizations,
            announcements=[
                (by_id[org_id], row) for org_id, rows in announcements.items() for row in rows
            ],
            seasons=[(by_id[lg.organization_id], lg, season) for season, lg in seasons],
            results=results,
            upcoming=upcoming,
            boards=boards,
            moments=moments,
        )

    return router
