"""``/teams/{id}``: a team's roster with its dates, its record and its matches in a season."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import children_of, rows_by_ids
from sprocket.errors import NotFound, found
from sprocket.league import rosters
from sprocket.league import service as league
from sprocket.league.models import Franchise, League, Season, SkillGroup, Team
from sprocket.ratings.leaderboards import team_records
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.stats import service as stats
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render
from sprocket.web.params import form_int, path_id


def teams_router(runtime: Runtime) -> APIRouter:
    """``/teams/{id}`` (``?season=`` one of its league's seasons, the latest by default)."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/teams/{team_id}")
    async def team_page(request: Request, team_id: str) -> Response:
        ident = path_id(team_id, "team")
        wanted = form_int(request.query_params.get("season"), "season", minimum=1)
        async with runtime.reading() as session:
            team = found((await rows_by_ids(session, Team, [ident])).get(ident), "team", ident)
            lg = (await rows_by_ids(session, League, [team.league_id]))[team.league_id]
            group = (
                (await rows_by_ids(session, SkillGroup, [team.skill_group_id])).get(
                    team.skill_group_id
                )
                if team.skill_group_id
                else None
            )
            franchise = (
                (await rows_by_ids(session, Franchise, [team.franchise_id])).get(team.franchise_id)
                if team.franchise_id
                else None
            )
            seasons = (await children_of(session, Season.league_id, [lg.id], Season.number)).get(
                lg.id, []
            )
            if wanted is None:
                season = seasons[-1] if seasons else None
            else:
                season = next((s for s in seasons if s.id == wanted), None)
                if season is None:
                    raise NotFound(f"{team.name} played no season with id {wanted}.")
            roster, record, matches = [], None, []
            if season is not None:
                roster = await rosters.roster_history(session, team_id=team.id, season_id=season.id)
                record = (await team_records(session, keys=[(season.id, team.id)])).get(
                    (season.id, team.id)
                )
                matches = await overview.team_matches(session, team_id=team.id, season_id=season.id)
            totals = (await stats.team_totals(session, team_ids=[team.id])).get(team.id)
            zone = await league.organization_zone(session, lg.organization_id)
        return render(
            request,
            "team.html",
            team=team,
            league=lg,
            group=group,
            franchise=franchise,
            seasons=seasons,
            season=season,
            roster=roster,
            record=record,
            matches=matches,
            totals=totals,
            when=when(zone),
        )

    return router
