"""The web door in a real browser (Debian's Chromium through Playwright, headless)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser

from sprocket.demo import build_demo
from sprocket.runtime import Runtime
from tests.web.browser import Requests, browser_or_skip, shoot
from tests.web.conftest import Demo


async def test_a_visitor_signs_in_with_the_development_sign_in_and_out(
    chromium: Browser, site: str, demo_org: Demo, tmp_path: Path
) -> None:
    requests = Requests()
    context = requests.watch(await chromium.new_context())
    page = await context.new_page()

    await page.goto(site + "/")
    assert await page.title() == "Home · Sprocket"
    assert await page.get_by_role("heading", name="Organizations").is_visible()
    assert await page.get_by_text("Sprocket Demo League").is_visible()

    await page.get_by_role("link", name="Sign in").click()
    await page.get_by_label("User").select_option(label="Chioma")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(site + "/")
    assert await page.locator(".viewer-name").inner_text() == "Chioma"
    await shoot(page, tmp_path, "home-signed-in")

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(site + "/")
    assert await page.get_by_role("link", name="Sign in").is_visible()
    assert await page.locator(".viewer-name").count() == 0
    await context.close()

    assert requests.hosts() == {"127.0.0.1"}, requests.urls


async def test_a_visitor_opening_the_inbox_signs_in_and_lands_on_it(
    chromium: Browser, site: str, demo_org: Demo, tmp_path: Path
) -> None:
    context = await chromium.new_context()
    page = await context.new_page()
    await page.goto(site + "/inbox?unread=1")
    await page.wait_for_url(site + "/sign-in?next=%2Finbox%3Funread%3D1")
    assert await page.title() == "Sign in · Sprocket"
    await page.get_by_label("User").select_option(label="Ada")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(site + "/inbox?unread=1")
    assert await page.get_by_role("heading", level=1).inner_text() == "Inbox"
    assert await page.locator(".viewer-name").inner_text() == "Ada"
    await shoot(page, tmp_path, "inbox-after-sign-in")
    await context.close()


def test_without_chromium_the_browser_tests_skip_unless_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("tests.web.browser.CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("SPROCKET_REQUIRE_BROWSER", raising=False)
    monkeypatch.delenv("SPROCKET_BROWSER_TESTS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is absent"):
        browser_or_skip()
    monkeypatch.setenv("SPROCKET_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="SPROCKET_REQUIRE_BROWSER=1"):
        browser_or_skip()
    monkeypatch.setenv("SPROCKET_BROWSER_TESTS", "off")
    with pytest.raises(pytest.skip.Exception, match="other pass"):
        browser_or_skip()


async def test_a_spectator_browses_home_season_match_player_and_leaderboards(
    chromium: Browser, site: str, platform: Runtime, tmp_path: Path
) -> None:
    async with platform.unit_of_work() as session:
        await build_demo(session)
    requests = Requests()
    context = requests.watch(await chromium.new_context())
    page = await context.new_page()

    await page.set_viewport_size({"width": 1000, "height": 800})
    await page.goto(site + "/")
    await shoot(page, tmp_path, "home")
    await page.get_by_role("link", name="Season 1").first.click()
    await page.wait_for_url(re.compile(r".*/seasons/\d+$"))
    assert await page.title() == "Doubles League, Season 1 · Sprocket"
    assert await page.get_by_role("heading", name="Standings").is_visible()
    premier = page.get_by_role("table", name="Premier")
    assert await premier.get_by_role("row").nth(1).get_by_role("cell").nth(1).inner_text() == (
        "Harbor Hawks PL"
    )
    await shoot(page, tmp_path, "season")
    week_one = page.get_by_role("table", name="Week 1")
    await week_one.get_by_role("link").first.click()
    await page.wait_for_url(re.compile(r".*/matches/\d+$"))
    assert await page.get_by_role("heading", level=1).inner_text() == (
        "Aurora Aces CL vs Harbor Hawks CL"
    )
    lines = page.get_by_role("table", name="Game 1: the players' stat lines")
    assert await lines.is_visible()
    await shoot(page, tmp_path, "match")

    top = lines.get_by_role("row").nth(1).get_by_role("link")
    name = await top.inner_text()
    await top.click()
    await page.wait_for_url(re.compile(r".*/players/\d+$"))
    assert await page.get_by_role("heading", level=1).inner_text() == name
    await shoot(page, tmp_path, "player")

    await (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboards").click()
    )
    await page.wait_for_url(re.compile(r".*/leaderboards"))
    assert await page.get_by_role("heading", level=1).inner_text() == "Leaderboards"
    assert await page.locator("table a[href^='/players/']").count() > 0
    await context.close()

    assert requests.hosts() == {"127.0.0.1"}, requests.urls
