"""Dates and times on pages: one way to write them (:mod:`sprocket.web.clocks`), so the home
page, the public pages and the staff pages write the same moment alike, in the zone of the
organization it belongs to, or in the zone a signed-in viewer chose on their settings page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select

from sprocket.dates import for_people
from sprocket.db import utcnow
from sprocket.demo import SLUG
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.identity.models import User, WebSession
from sprocket.league import service as league
from sprocket.league.models import Season
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.schedule.overview import MatchLine
from sprocket.web.clocks import Clock
from tests.helpers.database import fails_unchanged
from tests.web.conftest import HTML, Demo, Web
from tests.web.staff_support import Little, beside, client_as, little_league, post_from

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "sprocket" / "web" / "templates"
ZONE = "America/New_York"


def test_a_clock_writes_a_moment_with_its_time_and_a_day_alone() -> None:
    paris = Clock("Europe/Paris")
    late = dt.datetime(2025, 11, 24, 23, 30, tzinfo=dt.UTC)
    assert paris(late) == "25 Nov 2025 00:30 CET"
    assert paris.date(late) == "25 Nov 2025"  # the moment's day where it is read
    assert Clock("UTC").date(late) == "24 Nov 2025"
    assert paris.date(dt.date(2025, 3, 9)) == "9 Mar 2025"  # a day is no moment: no zone
    assert Clock(ZONE)(dt.datetime(2025, 7, 4, 16, 0, tzinfo=dt.UTC)) == "4 Jul 2025 12:00 EDT"


def test_no_template_writes_a_moment_itself() -> None:
    """Every template goes through its page's clock: no strftime, and an ISO form only in a
    ``<time datetime>`` (or a form field's value), never in the text people read."""
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "strftime" not in text, template.name
        shown = re.sub(r'(datetime|value)="\{\{[^}]*\}\}"', "", text)
        assert ".isoformat()" not in shown, template.name


async def scheduled_in_new_york(platform: Runtime, demo_org: Demo) -> tuple[Little, MatchLine]:
    """A four-team league of the demo organization, which plays in :data:`ZONE`, with its
    round robin scheduled; and its next match."""
    little = await little_league(platform, demo_org, teams=4)
    async with platform.unit_of_work() as s:
        await league.set_organization_time_zone(
            s, actor=demo_org.admin, organization_id=demo_org.organization_id, time_zone=ZONE
        )
        await schedule.create_match_weeks(
            s, actor=demo_org.admin, season_id=little.season_id, count=10
        )
        await schedule.generate_schedule(s, actor=demo_org.admin, season_id=little.season_id)
        (line, *_) = await overview.upcoming_matches(s, at=utcnow(), first=1)
    return little, line


async def test_the_pages_write_the_same_moment_alike(
    web: Web, platform: Runtime, demo_org: Demo
) -> None:
    little, line = await scheduled_in_new_york(platform, demo_org)
    async with platform.reading() as s:
        season = await s.get(Season, little.season_id)
        assert season is not None
    match_start = for_people(line.starts_at, ZONE)
    season_start = for_people(season.starts_at, ZONE)
    assert match_start.endswith(("EST", "EDT"))  # written where the league plays, not UTC
    shown_at = f'<time datetime="{line.starts_at.isoformat()}">{match_start}</time>'
    season_at = f'<time datetime="{season.starts_at.isoformat()}">{season_start}</time>'
    team = little.team_ids[line.home]

    async with web() as spectator:
        public = {
            path: (await spectator.get(path, headers=HTML)).text
            for path in (
                "/",
                f"/leagues/{little.league_id}",
                f"/seasons/{little.season_id}",
                f"/matches/{line.id}",
                f"/teams/{team}",
            )
        }
    for path in (f"/seasons/{little.season_id}", f"/matches/{line.id}", f"/teams/{team}"):
        assert shown_at in public[path], path
    # The home page's upcoming matches say when each must be played by: its window's end.
    play_by = for_people(line.ends_at, ZONE)
    assert f'<time datetime="{line.ends_at.isoformat()}">{play_by}</time>' in public["/"]
    assert "Play by" in public["/"]
    for path in ("/", f"/leagues/{little.league_id}", f"/seasons/{little.season_id}"):
        assert season_at in public[path], path
    assert "When (UTC)" not in public["/"]

    async with client_as(web, demo_org.admin.user_id) as admin:
        staff = {
            path: (await admin.get(path)).text
            for path in (
                f"/staff/{SLUG}/schedules",
                f"/staff/{SLUG}/leagues/{little.league_id}",
                f"/staff/{SLUG}/seasons/{little.season_id}",
                f"/staff/{SLUG}/matches/{line.id}",
            )
        }
    for path in (f"/staff/{SLUG}/seasons/{little.season_id}", f"/staff/{SLUG}/matches/{line.id}"):
        assert match_start in staff[path], path
    for path in staff:
        if "matches" not in path:
            assert season_start in staff[path], path

    async with client_as(web, demo_org.users["Ada"]) as player:  # her own times: her league's
        settings = (await player.get("/settings")).text
    async with platform.reading() as s:
        (browser,) = (
            await s.scalars(select(WebSession).where(WebSession.user_id == demo_org.users["Ada"]))
        ).all()
    assert f"<td>{for_people(browser.created_at, ZONE)}</td>" in settings


async def test_a_viewer_who_chose_a_zone_reads_every_page_in_it(
    web: Web, platform: Runtime, demo_org: Demo
) -> None:
    little, line = await scheduled_in_new_york(platform, demo_org)
    league_time = for_people(line.starts_at, ZONE)
    tokyo_time = for_people(line.starts_at, "Asia/Tokyo")
    assert tokyo_time.endswith("JST") and league_time != tokyo_time
    # Each page with the moment it shows of the match: the home page, when to play it by.
    pages = {
        "/": line.ends_at,
        f"/seasons/{little.season_id}": line.starts_at,
        f"/matches/{line.id}": line.starts_at,
    }

    async with client_as(web, demo_org.users["Ada"]) as ada:
        settings = (await ada.get("/settings")).text
        assert f"yours is <strong>{ZONE}</strong>" in settings
        wrong = await post_from(ada, "/settings", "/settings/time-zone", {"time_zone": "Mars/Base"})
        assert wrong.status_code == 400
        assert "'Mars/Base' is not a time zone" in (beside(wrong.text, "time_zone") or "")
        chosen = await post_from(
            ada, "/settings", "/settings/time-zone", {"time_zone": " Asia/Tokyo "}
        )
        assert chosen.status_code == 303
        settings = (await ada.get("/settings")).text
        assert "Dates and times are now written in Asia/Tokyo." in settings
        for path, moment in pages.items():
            page = (await ada.get(path)).text
            mine, theirs = for_people(moment, "Asia/Tokyo"), for_people(moment, ZONE)
            assert mine in page and theirs not in page, path

    async with web() as spectator:  # a shared page: the league's zone
        for path, moment in pages.items():
            page = (await spectator.get(path, headers=HTML)).text
            mine, theirs = for_people(moment, "Asia/Tokyo"), for_people(moment, ZONE)
            assert theirs in page and mine not in page, path
    async with client_as(web, demo_org.users["Bruno"]) as bruno:  # chose nothing
        assert league_time in (await bruno.get(f"/matches/{line.id}")).text

    async with client_as(web, demo_org.users["Ada"]) as ada:
        cleared = await post_from(ada, "/settings", "/settings/time-zone", {"time_zone": ""})
        assert cleared.status_code == 303
        assert league_time in (await ada.get(f"/matches/{line.id}")).text
    async with platform.reading() as s:
        assert (await s.get(User, demo_org.users["Ada"])).time_zone is None


async def test_a_zone_is_chosen_by_its_owner_only_and_a_bad_one_changes_nothing(
    platform: Runtime, demo_org: Demo
) -> None:
    ada = Actor(user_id=demo_org.users["Ada"])
    await fails_unchanged(
        platform,
        lambda s: identity.set_time_zone(s, actor=Actor(), zone="UTC"),
        code="UNAUTHENTICATED",
    )
    for bad in ("+02:00", "localtime", "../../etc/passwd", "Europe/Nowhere"):
        await fails_unchanged(
            platform,
            lambda s, bad=bad: identity.set_time_zone(s, actor=ada, zone=bad),
            code="INVALID_TIME_ZONE",
        )
    async with platform.unit_of_work() as s:
        user = await identity.set_time_zone(s, actor=ada, zone="Europe/Berlin")
    assert user.time_zone == "Europe/Berlin"
