"""A player's season in a real browser (Debian's Chromium through Playwright, headless):
Chioma signs in through the fake Discord, proves her Steam account at the fake Steam, uploads
the real 2v2 league game (:mod:`tests.web.real_match`) through her match's upload page, reads
the report once the replays are checked; Ada, on the other side, signs in in a second browser
context, ratifies the result, and the season's standings count it. Nothing but 127.0.0.1 is
asked for (the fakes run there too)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from sprocket.config import Settings
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.runtime import Runtime
from tests.replays.test_submissions import run_jobs
from tests.web.browser import Requests, serve_platform, shoot
from tests.web.conftest import Demo
from tests.web.fake_discord import FakeDiscord
from tests.web.fake_steam import FakeSteam
from tests.web.real_match import ACCOUNTS, REAL, RealMatch, build_real_match

pytestmark = pytest.mark.replays

#: Long enough for a slow machine; every wait ends as soon as the page shows what it awaits.
PATIENCE = 30_000


@pytest.fixture
async def real(platform: Runtime, demo_org: Demo) -> RealMatch:
    """The real game's match with Chioma's Steam account not linked yet (she proves it)."""
    return await build_real_match(platform, demo_org, unlinked=("Chioma",))


@pytest.fixture
async def linked_site(
    platform: Runtime, settings: Settings, fake_discord: FakeDiscord, steam: FakeSteam
) -> AsyncIterator[str]:
    """The app signing in through the fake Discord (and the development sign-in, for the
    opponent) and proving Steam accounts at the fake Steam, served on 127.0.0.1."""
    changes = {**fake_discord.settings(), "steam_openid_url": steam.url, "dev_sign_in": True}
    async for url in serve_platform(platform, settings, **changes):
        yield url


async def standings_row(page: Page, team: str) -> list[str]:
    """The figures of ``team``'s row in the Premier standings of the season page shown."""
    table = page.get_by_role("table", name="Premier")
    row = table.get_by_role("row").filter(has=page.get_by_role("cell", name=team, exact=True))
    await expect(row).to_have_count(1, timeout=PATIENCE)
    return [cell.strip() for cell in await row.get_by_role("cell").all_inner_texts()]


async def open_season(page: Page, site: str, match_id: int) -> None:
    """From the match's page, follow its crumbs to the season's page."""
    await page.goto(f"{site}/matches/{match_id}")
    await page.locator(".crumbs").get_by_role("link", name="Season 1").click()
    await expect(page.get_by_role("heading", name="Standings")).to_be_visible(timeout=PATIENCE)


async def chioma_uploads(
    context: BrowserContext,
    site: str,
    platform: Runtime,
    real: RealMatch,
    tmp_path: Path,
) -> tuple[int, list[str]]:
    """Chioma signs in through Discord, links Steam, uploads the game and reads the report.
    Returns the submission's id and Orange Crew's standings row before the result."""
    page = await context.new_page()
    await page.goto(site + "/sign-in")
    await page.get_by_role("link", name="Sign in with Discord").click()
    await expect(page.locator(".viewer-name")).to_have_text("Chioma", timeout=PATIENCE)
    assert page.url == site + "/"

    await open_season(page, site, real.match_id)
    before = await standings_row(page, "Orange Crew")

    await page.goto(site + "/settings")
    await page.get_by_role("link", name="Sign in at Steam").click()
    steam_id = ACCOUNTS["Chioma"][1]
    await expect(
        page.get_by_text(f"Your Steam account {steam_id} is linked and verified.")
    ).to_be_visible(timeout=PATIENCE)
    await shoot(page, tmp_path, "settings-linked")

    await page.goto(f"{site}/matches/{real.match_id}")
    await page.get_by_role("link", name="Submit replays").click()
    await expect(page.get_by_role("button", name="Upload the replays")).to_be_visible(
        timeout=PATIENCE
    )
    await page.evaluate("window.stayed = true")  # gone if the browser loaded a new page
    await page.get_by_label(re.compile("^Replay files")).set_input_files(str(REAL))
    await page.get_by_role("button", name="Upload the replays").click()
    await page.wait_for_url(re.compile(r".*/submissions/[0-9]+$"), timeout=PATIENCE)
    assert await page.evaluate("window.stayed === true")  # the progress script sent it
    submission_id = int(page.url.rsplit("/", 1)[1])
    await expect(page.get_by_text("Replays uploaded")).to_be_visible(timeout=PATIENCE)
    await expect(page.locator(".state")).to_have_text("processing")

    await run_jobs(platform)  # the replays are read and checked
    await page.reload()
    await expect(page.locator(".state")).to_have_text("awaiting ratification", timeout=PATIENCE)
    await expect(page.get_by_text("Every game checks out.")).to_be_visible()
    await expect(page.get_by_role("heading", level=3)).to_have_text(
        f"Game 1 ({REAL.name}), played 22 Nov 2025 03:54 UTC: Blue Crew 1–5 Orange Crew, "
        "Blue Crew on blue; won by Orange Crew."
    )
    await expect(
        page.get_by_text(
            "We expected Chioma for Blue Crew on blue; the replay has their account 'Ant' "
            f"(Steam {steam_id}) on blue."
        )
    ).to_be_visible()
    await shoot(page, tmp_path, "submission-report")
    await page.close()
    return submission_id, before


async def ada_ratifies(context: BrowserContext, site: str, submission_id: int) -> Page:
    """Ada signs in (development sign-in), finds the submission on her dashboard and
    ratifies it. Her page, on the submission."""
    page = await context.new_page()
    await page.goto(site + "/sign-in")
    await page.get_by_label("User").select_option(label="Ada")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator(".viewer-name")).to_have_text("Ada", timeout=PATIENCE)
    await page.goto(site + "/me")
    await page.get_by_role("link", name=f"Submission {submission_id}").click()
    await page.get_by_role("button", name="Ratify this result").click()
    await expect(page.get_by_text("You ratified the result: it is accepted.")).to_be_visible(
        timeout=PATIENCE
    )
    await expect(page.locator(".state")).to_have_text("accepted")
    return page


async def test_a_player_signs_in_links_uploads_and_the_opponent_ratifies(
    chromium: Browser,
    linked_site: str,
    platform: Runtime,
    real: RealMatch,
    fake_discord: FakeDiscord,
    steam: FakeSteam,
    tmp_path: Path,
) -> None:
    async with platform.reading() as session:
        chioma = await identity.me(session, actor=Actor(user_id=real.users["Chioma"]))
    # Discord vouches for Chioma (the member of Blue Crew); Steam for her replay account.
    fake_discord.person = {
        "id": chioma.discord_id,
        "username": "chioma",
        "global_name": "Chioma",
        "avatar": "c0ffee",
    }
    steam.steam_id = ACCOUNTS["Chioma"][1]
    requests = Requests()
    player = requests.watch(await chromium.new_context())
    opponent = requests.watch(await chromium.new_context())

    submission_id, before = await chioma_uploads(player, linked_site, platform, real, tmp_path)
    # Nothing played yet: Orange Crew second, after Blue Crew by name.
    assert before == ["2", "Orange Crew", "0", "0", "0", "0", "0", "0–0", "+0", "0–0", "0"], before

    page = await ada_ratifies(opponent, linked_site, submission_id)
    await page.locator(".crumbs").get_by_role("link", name="Blue Crew vs Orange Crew").click()
    await expect(page.locator(".crumbs").get_by_role("link", name="Season 1")).to_be_visible(
        timeout=PATIENCE
    )
    await page.locator(".crumbs").get_by_role("link", name="Season 1").click()
    await expect(page.get_by_role("heading", name="Standings")).to_be_visible(timeout=PATIENCE)
    after = await standings_row(page, "Orange Crew")
    assert after == ["1", "Orange Crew", "1", "1", "0", "0", "0", "1–0", "+1", "5–1", "1"], after
    assert (await standings_row(page, "Blue Crew"))[2:6] == ["1", "0", "0", "1"]
    await shoot(page, tmp_path, "standings-after")
    await player.close()
    await opponent.close()

    # The browser went to Discord's authorize step; our server traded the code and asked who.
    assert fake_discord.requests[:3] == [
        "GET /api/oauth2/authorize",
        "POST /api/oauth2/token",
        "GET /api/users/@me",
    ]
    assert len(steam.checks) == 1  # the link was verified with check_authentication
    assert requests.hosts() == {"127.0.0.1"}, requests.urls
