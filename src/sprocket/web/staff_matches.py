"""``/staff/{slug}/matches/{match}``: one match of the schedule, for league staff:
move its window (within its week and season) or record that one side forfeits it, saying
why (the audit log keeps the reason; the page shows the match's trail), through the
schedule domain's services."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.errors import DomainError, NotFound
from sprocket.identity.access import Actor
from sprocket.league import audit_trail
from sprocket.league import service as league
from sprocket.league.errors import LeagueCode
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.schedule.errors import ScheduleCode
from sprocket.schedule.models import Fixture, Match
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import path_id
from sprocket.web.staff_forms import (
    Form,
    attempt,
    beside,
    choice,
    local_input,
    moment,
    organization_in_path,
    staff_organization,
    text,
)


async def match_of(session: AsyncSession, org_id: int, match_id: int) -> tuple[Match, Fixture]:
    """The match ``match_id`` of the organization ``org_id``, with its fixture. Raises
    NOT_FOUND (none, or another organization's)."""
    match, fixture, lg = await schedule.match_context(session, match_id)
    if lg.organization_id != org_id:
        raise NotFound(f"There is no match with id {match_id}.")
    return match, fixture


def matches_router(runtime: Runtime) -> APIRouter:
    """The match page and its reschedule and forfeit forms."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def show(
        request: Request,
        org_id: int,
        match_id: int,
        *,
        status: int = 200,
        error: DomainError | None = None,
        field: str | None = None,
        form: Form | None = None,
        failed: str | None = None,
    ) -> Response:
        async with runtime.reading() as session:
            org = await staff_organization(session, viewer(request), org_id)
            match, fixture = await match_of(session, org_id, match_id)
            line = await overview.match_line(session, match_id=match.id)
            season, lg = await league.season_by_id(session, season_id=match.season_id)
            entries = await audit_trail.trail(
                session,
                actor=viewer(request),
                organization_id=org_id,
                subjects=[f"match:{match.id}"],
            )
        return render(
            request,
            "staff/match.html",
            status=status,
            organization=org,
            match=match,
            line=line,
            season=season,
            league=lg,
            sides=[
                (fixture.home_team_id, f"{line.home} (home)"),
                (fixture.away_team_id, f"{line.away} (away)"),
            ],
            window=(
                local_input(match.starts_at, org.time_zone),
                local_input(match.ends_at, org.time_zone),
            ),
            when=when(org.time_zone),
            trail=entries,
            error=error,
            field=field,
            form=form or {},
            failed=failed,
        )

    @router.get("/staff/{slug}/matches/{match_id}")
    async def match_page(request: Request, slug: str, match_id: str) -> Response:
        return await show(
            request, await organization_in_path(runtime, request, slug), path_id(match_id, "match")
        )

    @router.post("/staff/{slug}/matches/{match_id}/reschedule")
    async def reschedule(request: Request, slug: str, match_id: str) -> Response:
        org_id, ident = (
            await organization_in_path(runtime, request, slug),
            path_id(match_id, "match"),
        )

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            match, _ = await match_of(session, org_id, ident)
            zone = await league.organization_zone(session, org_id)
            starts = moment(form, "starts_at", "start", zone)
            ends = moment(form, "ends_at", "end", zone)
            if starts is None:
                raise beside("starts_at", "Give the moment the match window opens.")
            if ends is None:
                raise beside("ends_at", "Give the moment the match window closes.")
            moved = await schedule.reschedule_match(
                session, actor=who, match_id=match.id, starts_at=starts, ends_at=ends
            )
            return (
                f"/staff/{slug}/matches/{match.id}",
                f"Match {match.id} now runs from {when(zone)(moved.starts_at)} "
                f"to {when(zone)(moved.ends_at)}.",
            )

        return await attempt(
            runtime,
            request,
            org_id,
            work,
            again=partial(show, request, org_id, ident),
            failed="reschedule",
            fields={
                LeagueCode.INVALID_DATES: "ends_at",
                ScheduleCode.WINDOW_OUTSIDE_WEEK: "starts_at",
                ScheduleCode.WINDOW_OUTSIDE_SEASON: "starts_at",
            },
        )

    @router.post("/staff/{slug}/matches/{match_id}/forfeit")
    async def forfeit(request: Request, slug: str, match_id: str) -> Response:
        org_id, ident = (
            await organization_in_path(runtime, request, slug),
            path_id(match_id, "match"),
        )

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            match, _ = await match_of(session, org_id, ident)
            team_id = choice(form, "forfeit_team", "team")
            if team_id is None:
                raise beside("forfeit_team", "Choose the side that forfeits.")
            await schedule.record_forfeit(
                session,
                actor=who,
                match_id=match.id,
                team_id=team_id,
                reason=text(form, "forfeit_reason"),
            )
            line = await overview.match_line(session, match_id=match.id)
            return (
                f"/staff/{slug}/matches/{match.id}",
                f"{line.forfeited_by} forfeits match {match.id} against "
                f"{line.away if line.forfeited_by == line.home else line.home}.",
            )

        return await attempt(
            runtime,
            request,
            org_id,
            work,
            again=partial(show, request, org_id, ident),
            failed="forfeit",
            fields={
                ScheduleCode.WRONG_TEAM: "forfeit_team",
                ScheduleCode.FORFEIT_REASON_REQUIRED: "forfeit_reason",
            },
        )

    return router
