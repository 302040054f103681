"""The leaderboards page over the demo organization: every filter of the API as a GET form."""

from __future__ import annotations

import httpx

from sprocket.db import rows_by_ids, utcnow
from sprocket.demo import build_demo
from sprocket.league import service as league
from sprocket.league.models import Member, Team
from sprocket.ratings import service as ratings
from sprocket.ratings.leaderboards import Filters, PlayerBoard, player_leaderboard, team_leaderboard
from sprocket.runtime import Runtime
from tests.web.conftest import HTML
from tests.web.test_pages import foreign_addresses


async def _demo(platform: Runtime) -> int:
    async with platform.unit_of_work() as session:
        return (await build_demo(session)).organization_id


async def test_the_rating_board_and_the_team_table_of_the_demo(
    http: httpx.AsyncClient, platform: Runtime
) -> None:
    org_id = await _demo(platform)
    page = await http.get("/leaderboards", headers=HTML)
    assert page.status_code == 200
    text = page.text
    async with platform.reading() as session:
        mode = await ratings.game_mode_id(session, "doubles")
        board = await player_leaderboard(
            session,
            by=PlayerBoard.RATING,
            filters=Filters(organization_id=org_id, game_mode_id=mode),
            first=25,
        )
        names = await rows_by_ids(session, Member, [e.member_id for e in board.entries])
        seasons = await league.current_seasons(session, at=utcnow(), organization_ids=[org_id])
    top = board.entries[0]
    assert f'<a href="/players/{top.member_id}">{names[top.member_id].name}</a>' in text
    assert f'<td class="num">{top.value:.0f}</td>' in text
    assert "Sprocket Demo League, doubles: by rating" in text
    assert 'href="/leaderboards?' in text and "Next page" in text  # more than 25 rated players
    assert ">Teams</h2>" in text and ": by standings</caption>" in text
    assert seasons  # the doubles season's table is shown
    for label in ("Game mode", "Players by", "Skill group", "Season", "Minimum of games"):
        assert f">{label}</label>" in text
    assert foreign_addresses(text) == []


async def test_the_filters_narrow_the_boards(http: httpx.AsyncClient, platform: Runtime) -> None:
    org_id = await _demo(platform)
    async with platform.reading() as session:
        mode = await ratings.game_mode_id(session, "standard")
        seasons = await league.current_seasons(session, at=utcnow(), organization_ids=[org_id])
        season = next(s for s, lg in seasons if lg.game_mode_id == mode)
        filters = Filters(
            organization_id=org_id, game_mode_id=mode, season_id=season.id, min_games=3
        )
        board = await player_leaderboard(session, by=PlayerBoard.GOALS, filters=filters, first=25)
        names = await rows_by_ids(session, Member, [e.member_id for e in board.entries])
        table = await team_leaderboard(session, season_id=season.id)
        teams = await rows_by_ids(session, Team, [r.team for r in table])
    page = await http.get(
        "/leaderboards",
        params={
            "organization": org_id,
            "mode": "standard",
            "by": "goals",
            "season": season.id,
            "min_games": 3,
        },
        headers=HTML,
    )
    assert page.status_code == 200
    text = page.text
    top = board.entries[0]
    assert f">{names[top.member_id].name}</a>" in text
    assert f'<td class="num">{top.value:.2f}</td>' in text
    assert "doubles: by" not in text and "standard: by goals per game" in text
    first_team = teams[table[0].team]
    assert f'<a href="/teams/{first_team.id}">{first_team.name}</a>' in text
    assert f'<option value="{season.id}" selected>' in text


async def test_a_second_page_and_bad_filters(http: httpx.AsyncClient, platform: Runtime) -> None:
    await _demo(platform)
    second = await http.get("/leaderboards", params={"start": 25}, headers=HTML)
    assert second.status_code == 200 and '<td class="num">26</td>' in second.text
    assert "Previous page" in second.text
    for params, sentence in (
        ({"min_games": "-1"}, "minimum of games must be a whole number"),
        ({"by": "nonsense"}, "is not a board"),
        ({"since": "yesterday"}, "must be a date"),
        ({"since": "2026-01-02", "until": "2026-01-01"}, "must end after it starts"),
    ):
        page = await http.get("/leaderboards", params=params, headers=HTML)
        assert page.status_code == 400, params
        assert sentence in page.text, params
    missing = await http.get("/leaderboards", params={"organization": 999999}, headers=HTML)
    assert missing.status_code == 404


async def test_the_leaderboards_of_an_empty_platform(http: httpx.AsyncClient) -> None:
    page = await http.get("/leaderboards", headers=HTML)
    assert page.status_code == 200 and "No organization yet" in page.text
