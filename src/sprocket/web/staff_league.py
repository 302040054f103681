"""The league staff's pages of an organization's structure, each with its create forms:

- ``/staff/{slug}/league``: its leagues and franchises;
- ``/staff/{slug}/leagues/{league}``: a league's seasons, skill groups, teams and
  players (registering a member to play).

Rosters are :mod:`sprocket.web.staff_rosters`'. Every form acts through the same services as
the GraphQL door (``sprocket.league.service``, ``sprocket.league.members``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import children_of, rows_by_ids
from sprocket.errors import CommonCode, DomainError, NotFound
from sprocket.identity.access import Actor
from sprocket.identity.errors import IdentityCode
from sprocket.league import members, rosters
from sprocket.league import service as league
from sprocket.league.errors import LeagueCode
from sprocket.league.models import Franchise, League, Member, Player, Team
from sprocket.runtime import Runtime
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import path_id
from sprocket.web.staff_forms import (
    Fields,
    Form,
    amount,
    attempt,
    beside,
    choice,
    moment,
    name_or_code,
    organization_in_path,
    staff_organization,
    text,
    whole,
)

#: The most players, and members to register, a league page lists.
LISTED = 100
MEMBERS_LISTED = 500

#: A form of a league's page: acts on the league through a service, says what happened.
LeagueWork = Callable[[AsyncSession, Actor, Form, League], Awaitable[str]]


async def league_of(session: AsyncSession, org_id: int, league_id: int) -> League:
    """The league ``league_id`` of the organization ``org_id``. Raises NOT_FOUND (none, or
    another organization's)."""
    lg = (await rows_by_ids(session, League, [league_id])).get(league_id)
    if lg is None or lg.organization_id != org_id:
        raise NotFound(f"This organization has no league with id {league_id}.")
    return lg


def structure_router(runtime: Runtime) -> APIRouter:
    """The organization's leagues and franchises, and each league's own page."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def show_organization(
        request: Request,
        org_id: int,
        *,
        status: int = 200,
        error: DomainError | None = None,
        field: str | None = None,
        form: Form | None = None,
        failed: str | None = None,
    ) -> Response:
        async with runtime.reading() as session:
            org = await staff_organization(session, viewer(request), org_id)
            leagues = (
                await children_of(session, League.organization_id, [org_id], League.name)
            ).get(org_id, [])
            franchises = (
                await children_of(session, Franchise.organization_id, [org_id], Franchise.name)
            ).get(org_id, [])
            modes = await league.game_mode_codes(session)
        return render(
            request,
            "staff/league.html",
            status=status,
            organization=org,
            leagues=leagues,
            franchises=franchises,
            modes=modes,
            game_modes=[(code, name) for code, name, _ in league.GAME_MODES],
            error=error,
            field=field,
            form=form or {},
            failed=failed,
        )

    @router.get("/staff/{slug}/league")
    async def organization_page(request: Request, slug: str) -> Response:
        return await show_organization(request, await organization_in_path(runtime, request, slug))

    @router.post("/staff/{slug}/league/new-league")
    async def new_league(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            lg = await league.create_league(
                session,
                actor=who,
                organization_id=org_id,
                name=text(form, "league_name"),
                game_mode=text(form, "game_mode"),
                roster_min=whole(form, "roster_min", "smallest roster"),
                roster_max=whole(form, "roster_max", "largest roster"),
                match_format=text(form, "match_format") or "bo5",
            )
            return f"/staff/{slug}/leagues/{lg.id}", f"League {lg.name} created."

        return await attempt(
            runtime,
            request,
            org_id,
            work,
            again=partial(show_organization, request, org_id),
            failed="league",
            fields={
                IdentityCode.INVALID_NAME: "league_name",
                LeagueCode.DUPLICATE: "league_name",
                LeagueCode.INVALID_ROSTER_LIMITS: "roster_max",
                LeagueCode.INVALID_MATCH_FORMAT: "match_format",
                CommonCode.NOT_FOUND: "game_mode",
            },
        )

    @router.post("/staff/{slug}/league/new-franchise")
    async def new_franchise(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            franchise = await league.create_franchise(
                session,
                actor=who,
                organization_id=org_id,
                name=text(form, "franchise_name"),
                code=text(form, "franchise_code"),
            )
            return f"/staff/{slug}/league", f"Franchise {franchise.name} created."

        return await attempt(
            runtime,
            request,
            org_id,
            work,
            again=partial(show_organization, request, org_id),
            failed="franchise",
            fields={
                IdentityCode.INVALID_NAME: name_or_code("franchise_name", "franchise_code"),
                LeagueCode.DUPLICATE: "franchise_name",
            },
        )

    async def show_league(
        request: Request,
        org_id: int,
        league_id: int,
        *,
        status: int = 200,
        error: DomainError | None = None,
        field: str | None = None,
        form: Form | None = None,
        failed: str | None = None,
    ) -> Response:
        async with runtime.reading() as session:
            org = await staff_organization(session, viewer(request), org_id)
            lg = await league_of(session, org_id, league_id)
            seasons = await league.league_seasons(session, league_id=lg.id)
            groups = await league.league_skill_groups(session, league_id=lg.id)
            teams = (await children_of(session, Team.league_id, [lg.id], Team.name)).get(lg.id, [])
            franchises = (
                await children_of(session, Franchise.organization_id, [org_id], Franchise.name)
            ).get(org_id, [])
            players = (await members.search_players(session, league_id=lg.id, first=LISTED)).rows
            people = await members.current_members(
                session, organization_id=org_id, first=MEMBERS_LISTED
            )
            names = await rows_by_ids(session, Member, [p.member_id for p in players])
            teams_now = await rosters.teams_now(session, player_ids=[p.id for p in players])
        group_options = [(g.id, g.name) for g in groups]
        franchise_options = [(f.id, f.name) for f in franchises]
        return render(
            request,
            "staff/league_detail.html",
            status=status,
            organization=org,
            league=lg,
            seasons=seasons,
            groups=groups,
            group_names=dict(group_options),
            group_options=group_options,
            teams=teams,
            franchise_names=dict(franchise_options),
            franchise_options=franchise_options,
            players=[(p, names[p.member_id].name, teams_now.get(p.id)) for p in players],
            player_options=[(p.id, names[p.member_id].name) for p in players],
            member_options=[(m.id, m.name) for m in people],
            listed=LISTED,
            when=when(org.time_zone),
            error=error,
            field=field,
            form=form or {},
            failed=failed,
        )

    @router.get("/staff/{slug}/leagues/{league_id}")
    async def league_page(request: Request, slug: str, league_id: str) -> Response:
        return await show_league(
            request,
            await organization_in_path(runtime, request, slug),
            path_id(league_id, "league"),
        )

    async def on_league(
        request: Request,
        slug: str,
        league_id: str,
        work: LeagueWork,
        failed: str,
        fields: Fields,
    ) -> Response:
        """A form of a league's page: ``work`` acts on the league (of this organization)."""
        org_id = await organization_in_path(runtime, request, slug)
        ident = path_id(league_id, "league")

        async def scoped(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            lg = await league_of(session, org_id, ident)
            notice = await work(session, who, form, lg)
            return f"/staff/{slug}/leagues/{lg.id}", notice

        return await attempt(
            runtime,
            request,
            org_id,
            scoped,
            again=partial(show_league, request, org_id, ident),
            failed=failed,
            fields=fields,
        )

    @router.post("/staff/{slug}/leagues/{league_id}/seasons")
    async def new_season(request: Request, slug: str, league_id: str) -> Response:
        async def work(session: AsyncSession, who: Actor, form: Form, lg: League) -> str:
            zone = await league.organization_zone(session, lg.organization_id)
            number = whole(form, "season_number", "season number")
            starts = moment(form, "season_starts", "start", zone)
            ends = moment(form, "season_ends", "end", zone)
            if number is None:
                raise beside("season_number", "Give the season's number.")
            if starts is None:
                raise beside("season_starts", "Give the moment the season starts.")
            if ends is None:
                raise beside("season_ends", "Give the moment the season ends.")
            season = await league.create_season(
                session,
                actor=who,
                league_id=lg.id,
                number=number,
                starts_at=starts,
                ends_at=ends,
                name=text(form, "season_name") or None,
            )
            return f"{season.name} of {lg.name} created."

        return await on_league(
            request,
            slug,
            league_id,
            work,
            "season",
            {
                LeagueCode.INVALID_SEASON: "season_number",
                LeagueCode.DUPLICATE: "season_number",
                LeagueCode.INVALID_DATES: "season_ends",
                IdentityCode.INVALID_NAME: "season_name",
            },
        )

    @router.post("/staff/{slug}/leagues/{league_id}/skill-groups")
    async def new_skill_group(request: Request, slug: str, league_id: str) -> Response:
        async def work(session: AsyncSession, who: Actor, form: Form, lg: League) -> str:
            ordinal = whole(form, "group_ordinal", "tier")
            if ordinal is None:
                raise beside("group_ordinal", "Give the group's tier (1 is the top).")
            group = await league.create_skill_group(
                session,
                actor=who,
                league_id=lg.id,
                name=text(form, "group_name"),
                code=text(form, "group_code"),
                ordinal=ordinal,
                salary_cap=amount(form, "group_salary_cap", "salary cap"),
            )
            return f"Skill group {group.name} created in {lg.name}."

        return await on_league(
            request,
            slug,
            league_id,
            work,
            "skill_group",
            {
                IdentityCode.INVALID_NAME: name_or_code("group_name", "group_code"),
                LeagueCode.DUPLICATE: "group_name",
                LeagueCode.INVALID_ORDER: "group_ordinal",
                LeagueCode.INVALID_SALARY_CAP: "group_salary_cap",
            },
        )

    @router.post("/staff/{slug}/leagues/{league_id}/teams")
    async def new_team(request: Request, slug: str, league_id: str) -> Response:
        async def work(session: AsyncSession, who: Actor, form: Form, lg: League) -> str:
            team = await league.create_team(
                session,
                actor=who,
                league_id=lg.id,
                name=text(form, "team_name"),
                skill_group_id=choice(form, "team_skill_group", "skill group"),
                franchise_id=choice(form, "team_franchise", "franchise"),
            )
            return f"Team {team.name} created in {lg.name}."

        return await on_league(
            request,
            slug,
            league_id,
            work,
            "team",
            {
                IdentityCode.INVALID_NAME: "team_name",
                LeagueCode.DUPLICATE: "team_name",
                LeagueCode.WRONG_LEAGUE: "team_skill_group",
                LeagueCode.WRONG_ORGANIZATION: "team_franchise",
            },
        )

    @router.post("/staff/{slug}/leagues/{league_id}/players")
    async def new_player(request: Request, slug: str, league_id: str) -> Response:
        async def work(session: AsyncSession, who: Actor, form: Form, lg: League) -> str:
            member_id = choice(form, "player_member", "member")
            if member_id is None:
                raise beside("player_member", "Choose the member who will play.")
            await members.register_player(
                session,
                actor=who,
                member_id=member_id,
                league_id=lg.id,
                skill_group_id=choice(form, "player_skill_group", "skill group"),
                salary=amount(form, "player_salary", "salary"),
            )
            member = (await rows_by_ids(session, Member, [member_id]))[member_id]
            return f"{member.name} now plays in {lg.name}."

        return await on_league(
            request,
            slug,
            league_id,
            work,
            "player",
            {
                LeagueCode.DUPLICATE: "player_member",
                LeagueCode.MEMBER_LEFT: "player_member",
                LeagueCode.WRONG_ORGANIZATION: "player_member",
                LeagueCode.WRONG_LEAGUE: "player_skill_group",
                LeagueCode.INVALID_SALARY: "player_salary",
            },
        )

    @router.post("/staff/{slug}/leagues/{league_id}/players/move")
    async def move_player(request: Request, slug: str, league_id: str) -> Response:
        async def work(session: AsyncSession, who: Actor, form: Form, lg: League) -> str:
            player_id = choice(form, "move_player", "player")
            group_id = choice(form, "move_skill_group", "skill group")
            if player_id is None:
                raise beside("move_player", "Choose the player who moves.")
            if group_id is None:
                raise beside("move_skill_group", "Choose the skill group they move to.")
            player = (await rows_by_ids(session, Player, [player_id])).get(player_id)
            if player is None or player.league_id != lg.id:
                raise beside("move_player", "That player does not play in this league.")
            change = await members.move_player(
                session,
                actor=who,
                player_id=player_id,
                skill_group_id=group_id,
                reason=text(form, "move_reason"),
            )
            return f"{change.member.name} moved to {change.after.name}."

        return await on_league(
            request,
            slug,
            league_id,
            work,
            "move",
            {
                LeagueCode.MOVE_REASON_REQUIRED: "move_reason",
                LeagueCode.WRONG_LEAGUE: "move_skill_group",
                LeagueCode.SKILL_GROUP_UNCHANGED: "move_skill_group",
                LeagueCode.WRONG_SKILL_GROUP: "move_player",
                LeagueCode.MEMBER_LEFT: "move_player",
            },
        )

    return router
