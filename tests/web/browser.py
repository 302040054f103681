"""Browser tests' fixtures and helpers: Debian's Chromium driven by Playwright (never a
downloaded browser), the app served over real HTTP on 127.0.0.1, a record of every address
a browser asked for, and full-page screenshots."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.runtime import Runtime
from tests.helpers.required import unavailable

CHROMIUM = Path("/usr/bin/chromium")


def browser_or_skip() -> None:
    """Skip with a reason when Chromium is absent; fail instead when it is required
    (``SPROCKET_REQUIRE_BROWSER=1``, as in CI's first pass). ``SPROCKET_BROWSER_TESTS=off``
    skips them (CI's second pass: they ran in the first)."""
    if os.environ.get("SPROCKET_BROWSER_TESTS") == "off":
        pytest.skip("SPROCKET_BROWSER_TESTS=off: the browser tests run in CI's other pass")
    if CHROMIUM.exists():
        return
    unavailable(
        f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests",
        required_by="SPROCKET_REQUIRE_BROWSER",
    )


async def serve(app: object) -> AsyncIterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def serve_platform(
    platform: Runtime, settings: Settings, **changes: Any
) -> AsyncIterator[str]:
    """Serve the app of ``platform`` with ``changes`` to ``settings`` (e.g. the fakes'
    addresses) on 127.0.0.1; yields its base URL."""
    app = create_app(settings.model_copy(update=changes), runtime=platform)
    async for url in serve(app):
        yield url


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless (the test skips, or fails in CI, without it)."""
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
    async for url in serve_platform(platform, settings, dev_sign_in=True):
        yield url


class Requests:
    """Every address the pages of the browser contexts it watches asked for."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def watch(self, context: BrowserContext) -> BrowserContext:
        """Record the requests of every page of ``context``; returns it."""
        context.on("request", lambda request: self.urls.append(request.url))
        return context

    def hosts(self) -> set[str | None]:
        """The hosts asked for (``127.0.0.1`` only, when nothing left this machine)."""
        return {urlsplit(url).hostname for url in self.urls}


async def shoot(page: Page, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot ``<name>.png``, kept in the test's folder and, when
    ``SPROCKET_SCREENSHOTS`` names a folder (the README's pictures come from there), also
    there. Returns the test folder's file."""
    shot = tmp_path / f"{name}.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    wanted = os.environ.get("SPROCKET_SCREENSHOTS")
    if wanted:
        await asyncio.to_thread(_keep, shot, Path(wanted))
    return shot


def _keep(shot: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, folder / shot.name)
