"""Spectators' league pages: a league (its seasons and skill groups), a season (standings
per skill group with the tie-break order in words, the schedule by match week) and a match
(teams, games, stat lines, MVPs, the report card of an accepted result, submissions, replay
downloads). No sign-in needed."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import rows_by_ids
from sprocket.errors import NotFound
from sprocket.flows import match_results
from sprocket.league import service as league
from sprocket.league.enums import TieBreak
from sprocket.league.models import GameMode, Player, SkillGroup, Team
from sprocket.media import service as report_cards
from sprocket.replays import reads as replay_reads
from sprocket.replays import service as replay_service
from sprocket.replays.models import StoredReplay
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.schedule.standings import StandingRow
from sprocket.stats import service as stats
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer

#: What each tie-break means, in words, for the standings' explanation.
TIE_BREAK_WORDS = {
    TieBreak.HEAD_TO_HEAD: "points in the series among the tied teams only (head to head)",
    TieBreak.GAME_DIFFERENCE: "game difference (games won minus games lost)",
    TieBreak.GOAL_DIFFERENCE: "goal difference (goals scored minus goals conceded)",
    TieBreak.GOALS_FOR: "goals scored",
}


def page_id(raw: str, what: str) -> int:
    """The id of a page's address; a malformed one names nothing (NOT_FOUND)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise NotFound(f"There is no {what} with id {raw[:40]}.")
    return int(raw)


def tie_break_sentence(tie_breaks: tuple[TieBreak, ...]) -> str:
    """The order that separates teams level on points, as one sentence."""
    steps = [TIE_BREAK_WORDS[t] for t in tie_breaks] + ["the team's name"]
    return "Teams level on points are separated by " + ", then by ".join(steps) + "."


@dataclass(frozen=True)
class Table:
    """One skill group's standings (``group`` None: the whole league)."""

    group: SkillGroup | None
    rows: list[tuple[StandingRow[int], str]]  # the row, the team's name


def league_router(runtime: Runtime) -> APIRouter:
    """``/leagues/{id}``, ``/seasons/{id}`` and ``/matches/{id}``, read through the domains'
    services."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/leagues/{raw_id}")
    async def league_page(request: Request, raw_id: str) -> Response:
        league_id = page_id(raw_id, "league")
        async with runtime.reading() as session:
            lg = await league.league_by_id(session, league_id)
            organization = await league.find_organization(
                session, organization_id=lg.organization_id
            )
            mode = (await rows_by_ids(session, GameMode, [lg.game_mode_id]))[lg.game_mode_id]
            seasons = await league.league_seasons(session, league_id=lg.id)
            groups = await league.league_skill_groups(session, league_id=lg.id)
        return render(
            request,
            "league.html",
            league=lg,
            organization=organization,
            mode=mode,
            seasons=seasons,
            groups=groups,
            when=when(organization.time_zone),
        )

    @router.get("/seasons/{raw_id}")
    async def season_page(request: Request, raw_id: str) -> Response:
        season_id = page_id(raw_id, "season")
        async with runtime.reading() as session:
            season, lg = await league.season_by_id(session, season_id=season_id)
            organization = await league.find_organization(
                session, organization_id=lg.organization_id
            )
            config = await league.organization_config(session, lg.organization_id)
            groups = await league.league_skill_groups(session, league_id=lg.id)
            tables = []
            for group in groups or [None]:
                rows = await schedule.standings(
                    session,
                    season_id=season.id,
                    skill_group_id=group.id if group is not None else None,
                )
                tables.append((group, rows))
            teams = await rows_by_ids(
                session, Team, [row.team for _, rows in tables for row in rows]
            )
            lines = await overview.season_schedule(session, season_id=season.id)
        return render(
            request,
            "season.html",
            season=season,
            league=lg,
            organization=organization,
            tables=[
                Table(group, [(row, teams[row.team].name) for row in rows])
                for group, rows in tables
            ],
            points=config.points,
            tie_breaks=tie_break_sentence(config.tie_breaks),
            weeks=[(week, list(matches)) for week, matches in groupby(lines, lambda m: m.week)],
            when=when(organization.time_zone),
        )

    @router.get("/matches/{raw_id}")
    async def match_page(request: Request, raw_id: str) -> Response:
        match_id = page_id(raw_id, "match")
        async with runtime.reading() as session:
            line = await overview.match_line(session, match_id=match_id)
            match, fixture, lg = await schedule.match_context(session, match_id)
            season, _ = await league.season_by_id(session, season_id=match.season_id)
            zone = await league.organization_zone(session, lg.organization_id)
            config = await league.organization_config(session, lg.organization_id)
            games = await schedule.match_games(session, match_id=match.id)
            stat_lines = await stats.game_stat_lines(session, game_ids=[g.id for g in games])
            players = await rows_by_ids(
                session,
                Player,
                [s.player_id for lines in stat_lines.values() for s in lines if s.player_id],
            )
            replays = await rows_by_ids(
                session,
                StoredReplay,
                [g.stored_replay_id for g in games if g.stored_replay_id is not None],
            )
            submissions = await replay_reads.submissions_of_match(session, match_id=match.id)
            card = await report_cards.has_card(session, subject="match", subject_id=match.id)
            who = viewer(request)
            may_download = await replay_service.may_download_replays(
                session, actor=who, organization_id=lg.organization_id
            )
            may_submit = who.authenticated and (
                await match_results.match_submit_refusal(session, actor=who, match_id=match.id)
                is None
            )
        return render(
            request,
            "match.html",
            line=line,
            match=match,
            fixture=fixture,
            league=lg,
            season=season,
            games=games,
            stat_lines=stat_lines,
            member_of={pid: player.member_id for pid, player in players.items()},
            replays=replays,
            members_only=config["replay_downloads"] == "members",
            may_download=may_download,
            submissions=submissions,
            may_submit=may_submit,
            card=card,
            when=when(zone),
        )

    return router
