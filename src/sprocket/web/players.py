"""``/players/{member id}``: a member's profile: the game accounts they let the viewer see,
their teams over time, their rating in each game mode with a history chart and recent form,
per-game averages in each league, and their latest games."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import children_of, rows_by_ids
from sprocket.errors import found
from sprocket.identity.models import User
from sprocket.league import accounts, rosters
from sprocket.league.models import GameMode, League, Member, Organization, Player
from sprocket.ratings import reads
from sprocket.ratings import service as ratings
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.ratings.skill import display_rating
from sprocket.runtime import Runtime
from sprocket.stats import service as stats
from sprocket.web.avatars import avatar_src
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import path_id

#: Rated games the chart draws, recent games the form shows, stat lines the history lists.
CHART_POINTS = 50
FORM_GAMES = 5
GAME_LINES = 20
#: The chart's drawing area, in SVG user units.
WIDTH, HEIGHT, MARGIN = 600, 160, 8


@dataclass(frozen=True)
class Chart:
    """A rating history drawn as an SVG polyline: the ``points`` attribute, the lowest and
    highest ratings, and a sentence describing it for those who cannot see it."""

    points: str
    low: int
    high: int
    summary: str


@dataclass(frozen=True)
class ModeRating:
    mode: GameMode
    rating: Rating
    provisional: bool
    chart: Chart | None
    form: list[bool]  # won, newest first


def rating_chart(history: list[RatingPoint]) -> Chart | None:
    """The chart of ``history`` (rating points, newest first): the displayed rating before
    the oldest game, then after each game, left to right. None without any point."""
    if not history:
        return None
    oldest_first = list(reversed(history))
    values = [display_rating(oldest_first[0].mu_before, oldest_first[0].sigma_before)]
    values += [p.displayed_after for p in oldest_first]
    low, high = min(values), max(values)
    span = max(high - low, 1)
    step = (WIDTH - 2 * MARGIN) / max(len(values) - 1, 1)
    coords = " ".join(
        f"{MARGIN + n * step:.1f},{MARGIN + (high - v) * (HEIGHT - 2 * MARGIN) / span:.1f}"
        for n, v in enumerate(values)
    )
    summary = (
        f"Rating over the last {len(history)} rated games: from {values[0]} to {values[-1]}, "
        f"between {low} and {high}."
    )
    return Chart(coords, low, high, summary)


def players_router(runtime: Runtime) -> APIRouter:
    """``/players/{member id}``: one member's public profile."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/players/{member_id}")
    async def player_page(request: Request, member_id: str) -> Response:
        ident = path_id(member_id, "player")
        who = viewer(request)
        async with runtime.reading() as session:
            member = found(
                (await rows_by_ids(session, Member, [ident])).get(ident), "player", ident
            )
            organization = (await rows_by_ids(session, Organization, [member.organization_id]))[
                member.organization_id
            ]
            shown = await accounts.accounts_shown(session, actor=who, member=member)
            owner = (await rows_by_ids(session, User, [member.user_id]))[member.user_id]
            teams = await rosters.member_teams(session, member_id=member.id)
            players = (await children_of(session, Player.member_id, [member.id], Player.id)).get(
                member.id, []
            )
            leagues = await rows_by_ids(session, League, [p.league_id for p in players])
            totals = await stats.player_totals(session, player_ids=[p.id for p in players])
            averages = [(leagues[p.league_id], totals[p.id]) for p in players if p.id in totals]
            games = (
                await stats.player_games(
                    session, player_ids=[p.id for p in players], first=GAME_LINES
                )
                if players
                else []
            )
            rated = (await reads.ratings_by_member(session, member_ids=[member.id])).get(
                member.id, []
            )
            threshold = (await ratings.provisional_thresholds(session, [member.organization_id]))[
                member.organization_id
            ]
            modes = await rows_by_ids(session, GameMode, [r.game_mode_id for r in rated])
            by_mode = []
            for rating in rated:
                history = (
                    await reads.recent_points(
                        session,
                        member_ids=[member.id],
                        game_mode_id=rating.game_mode_id,
                        limit=CHART_POINTS,
                    )
                ).get(member.id, [])
                by_mode.append(
                    ModeRating(
                        mode=modes[rating.game_mode_id],
                        rating=rating,
                        provisional=rating.games < threshold,
                        chart=rating_chart(history),
                        form=[p.won for p in history[:FORM_GAMES]],
                    )
                )
        return render(
            request,
            "player.html",
            member=member,
            organization=organization,
            # Their Discord avatar is part of their Discord identity: shown as their accounts are.
            avatar=avatar_src(owner.avatar_url) if shown is not None else None,
            accounts=shown,
            teams=teams,
            ratings=by_mode,
            averages=averages,
            games=games,
            width=WIDTH,
            height=HEIGHT,
            when=when(organization.time_zone),
        )

    return router
