"""``/staff/{slug}/teams/{team}``: a team's roster in a season (``?season=``, the
league's latest by default) with every signing's dates, current and ended, and two forms:
sign a player and release one, each now or dated in the past (within the season; the audit
log keeps dated changes), through :mod:`sprocket.league.rosters` as the GraphQL door does."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import rows_by_ids
from sprocket.errors import DomainError, NotFound
from sprocket.identity.access import Actor
from sprocket.league import members, rosters
from sprocket.league import service as league
from sprocket.league.errors import LeagueCode
from sprocket.league.models import League, Member, Player, Season, Team
from sprocket.runtime import Runtime
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import form_int, path_id
from sprocket.web.staff_forms import (
    Form,
    attempt,
    beside,
    choice,
    moment,
    organization_in_path,
    staff_organization,
    text,
)

#: The most players the signing form offers (narrowed by a name search).
CANDIDATES = 100


async def team_of(session: AsyncSession, org_id: int, team_id: int) -> tuple[Team, League]:
    """The team ``team_id`` of the organization ``org_id``, with its league. Raises
    NOT_FOUND (none, or another organization's)."""
    team = (await rows_by_ids(session, Team, [team_id])).get(team_id)
    lg = await league.league_by_id(session, team.league_id) if team is not None else None
    if team is None or lg is None or lg.organization_id != org_id:
        raise NotFound(f"This organization has no team with id {team_id}.")
    return team, lg


async def season_of(session: AsyncSession, lg: League, wanted: int | None) -> Season | None:
    """The league's season ``wanted`` (an id), else its latest (None: it has none).
    Raises NOT_FOUND (not one of the league's)."""
    seasons = await league.league_seasons(session, league_id=lg.id)
    if wanted is None:
        return seasons[-1] if seasons else None
    season = next((s for s in seasons if s.id == wanted), None)
    if season is None:
        raise NotFound(f"{lg.name} has no season with id {wanted}.")
    return season


async def player_name(session: AsyncSession, player_id: int) -> str:
    """The name of the member who is the player ``player_id`` (an existing player)."""
    player = (await rows_by_ids(session, Player, [player_id]))[player_id]
    return (await rows_by_ids(session, Member, [player.member_id]))[player.member_id].name


def rosters_router(runtime: Runtime) -> APIRouter:
    """The roster page and its signing and release forms."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def show(
        request: Request,
        org_id: int,
        team_id: int,
        *,
        status: int = 200,
        error: DomainError | None = None,
        field: str | None = None,
        form: Form | None = None,
        failed: str | None = None,
    ) -> Response:
        posted = form or {}
        wanted = form_int(
            posted.get("season") or request.query_params.get("season"), "season", minimum=1
        )
        search = request.query_params.get("q", "").strip()
        async with runtime.reading() as session:
            org = await staff_organization(session, viewer(request), org_id)
            team, lg = await team_of(session, org_id, team_id)
            seasons = await league.league_seasons(session, league_id=lg.id)
            season = await season_of(session, lg, wanted)
            lines = (
                await rosters.roster_history(session, team_id=team.id, season_id=season.id)
                if season is not None
                else []
            )
            found = await members.search_players(
                session, league_id=lg.id, name_contains=search or None, first=CANDIDATES
            )
            names = await rows_by_ids(session, Member, [p.member_id for p in found.rows])
        candidates = sorted(
            ((p.id, names[p.member_id].name) for p in found.rows), key=lambda pair: pair[1]
        )
        return render(
            request,
            "staff/roster.html",
            status=status,
            organization=org,
            team=team,
            league=lg,
            seasons=seasons,
            season=season,
            lines=lines,
            current=[(line.player_id, line.name) for line in lines if line.left_at is None],
            candidates=candidates,
            more=found.has_next,
            search=search,
            when=when(org.time_zone),
            error=error,
            field=field,
            form=posted,
            failed=failed,
        )

    @router.get("/staff/{slug}/teams/{team_id}")
    async def roster_page(request: Request, slug: str, team_id: str) -> Response:
        return await show(
            request, await organization_in_path(runtime, request, slug), path_id(team_id, "team")
        )

    @router.post("/staff/{slug}/teams/{team_id}/roster/add")
    async def sign(request: Request, slug: str, team_id: str) -> Response:
        org_id, ident = await organization_in_path(runtime, request, slug), path_id(team_id, "team")

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            team, lg = await team_of(session, org_id, ident)
            season = await season_of(session, lg, choice(form, "season", "season"))
            player_id = choice(form, "add_player", "player")
            if season is None:
                raise NotFound(f"{lg.name} has no season yet; create one first.")
            if player_id is None:
                raise beside("add_player", "Choose the player to sign.")
            zone = await league.organization_zone(session, org_id)
            spot = await rosters.add_to_roster(
                session,
                actor=who,
                team_id=team.id,
                player_id=player_id,
                season_id=season.id,
                captain=text(form, "add_captain") == "yes",
                at=moment(form, "add_at", "signing date", zone),
            )
            name = await player_name(session, spot.player_id)
            return (
                f"/staff/{slug}/teams/{team.id}?season={season.id}",
                f"{name} joined {team.name} on {when(zone)(spot.joined_at)}.",
            )

        return await attempt(
            runtime,
            request,
            org_id,
            work,
            again=partial(show, request, org_id, ident),
            failed="add",
            fields={
                LeagueCode.WRONG_LEAGUE: "add_player",
                LeagueCode.WRONG_SKILL_GROUP: "add_player",
                LeagueCode.MEMBER_LEFT: "add_player",
                LeagueCode.ALREADY_ROSTERED: "add_player",
                LeagueCode.DUPLICATE: "add_player",
                LeagueCode.INVALID_ROSTER_DATE: "add_at",
            },
        )

    @router.post("/staff/{slug}/teams/{team_id}/roster/release")
    async def release(request: Request, slug: str, team_id: str) -> Response:
        org_id, ident = await organization_in_path(runtime, request, slug), path_id(team_id, "team")

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            team, lg = await team_of(session, org_id, ident)
            season = await season_of(session, lg, choice(form, "season", "season"))
            player_id = choice(form, "release_player", "player")
            if season is None:
                raise NotFound(f"{lg.name} has no season yet.")
            if player_id is None:
                raise beside("release_player", "Choose the player to release.")
            zone = await league.organization_zone(session, org_id)
            spot = await rosters.remove_from_roster(
                session,
                actor=who,
                team_id=team.id,
                player_id=player_id,
                season_id=season.id,
                at=moment(form, "release_at", "release date", zone),
            )
            name = await player_name(session, spot.player_id)
            left = when(zone)(spot.left_at) if spot.left_at else "now"
            return (
                f"/staff/{slug}/teams/{team.id}?season={season.id}",
                f"{name} left {team.name} on {left}.",
            )

        return await attempt(
            runtime,
            request,
            org_id,
            work,
            again=partial(show, request, org_id, ident),
            failed="release",
            fields={
                LeagueCode.NOT_ON_ROSTER: "release_player",
                LeagueCode.INVALID_ROSTER_DATE: "release_at",
            },
        )

    return router
