"""``/me``: a signed-in player's dashboard: the next matches of the teams they play for (each
with its window, and the upload where they may submit), the submissions waiting for their
ratification, their current scrim and queue ticket in each organization, and their ratings.
Everything is read through the domains' services; a spectator gets the sign-in refusal."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import rows_by_ids, utcnow
from sprocket.flows import match_results, scrim_results
from sprocket.identity.access import Actor
from sprocket.league import members
from sprocket.league.models import GameMode, Organization, Team
from sprocket.ratings import reads as rating_reads
from sprocket.ratings import service as ratings
from sprocket.ratings.models import Rating
from sprocket.replays import service as replays
from sprocket.replays.models import Submission
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule.overview import MatchLine
from sprocket.scrims import matchmaking
from sprocket.scrims import service as scrims
from sprocket.scrims.models import QueueTicket, Scrim
from sprocket.web.clocks import clocks
from sprocket.web.pages import WebRoute, render, signed_in_viewer

#: How many of the next matches and waiting submissions the dashboard lists.
NEXT_MATCHES = 10
WAITING = 20


@dataclass(frozen=True)
class NextMatch:
    line: MatchLine
    may_submit: bool


@dataclass(frozen=True)
class Waiting:
    submission: Submission
    title: str  # "Orange Crew vs Blue Crew", "Scrim 4"
    organization_id: int


@dataclass(frozen=True)
class Playing:
    """One organization's scrim and queue ticket of the viewer."""

    organization: Organization
    scrim: Scrim | None
    scrim_mode: GameMode | None
    may_submit: bool
    ticket: QueueTicket | None
    ticket_mode: GameMode | None


@dataclass(frozen=True)
class RatingLine:
    organization: Organization
    mode: GameMode
    rating: Rating
    provisional: bool


async def _playing(session: AsyncSession, who: Actor, organization_ids: list[int]) -> list[Playing]:
    organizations = await rows_by_ids(session, Organization, organization_ids)
    found = []
    for org_id in organization_ids:
        scrim = await scrims.my_scrim(session, actor=who, organization_id=org_id)
        ticket = await matchmaking.my_ticket(session, actor=who, organization_id=org_id)
        if scrim is None and ticket is None:
            continue
        modes = await rows_by_ids(
            session, GameMode, [row.game_mode_id for row in (scrim, ticket) if row is not None]
        )
        refusal = (
            await scrim_results.scrim_submit_refusal(session, actor=who, scrim_id=scrim.id)
            if scrim is not None
            else True
        )
        found.append(
            Playing(
                organizations[org_id],
                scrim,
                modes.get(scrim.game_mode_id) if scrim else None,
                refusal is None,
                ticket,
                modes.get(ticket.game_mode_id) if ticket else None,
            )
        )
    return found


async def _ratings(session: AsyncSession, member_ids: dict[int, int]) -> list[RatingLine]:
    """``member_ids``: member id -> organization id."""
    rated = await rating_reads.ratings_by_member(session, member_ids=list(member_ids))
    rows = [r for member in member_ids for r in rated.get(member, [])]
    modes = await rows_by_ids(session, GameMode, [r.game_mode_id for r in rows])
    organizations = await rows_by_ids(session, Organization, list(member_ids.values()))
    thresholds = await ratings.provisional_thresholds(session, list(set(member_ids.values())))
    return [
        RatingLine(
            organizations[r.organization_id],
            modes[r.game_mode_id],
            r,
            r.games < thresholds[r.organization_id],
        )
        for r in rows
    ]


async def _titles(session: AsyncSession, waiting: list[Submission]) -> list[Waiting]:
    found = []
    for submission in waiting:
        if submission.match_id is not None:
            line = await overview.match_line(session, match_id=submission.match_id)
            found.append(Waiting(submission, f"{line.home} vs {line.away}", line.organization_id))
        else:
            scrim = await scrims.get_scrim(session, scrim_id=submission.scrim_id or 0, lock=False)
            found.append(Waiting(submission, f"Scrim {scrim.id}", scrim.organization_id))
    return found


def dashboard_router(runtime: Runtime) -> APIRouter:
    """``/me``: the signed-in viewer's dashboard."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/me")
    async def dashboard(request: Request) -> Response:
        who = signed_in_viewer(request, "see your dashboard")
        assert who.user_id is not None
        now = utcnow()
        async with runtime.reading() as session:
            mine = await members.memberships_of(session, user_id=who.user_id)
            memberships = [m for m in mine if m.left_at is None]
            org_ids = [m.organization_id for m in memberships]
            spots = await members.teams_of(session, user_id=who.user_id, at=now)
            teams = await rows_by_ids(session, Team, [s.team_id for s in spots])
            lines = await overview.upcoming_team_matches(
                session, team_ids=list(teams), at=now, first=NEXT_MATCHES
            )
            upcoming = [
                NextMatch(
                    line,
                    await match_results.match_submit_refusal(session, actor=who, match_id=line.id)
                    is None,
                )
                for line in lines
            ]
            playing = await _playing(session, who, org_ids)
            waiting = await replays.awaiting_answer(
                session,
                actor=who,
                scrim_ids=[p.scrim.id for p in playing if p.scrim is not None],
                first=WAITING,
            )
            rated = await _ratings(session, {m.id: m.organization_id for m in memberships})
            titles = await _titles(session, waiting)
            moments = await clocks(
                session,
                {
                    *org_ids,
                    *(line.organization_id for line in lines),
                    *(w.organization_id for w in titles),
                },
            )
        return render(
            request,
            "me.html",
            teams=[(spot, teams[spot.team_id]) for spot in spots],
            upcoming=upcoming,
            waiting=titles,
            playing=playing,
            ratings=rated,
            moments=moments,
        )

    return router
