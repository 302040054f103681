"""The league health page and its CSV files, on the fortnight of tests/helpers/health.py
(built through the services, in 2025, so that every match window it names has ended): the
charts inline (no script, no other host), their numbers, the viewer's time zone, the range
form's refusals beside their fields, and who may look.

Staff and players of the World call with their API tokens (the authentication guard reads a
Bearer token on pages as on the API); the development sign-in's cookie is checked on the
demo organization."""

from __future__ import annotations

import re

import pytest

from sprocket.demo import SLUG
from sprocket.runtime import Runtime
from tests.helpers.health import build_fortnight
from tests.league_world import WORLD_SLUG, World
from tests.web.conftest import Demo, Web, sent_to_sign_in, signed_in
from tests.web.test_pages import foreign_addresses

RANGE = "from=2025-03-03&to=2025-03-16"
SERIES = ("active-players", "matches", "ratification", "scrims", "queue-waits", "no-shows")
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


@pytest.fixture
async def fortnight_world(platform: Runtime, world: World) -> World:
    await build_fortnight(platform, world)
    return world


def bearer(world: World, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[role]}"}


def table(page: str, key: str) -> dict[str, list[str]]:
    """The numbers of one series' table, by the first day of each row."""
    section = re.search(rf'<section id="{key}".*?</section>', page, re.S)
    assert section, key
    rows = re.findall(
        r'<tr><th scope="row"><time datetime="([\d-]+)">[^<]+</time></th>(.*?)</tr>',
        section.group(0),
        re.S,
    )
    return {day: re.findall(r'<td class="num">([^<]*)</td>', cells) for day, cells in rows}


async def test_staff_see_every_series_as_an_inline_chart_with_its_numbers(
    web: Web, fortnight_world: World
) -> None:
    world = fortnight_world
    async with web() as client:
        page = await client.get(
            f"/staff/{WORLD_SLUG}/analytics?{RANGE}",
            headers=bearer(world, "league_staff"),
        )
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "private, no-store"
    text = page.text
    assert "<strong>America/New_York</strong>" in text
    assert 'value="2025-03-03"' in text and 'value="2025-03-16"' in text

    charts = SVG.findall(text)
    assert len(charts) == len(SERIES)
    for key, chart in zip(SERIES, charts, strict=True):
        assert f'role="img" aria-labelledby="chart-{key}"' in chart
        assert f'<title id="chart-{key}">' in chart
        assert "://" not in chart and "<style" not in chart and "style=" not in chart
    assert "<script" not in text
    assert foreign_addresses(text) == []

    assert table(text, "active-players") == {"2025-03-03": ["8"], "2025-03-10": ["4"]}
    assert table(text, "matches") == {
        "2025-03-03": ["1", "1", "0", "0"],
        "2025-03-10": ["2", "0", "1", "1"],
    }
    assert table(text, "ratification") == {
        "2025-03-03": ["3", "5.00", "30.00"],
        "2025-03-10": ["0", "", ""],
    }
    assert table(text, "queue-waits")["2025-03-12"] == ["4", "6.00"]
    assert table(text, "queue-waits")["2025-03-13"] == ["0", ""]
    assert table(text, "no-shows")["2025-03-15"] == ["2"]
    assert table(text, "scrims")["2025-03-11"] == ["1", "1"]
    for key in SERIES:
        query = f"{RANGE}&tz=America%2FNew_York".replace("&", "&amp;")
        assert f'href="/staff/{WORLD_SLUG}/analytics/{key}.csv?{query}"' in text


async def test_the_viewer_chooses_another_time_zone(web: Web, fortnight_world: World) -> None:
    world = fortnight_world
    async with web() as client:
        page = await client.get(
            f"/staff/{WORLD_SLUG}/analytics?{RANGE}&tz=UTC",
            headers=bearer(world, "organization_admin"),
        )
    assert page.status_code == 200
    assert "<strong>UTC</strong>" in page.text
    assert table(page.text, "ratification") == {
        "2025-03-03": ["2", "16.00", "30.00"],
        "2025-03-10": ["1", "5.00", "5.00"],
    }
    assert table(page.text, "active-players") == {"2025-03-03": ["8"], "2025-03-10": ["6"]}


async def test_each_series_downloads_as_a_csv_file(web: Web, fortnight_world: World) -> None:
    world = fortnight_world
    base = f"/staff/{WORLD_SLUG}/analytics"
    async with web() as client:
        matches = await client.get(
            f"{base}/matches.csv?{RANGE}", headers=bearer(world, "league_staff")
        )
        waits = await client.get(
            f"{base}/queue-waits.csv?{RANGE}&tz=UTC", headers=bearer(world, "league_staff")
        )
        unknown = await client.get(
            f"{base}/nope.csv?{RANGE}", headers=bearer(world, "league_staff")
        )
    assert matches.status_code == 200
    assert matches.headers["content-type"] == "text/csv; charset=utf-8"
    assert matches.headers["content-disposition"] == (
        'attachment; filename="test-org-matches-2025-03-03-2025-03-16-America-New_York.csv"'
    )
    assert matches.headers["cache-control"] == "private, no-store"
    assert matches.text == (
        "week_starting,on_time,late,forfeited,overdue\r\n"
        "2025-03-03,1,1,0,0\r\n"
        "2025-03-10,2,0,1,1\r\n"
    )
    assert (
        'filename="test-org-queue-waits-2025-03-03-2025-03-16-UTC.csv"'
        in (waits.headers["content-disposition"])
    )
    lines = waits.text.split("\r\n")
    assert lines[0] == "day,placed,median_minutes" and lines[10] == "2025-03-12,4,6"
    assert len(lines) == 16 and lines[1] == "2025-03-03,0,"
    assert unknown.status_code == 404 and "no series" in unknown.text


@pytest.mark.parametrize(
    "query,field,sentence",
    [
        ("tz=Mars%2FOlympus", "tz", "is not a time zone"),
        ("from=2025-02-30", "from", "must be a date"),
        ("from=2025-03-16&to=2025-03-01", "to", "comes before the first"),
        ("from=2023-01-01&to=2025-03-16", "from", "at most 366 days"),
    ],
)
async def test_a_bad_range_is_shown_beside_its_field(
    web: Web, world: World, query: str, field: str, sentence: str
) -> None:
    async with web() as client:
        page = await client.get(
            f"/staff/{WORLD_SLUG}/analytics?{query}",
            headers=bearer(world, "league_staff"),
        )
    assert page.status_code == 400
    error = re.search(
        rf'<span id="f-{field}-error" class="error" role="alert">([^<]*)</span>', page.text
    )
    assert error and sentence in error.group(1)
    assert f'aria-describedby="f-{field}-error"' in page.text
    assert "<svg" not in page.text  # no chart of a range that is not one


async def test_players_are_refused_and_spectators_must_sign_in(web: Web, world: World) -> None:
    base = f"/staff/{WORLD_SLUG}/analytics"
    async with web() as client:
        for path in (base, f"{base}/matches.csv", f"{base}?tz=Mars%2FOlympus"):
            refused = await client.get(path, headers=bearer(world, "player"))
            assert refused.status_code == 403 and "PERMISSION_DENIED" in refused.text
            assert "<svg" not in refused.text and "is not a time zone" not in refused.text
            assert sent_to_sign_in(await client.get(path), path)
        assert (await client.get("/staff/abc/analytics")).status_code == 404
        missing = await client.get("/staff/99999/analytics", headers=bearer(world, "superuser"))
        assert missing.status_code == 404


async def test_signed_in_staff_see_the_last_twelve_weeks_by_default(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        hub = await client.get(f"/staff/{SLUG}")
        assert f'href="/staff/{SLUG}/analytics"' in hub.text
        page = await client.get(f"/staff/{SLUG}/analytics")
        assert page.status_code == 200
        assert "<strong>UTC</strong>" in page.text  # the organization's zone
        assert len(SVG.findall(page.text)) == len(SERIES)
        assert len(table(page.text, "matches")) == 12
        assert len(table(page.text, "scrims")) in range(78, 85)  # 11 weeks and 1 to 7 days
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        refused = await client.get(f"/staff/{SLUG}/analytics")
        assert refused.status_code == 403


async def test_charts_without_data_reference_no_other_host(web: Web, world: World) -> None:
    """The charts of the last twelve weeks, when nothing happened in them (lines with no
    point at all among them): still nothing from elsewhere, nothing run."""
    async with web() as client:
        page = await client.get(
            f"/staff/{WORLD_SLUG}/analytics", headers=bearer(world, "superuser")
        )
    assert page.status_code == 200
    assert foreign_addresses(page.text) == []
    assert all("://" not in chart for chart in SVG.findall(page.text))
    assert "<script" not in page.text
