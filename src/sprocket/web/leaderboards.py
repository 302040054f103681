"""``/leaderboards``: players by rating or a per-game stat, and teams by standings, with
every filter of the API's leaderboard as a GET form."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import children_of, rows_by_ids
from sprocket.errors import CommonCode, InvalidInput, NotFound
from sprocket.league import service as league
from sprocket.league.models import League, Member, Organization, Season, SkillGroup, Team
from sprocket.ratings import service as ratings
from sprocket.ratings.leaderboards import (
    Filters,
    PlayerBoard,
    count_players,
    player_leaderboard,
    team_leaderboard,
)
from sprocket.runtime import Runtime
from sprocket.web.pages import WebRoute, render
from sprocket.web.params import form_date, form_int

#: Rows on one page of a players' board.
PAGE = 25
#: What a players' board can rank by, as the form offers it.
BOARDS = {
    PlayerBoard.RATING: "Rating",
    PlayerBoard.GOALS: "Goals per game",
    PlayerBoard.ASSISTS: "Assists per game",
    PlayerBoard.SAVES: "Saves per game",
    PlayerBoard.SHOTS: "Shots per game",
    PlayerBoard.WIN_RATE: "Win rate",
}


@dataclass(frozen=True)
class Choices:
    """What the form offers for one organization: its leagues' game modes, seasons and
    skill groups."""

    modes: dict[int, str]  # game mode id -> code
    seasons: list[tuple[Season, League]]
    groups: list[tuple[SkillGroup, League]]


def leaderboards_router(runtime: Runtime) -> APIRouter:
    """``/leaderboards``: one organization's boards, chosen by the GET form's filters."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/leaderboards")
    async def leaderboards(request: Request) -> Response:
        query = request.query_params
        org_id = form_int(query.get("organization"), "organization", minimum=1)
        async with runtime.reading() as session:
            organizations = (await league.organizations(session, first=100)).rows
            if not organizations:
                return render(request, "leaderboards.html", organization=None)
            by_id = {org.id: org for org in organizations}
            org = by_id.get(org_id) if org_id is not None else organizations[0]
            if org is None:
                raise NotFound("There is no such organization.")
            choices = await _choices(session, org)
            mode_code = query.get("mode") or next(iter(choices.modes.values()), "")
            board = _board(query.get("by"))
            skill_group_id = form_int(query.get("skill_group"), "skill group", minimum=1)
            season_id = form_int(query.get("season"), "season", minimum=1)
            min_games = form_int(query.get("min_games"), "minimum of games") or 0
            start = form_int(query.get("start"), "start") or 0
            since = form_date(query.get("since"), "start of the window")
            until = form_date(query.get("until"), "end of the window")
            players: list[tuple[int, Member | None, float, int, int]] = []
            has_next = False
            total = 0
            teams: list[tuple[object, Team]] = []
            mode_id = None
            if mode_code:
                mode_id = await ratings.game_mode_id(session, mode_code)
                filters = Filters(
                    organization_id=org.id,
                    game_mode_id=mode_id,
                    skill_group_id=skill_group_id,
                    season_id=season_id,
                    since=since,
                    until=until,
                    min_games=min_games,
                )
                page = await player_leaderboard(
                    session, by=board, filters=filters, first=PAGE, offset=start
                )
                total = await count_players(session, by=board, filters=filters)
                names = await rows_by_ids(session, Member, [e.member_id for e in page.entries])
                players = [
                    (e.rank, names.get(e.member_id), e.value, e.games, e.wins) for e in page.entries
                ]
                has_next = page.has_next
            team_season = season_id or next(
                (s.id for s, lg in choices.seasons if lg.game_mode_id == mode_id), None
            )
            if team_season is not None and any(s.id == team_season for s, _ in choices.seasons):
                rows = await team_leaderboard(
                    session, season_id=team_season, skill_group_id=skill_group_id
                )
                team_rows = await rows_by_ids(session, Team, [r.team for r in rows])
                teams = [(r, team_rows[r.team]) for r in rows if r.team in team_rows]
        return render(
            request,
            "leaderboards.html",
            organization=org,
            organizations=organizations,
            choices=choices,
            boards=BOARDS,
            chosen={
                "mode": mode_code,
                "by": board,
                "skill_group": skill_group_id,
                "season": season_id,
                "min_games": min_games,
                "since": since.date().isoformat() if since else "",
                "until": until.date().isoformat() if until else "",
            },
            players=players,
            start=start,
            page_size=PAGE,
            has_next=has_next,
            total=total,
            teams=teams,
            team_season=next((s for s, _ in choices.seasons if s.id == team_season), None),
            query=query,
        )

    return router


def _board(value: str | None) -> PlayerBoard:
    if not value:
        return PlayerBoard.RATING
    try:
        return PlayerBoard(value)
    except ValueError:
        raise InvalidInput(
            f"'{value[:40]}' is not a board. Use one of: "
            + ", ".join(b.value for b in PlayerBoard)
            + ".",
            code=CommonCode.INVALID_INPUT,
        ) from None


async def _choices(session: AsyncSession, org: Organization) -> Choices:
    leagues = (await children_of(session, League.organization_id, [org.id], League.id)).get(
        org.id, []
    )
    codes = await league.game_mode_codes(session)
    league_of = {lg.id: lg for lg in leagues}
    seasons = await children_of(session, Season.league_id, list(league_of), Season.number)
    groups = await children_of(session, SkillGroup.league_id, list(league_of), SkillGroup.ordinal)
    return Choices(
        modes={lg.game_mode_id: codes[lg.game_mode_id] for lg in leagues},
        seasons=[(s, league_of[lid]) for lid, rows in seasons.items() for s in rows],
        groups=[(g, league_of[lid]) for lid, rows in groups.items() for g in rows],
    )
