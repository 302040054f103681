"""The web door in a real browser (Debian's Chromium through Playwright, headless)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, async_playwright

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.runtime import Runtime
from tests.web.browser import CHROMIUM, browser_or_skip, serve
from tests.web.conftest import Demo


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    browser_or_skip()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def site(platform: Runtime, settings: Settings) -> AsyncIterator[str]:
    """The app with the development sign-in on, served on 127.0.0.1."""
    app = create_app(settings.model_copy(update={"dev_sign_in": True}), runtime=platform)
    async for url in serve(app):
        yield url


async def test_a_visitor_signs_in_with_the_development_sign_in_and_out(
    chromium: Browser, site: str, demo_org: Demo, tmp_path: Path
) -> None:
    context = await chromium.new_context()
    page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    await page.goto(site + "/")
    assert await page.title() == "Home · Sprocket"
    assert await page.get_by_role("heading", name="Organizations").is_visible()
    assert await page.get_by_text("Sprocket Demo League").is_visible()

    await page.get_by_role("link", name="Sign in").click()
    await page.get_by_label("User").select_option(label="Chioma")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(site + "/")
    assert await page.locator(".viewer-name").inner_text() == "Chioma"
    shot = tmp_path / "home-signed-in.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    print(f"screenshot: {shot}")

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(site + "/")
    assert await page.get_by_role("link", name="Sign in").is_visible()
    assert await page.locator(".viewer-name").count() == 0
    await context.close()

    hosts = {urlsplit(url).hostname for url in requested}
    assert hosts == {"127.0.0.1"}, requested


def test_without_chromium_the_browser_tests_skip_unless_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("tests.web.browser.CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("SPROCKET_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is absent"):
        browser_or_skip()
    monkeypatch.setenv("SPROCKET_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="SPROCKET_REQUIRE_BROWSER=1"):
        browser_or_skip()
