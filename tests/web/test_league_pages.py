"""The spectators' league, season and match pages over the demo organization."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest

from sprocket.dates import for_people
from sprocket.db import utcnow
from sprocket.demo import ADMIN_DISCORD_ID, build_demo
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import service as league
from sprocket.replays.models import StoredReplay
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from tests.web.conftest import HTML
from tests.web.test_pages import foreign_addresses


@dataclass
class Site:
    organization_id: int
    league_id: int  # the Doubles League
    season_id: int
    admin: Actor


@pytest.fixture
async def site(platform: Runtime) -> Site:
    async with platform.unit_of_work() as session:
        result = await build_demo(session)
        user = await identity.ensure_user(
            session, discord_id=ADMIN_DISCORD_ID, display_name="Demo Admin", is_superuser=True
        )
        admin = Actor(user_id=user.id, is_superuser=True, name="Demo Admin")
        org = result.organization_id
        seasons = await league.current_seasons(session, at=utcnow(), organization_ids=[org])
    season, lg = next((s, lg) for s, lg in seasons if lg.name == "Doubles League")
    return Site(org, lg.id, season.id, admin)


def text_of(page: str) -> str:
    """The words of a page's main part, tags dropped and spaces collapsed."""
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#39;", "'")


async def test_the_league_page_lists_its_seasons_and_skill_groups(
    http: httpx.AsyncClient, site: Site
) -> None:
    page = await http.get(f"/leagues/{site.league_id}", headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Doubles League" in text and "Sprocket Demo League · Doubles · matches are bo5." in text
    assert f'href="/seasons/{site.season_id}">Season 1</a>' in page.text
    for row in ("1 Premier PL 900", "2 Master ML 700", "3 Champion CL 500"):
        assert row in text, row
    assert foreign_addresses(page.text) == []


async def test_the_season_page_shows_standings_tie_breaks_and_the_schedule_by_week(
    http: httpx.AsyncClient, platform: Runtime, site: Site
) -> None:
    async with platform.unit_of_work() as session:
        await league.set_organization_time_zone(
            session,
            actor=site.admin,
            organization_id=site.organization_id,
            time_zone="Europe/Berlin",
        )
        await league.set_organization_setting(
            session,
            actor=site.admin,
            organization_id=site.organization_id,
            key="tie_breaks",
            value=["goal_difference", "head_to_head"],
        )
        season, _ = await league.season_by_id(session, season_id=site.season_id)
        lines = await overview.season_schedule(session, season_id=site.season_id)
    page = await http.get(f"/seasons/{site.season_id}", headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Doubles League: Season 1" in text
    assert "A series won earns 1 point, a draw 0, a loss 0, a forfeit 0." in text
    assert (
        "Teams level on points are separated by goal difference (goals scored minus goals "
        "conceded), then by points in the series among the tied teams only (head to head), "
        "then by the team's name." in text
    )
    # One table per skill group, top first; the demo's seeded results.
    captions = re.findall(r"<caption>([^<]*)</caption>", page.text)
    assert captions[:3] == ["Premier", "Master", "Champion"]
    assert captions[3:] == [f"Week {n}" for n in range(1, 15)]
    assert "1 Harbor Hawks PL 7 7 0 0 0 21–4 +17 65–36 7" in text
    assert "1 Frost Falcons ML 7 7 0 0 0 21–1 +20 57–19 7" in text
    # The schedule: every match of the season, linked, times in the organization's zone.
    assert len(lines) == 3 * 4 * 14  # three groups of eight teams, fourteen weeks
    for line in lines:
        assert f'href="/matches/{line.id}"' in page.text
    assert for_people(season.starts_at, "Europe/Berlin") in text
    assert "CEST" in text or "CET" in text
    first = lines[0]
    assert f"{first.home} {first.home_wins}–{first.away_wins} {first.away} played" in text
    assert text.count(" scheduled") >= 3 * 4 * 6  # weeks 9 to 14 are still to come
    assert foreign_addresses(page.text) == []


async def test_the_match_page_shows_games_stat_lines_mvps_and_replays(
    http: httpx.AsyncClient, platform: Runtime, site: Site
) -> None:
    async with platform.unit_of_work() as session:
        first = (await overview.season_schedule(session, season_id=site.season_id))[0]
        games = await schedule.match_games(session, match_id=first.id)
        stored = StoredReplay(
            sha256="ab" * 32,
            size=4096,
            filename="Aces vs Hawks game 1.replay",
        )
        session.add(stored)
        await session.flush()
        games[0].stored_replay_id = stored.id
    page = await http.get(f"/matches/{first.id}", headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Aurora Aces CL vs Harbor Hawks CL" in text
    assert "0–3 in games (bo5)." in text
    assert (
        "Game 1: Aurora Aces CL 2–5 Harbor Hawks CL Won by Harbor Hawks CL. MVP: Ion658 ." in text
    )
    assert "Ion658 Harbor Hawks CL 612 3 2 1 5 MVP" in text
    assert "Vex1693 Aurora Aces CL 339 1 1 1 3" in text
    assert "Game 3: Aurora Aces CL 2–4 Harbor Hawks CL" in text and "Game 4" not in text
    assert "No replays were submitted: the result was entered by league staff." in text
    assert (
        f'<a href="/replays/{"ab" * 32}.replay" download="Aces vs Hawks game 1.replay">'
        "Aces vs Hawks game 1.replay</a>" in page.text
    )
    assert "for the organization's members" not in text
    assert f'href="/seasons/{site.season_id}"' in page.text
    assert foreign_addresses(page.text) == []

    async with platform.unit_of_work() as session:
        await league.set_organization_setting(
            session,
            actor=site.admin,
            organization_id=site.organization_id,
            key="replay_downloads",
            value="members",
        )
    # A spectator sees the file's name, no link, and is offered to sign in.
    page = await http.get(f"/matches/{first.id}", headers=HTML)
    text = text_of(page.text)
    assert "Replay: Aces vs Hawks game 1.replay (4 KiB; only the organization's members" in text
    assert "/replays/" not in page.text and 'href="/sign-in">sign in</a>' in page.text
    # A member signed in (here with a Bearer token, as the guard reads either) gets the link.
    async with platform.unit_of_work() as session:
        _, token = await identity.issue_token(session, actor=site.admin, name="t", days=1)
    page = await http.get(
        f"/matches/{first.id}", headers={**HTML, "authorization": f"Bearer {token}"}
    )
    assert f'href="/replays/{"ab" * 32}.replay"' in page.text
    assert "for the organization's members)" in text_of(page.text)


async def test_a_forfeited_match(http: httpx.AsyncClient, platform: Runtime, site: Site):
    async with platform.unit_of_work() as session:
        lines = await overview.season_schedule(session, season_id=site.season_id)
    forfeited = [line for line in lines if line.forfeited_by]
    assert [(f.forfeited_by, f.week) for f in forfeited] == [
        ("Boreal Bandits CL", 4),
        ("Cinder Comets ML", 4),
    ]
    page = await http.get(f"/matches/{forfeited[0].id}", headers=HTML)
    text = text_of(page.text)
    assert "Boreal Bandits CL" in text and "Forfeited by Boreal Bandits CL." in text
    assert "No game was played." in text
    season = text_of((await http.get(f"/seasons/{site.season_id}", headers=HTML)).text)
    assert "forfeited by Boreal Bandits CL" in season


async def test_a_match_still_to_play(http: httpx.AsyncClient, platform: Runtime, site: Site):
    async with platform.unit_of_work() as session:
        last = (await overview.season_schedule(session, season_id=site.season_id))[-1]
    page = await http.get(f"/matches/{last.id}", headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Not played yet (bo5)." in text and "Week 14" in text
    assert "No game recorded yet." in text
    assert "No replays have been submitted for this match yet." in text


@pytest.mark.parametrize(
    "path",
    [
        "/leagues/999999",
        "/leagues/x",
        "/seasons/999999",
        "/seasons/-1",
        "/matches/999999",
        "/matches/1.5",
        "/matches/99999999999999999999999",
        "/matches/%C2%B2",
    ],
)
async def test_a_page_of_an_id_that_names_nothing_is_the_404_page(
    http: httpx.AsyncClient, path: str
) -> None:
    page = await http.get(path, headers=HTML)
    assert page.status_code == 404, path
    assert page.headers["content-type"].startswith("text/html")
    assert "NOT_FOUND" in page.text and "Traceback" not in page.text


async def test_the_home_page_leads_to_the_season_and_its_matches(
    http: httpx.AsyncClient, site: Site
) -> None:
    home = (await http.get("/", headers=HTML)).text
    assert f'href="/leagues/{site.league_id}"' in home
    assert f'href="/seasons/{site.season_id}"' in home
    match = re.search(r'href="(/matches/\d+)"', home)
    assert match is not None
    assert (await http.get(match.group(1), headers=HTML)).status_code == 200
