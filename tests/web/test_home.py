"""The home page over the demo organization, and over an empty platform."""

from __future__ import annotations

import httpx

from sprocket.demo import build_demo
from sprocket.runtime import Runtime
from tests.web.conftest import HTML
from tests.web.test_pages import foreign_addresses


async def test_the_home_page_shows_the_demo_league(http: httpx.AsyncClient, platform: Runtime):
    async with platform.unit_of_work() as session:
        await build_demo(session)
    page = await http.get("/", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert "Sprocket Demo League" in text and "Season 1" in text
    for heading in ("Recent results", "Upcoming matches", "Top players"):
        assert f">{heading}</h2>" in text
    assert "<caption>The latest results</caption>" in text
    assert "<caption>The next matches</caption>" in text
    assert ": by rating</caption>" in text
    assert "No rated player yet." not in text and "No match has been played yet." not in text
    assert foreign_addresses(text) == []


async def test_the_home_page_of_an_empty_platform(http: httpx.AsyncClient) -> None:
    page = await http.get("/", headers=HTML)
    assert page.status_code == 200
    assert "No organization yet." in page.text and "No rated player yet." in page.text
