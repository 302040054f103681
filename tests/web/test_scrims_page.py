"""The public scrim list: counts and skill groups, never the lobby nor the players."""

from __future__ import annotations

import httpx

from sprocket.db import utcnow
from sprocket.runtime import Runtime
from sprocket.scrims import lifecycle
from sprocket.scrims.models import Scrim
from tests.scrims.test_public_scrims import demo_doubles_people, open_casual_scrim
from tests.web.conftest import HTML
from tests.web.test_pages import foreign_addresses


async def test_the_scrim_list_shows_counts_and_groups_never_the_lobby(
    http: httpx.AsyncClient, platform: Runtime
) -> None:
    org_id, people, _ = await demo_doubles_people(platform, 6)
    full = await open_casual_scrim(platform, org_id, people[:4])
    await open_casual_scrim(platform, org_id, people[4:])
    for actor in people[:4]:  # the full scrim popped: everyone checks in, it starts
        async with platform.unit_of_work() as s:
            await lifecycle.check_in(s, actor=actor, scrim_id=full, now=utcnow())
    async with platform.reading() as s:
        started = await s.get(Scrim, full)
    assert started is not None and started.lobby_name and started.lobby_password
    page = await http.get("/scrims", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert "2 open scrims, 2 players waiting." in text
    assert '<td class="num">4 of 4</td>' in text and "<td>in progress</td>" in text
    assert '<td class="num">2 of 4</td>' in text and "<td>pending</td>" in text
    assert "<td>Champion</td>" in text and "<td>Casual</td>" in text
    assert started.lobby_name not in text and started.lobby_password not in text
    for actor in people:
        assert f">{actor.name}<" not in text
    assert foreign_addresses(text) == []
    only_standard = await http.get("/scrims", params={"mode": "standard"}, headers=HTML)
    assert "0 open scrims, 0 players waiting." in only_standard.text
    assert "No scrim is open right now." in only_standard.text


async def test_the_scrim_list_of_no_organization_and_bad_addresses(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/scrims", headers=HTML)
    assert page.status_code == 200 and "No organization yet" in page.text
    assert (await http.get("/scrims?organization=abc", headers=HTML)).status_code == 400
