"""The team page over the demo organization: roster with dates, record, matches; 404s."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from sprocket.dates import for_people
from sprocket.demo import build_demo
from sprocket.identity.access import Actor
from sprocket.league import rosters
from sprocket.league import service as league
from sprocket.league.models import League, Season, Team
from sprocket.ratings.leaderboards import team_records
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from tests.web.conftest import HTML
from tests.web.test_pages import foreign_addresses


async def demo_team(platform: Runtime, name: str = "Aurora Aces PL") -> tuple[Team, Season]:
    """The demo's team ``name`` (of the Doubles League) and its season."""
    async with platform.unit_of_work() as s:
        await build_demo(s)
        team = await s.scalar(select(Team).where(Team.name == name).order_by(Team.id).limit(1))
        season = await s.scalar(select(Season).where(Season.league_id == team.league_id))
    return team, season


async def test_the_team_page_shows_roster_record_and_matches(
    http: httpx.AsyncClient, platform: Runtime
) -> None:
    team, season = await demo_team(platform)
    async with platform.reading() as s:
        roster = await rosters.roster_history(s, team_id=team.id, season_id=season.id)
        record = (await team_records(s, keys=[(season.id, team.id)]))[(season.id, team.id)]
        matches = await overview.team_matches(s, team_id=team.id, season_id=season.id)
    page = await http.get(f"/teams/{team.id}", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert f"<h1>{team.name}</h1>" in text and "Doubles League, Premier" in text
    assert "franchise Aurora Aces" in text
    for line in roster:
        assert f'<a href="/players/{line.member_id}">{line.name}</a>' in text
        assert line.joined_at.strftime("%d %b %Y") in text
    assert f"{roster[0].name}</a> (captain)" in text
    assert text.count("still on the team") == 3
    assert f'<dd class="rank">{record.rank}</dd>' in text
    assert f'<dd class="points">{record.points}</dd>' in text
    wdl = f"{record.series_won}–{record.series_drawn}–{record.series_lost}"
    assert f'<dd class="wdl">{wdl}</dd>' in text
    played = [m for m in matches if m.status != "scheduled" and not m.forfeited_by]
    assert played and f"{played[0].home_wins} – {played[0].away_wins}" in text
    assert text.count("<tr>") == 1 + len(roster) + 1 + len(matches)  # with the header rows
    assert foreign_addresses(text) == []


async def test_a_released_player_shows_the_date_they_left(
    http: httpx.AsyncClient, platform: Runtime
) -> None:
    team, season = await demo_team(platform)
    async with platform.unit_of_work() as s:
        line = (await rosters.roster_history(s, team_id=team.id, season_id=season.id))[1]
        admin = Actor(user_id=1, is_superuser=True, name="Demo Admin")
        spot = await rosters.remove_from_roster(
            s, actor=admin, team_id=team.id, player_id=line.player_id, season_id=season.id
        )
        zone = await league.organization_zone(
            s, (await s.get(League, team.league_id)).organization_id
        )
    page = await http.get(f"/teams/{team.id}", params={"season": season.id}, headers=HTML)
    assert page.status_code == 200
    assert page.text.count("still on the team") == 2
    assert spot.left_at is not None
    left = f'<time datetime="{spot.left_at.isoformat()}">{for_people(spot.left_at, zone)}</time>'
    assert left in page.text


async def test_a_team_that_does_not_exist_is_the_404_page(
    http: httpx.AsyncClient, platform: Runtime
) -> None:
    team, _ = await demo_team(platform)
    for path in ("/teams/999999", "/teams/abc", "/teams/0", "/teams/-3"):
        page = await http.get(path, headers=HTML)
        assert page.status_code == 404, path
        assert "Traceback" not in page.text and "NOT_FOUND" in page.text, path
    other_season = await http.get(f"/teams/{team.id}", params={"season": 999999}, headers=HTML)
    assert other_season.status_code == 404
