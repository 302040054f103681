"""The spectator's pages, the sign-in page and the 404 page checked by axe-core
(axe-playwright-python, whose axe.min.js is injected from the installed package, never
fetched) in Debian's Chromium: no violation of serious or critical impact."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

from sprocket.demo import build_demo
from sprocket.runtime import Runtime

SEVERE = frozenset({"serious", "critical"})


async def _severe_violations(axe: Axe, page: Page) -> list[str]:
    """The page's violations of serious or critical impact, one line each: the rule, its
    impact, its help and the first offending elements."""
    results = await axe.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] in SEVERE:
            targets = [node["target"] for node in violation["nodes"][:3]]
            lines.append(
                f"{page.url}: {violation['id']} ({violation['impact']}): "
                f"{violation['help']} at {targets}"
            )
    return lines


async def _follow(page: Page, link: str, address: str) -> None:
    """Click the first link whose address matches ``link`` and wait for ``address``."""
    await page.locator(f"a[href^='{link}']").first.click()
    await page.wait_for_url(re.compile(address))


async def test_the_pages_have_no_serious_accessibility_violation(
    chromium: Browser,
    site: str,
    platform: Runtime,
) -> None:
    async with platform.unit_of_work() as session:
        await build_demo(session)
    axe = Axe()
    context = await chromium.new_context()
    page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    found: list[str] = []
    checked: list[str] = []

    async def check() -> None:
        checked.append(urlsplit(page.url).path)
        found.extend(await _severe_violations(axe, page))

    await page.goto(site + "/")
    await check()
    await _follow(page, "/seasons/", r".*/seasons/\d+$")
    await check()
    await _follow(page, "/matches/", r".*/matches/\d+$")
    await check()
    await page.goto(site + "/leaderboards")
    await check()
    await _follow(page, "/players/", r".*/players/\d+$")
    await check()
    for path in ("/scrims", "/sign-in", "/no-such-page"):
        await page.goto(site + path)
        await check()
    # The check itself finds what it should: an input without a label is critical.
    await page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    unlabelled = await _severe_violations(axe, page)
    await context.close()

    assert len(checked) == 8, checked
    assert found == [], "\n".join(found)
    assert len(unlabelled) == 1 and " label (critical)" in unlabelled[0], unlabelled
    assert {urlsplit(url).hostname for url in requested} == {"127.0.0.1"}, requested
