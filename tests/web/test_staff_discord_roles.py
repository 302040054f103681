"""The configuration page's Discord role sync section: an organization admin syncs a role,
switches franchise tags in nicknames and stops syncing; a bad value is shown beside its
field and changes nothing; other staff see it but cannot change it; a player cannot open it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from sprocket.demo import SLUG
from sprocket.league import guilds
from sprocket.league.enums import Role
from sprocket.league.roles import grant_role
from sprocket.runtime import Runtime
from tests.web.conftest import Demo, Web, signed_in
from tests.web.staff_support import Little, beside, league_rows, little_league, post_from, words

GUILD = "600000000000000077"
ROLE = "300000000000000077"


@pytest.fixture
async def little(platform: Runtime, demo_org: Demo) -> Little:
    league = await little_league(platform, demo_org)
    async with platform.unit_of_work() as session:
        await guilds.link_guild(
            session, actor=demo_org.admin, organization_id=demo_org.organization_id, guild_id=GUILD
        )
    return league


@pytest.fixture
async def admin(web: Web, demo_org: Demo, little: Little) -> AsyncIterator[httpx.AsyncClient]:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        yield client


async def test_an_admin_syncs_a_role_switches_tags_and_stops_syncing(
    admin: httpx.AsyncClient, demo_org: Demo, little: Little
) -> None:
    page = f"/staff/{SLUG}/configuration"
    shown = await admin.get(page)
    assert shown.status_code == 200
    assert "Server 600000000000000077" in words(shown.text)
    assert "No role is synced in this server yet." in words(shown.text)
    team = little.team_ids["Blue Ants"]
    assert f'<option value="team:{team}">Team: Blue Ants (Doubles)</option>' in shown.text

    done = await post_from(
        admin,
        page,
        f"{page}/discord-roles",
        {"discord_guild": GUILD, "discord_role_id": ROLE, "discord_subject": f"team:{team}"},
    )
    assert done.status_code == 303 and done.headers["location"] == page
    shown = await admin.get(page)
    assert f"Role {ROLE} is synced now." in words(shown.text)
    assert f"{ROLE} Team: Blue Ants (Doubles)" in words(shown.text)

    band = await post_from(
        admin,
        page,
        f"{page}/discord-roles",
        {
            "discord_guild": GUILD,
            "discord_role_id": "300000000000000078",
            "discord_subject": "rating_band:2",
            "discord_minimum": "1200",
        },
    )
    assert band.status_code == 303
    assert "Rating band: doubles from 1200" in words((await admin.get(page)).text)

    tags = await post_from(
        admin,
        page,
        f"{page}/discord-nicknames",
        {"discord_guild": GUILD, "nickname_prefix": "true"},
    )
    assert tags.status_code == 303
    shown = await admin.get(page)
    assert f"Franchise tags in nicknames are on in server {GUILD}." in words(shown.text)
    assert '<option value="true" selected>On</option>' in shown.text

    stopped = await post_from(
        admin,
        page,
        f"{page}/discord-roles/stop",
        {"discord_guild": GUILD, "discord_role_id": ROLE},
    )
    assert stopped.status_code == 303
    shown = await admin.get(page)
    assert f"Role {ROLE} is no longer synced" in words(shown.text)
    assert "Blue Ants (Doubles)" not in words(shown.text).split("Sync a role")[0]


async def test_a_bad_value_is_shown_beside_its_field_and_changes_nothing(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    page = f"/staff/{SLUG}/configuration"
    team = little.team_ids["Blue Ants"]
    before = await league_rows(platform)
    cases = [
        ({"discord_role_id": "12ab", "discord_subject": f"team:{team}"}, "discord_role_id"),
        ({"discord_role_id": ROLE, "discord_subject": "nothing"}, "discord_subject"),
        ({"discord_role_id": ROLE, "discord_subject": "rating_band:2"}, "discord_minimum"),
        (
            {"discord_role_id": ROLE, "discord_subject": "rating_band:2", "discord_minimum": "x"},
            "discord_minimum",
        ),
    ]
    for data, field in cases:
        refused = await post_from(
            admin, page, f"{page}/discord-roles", {"discord_guild": GUILD, **data}
        )
        assert refused.status_code == 400, refused.text
        assert beside(refused.text, field), (data, field)
    assert await league_rows(platform) == before


async def test_other_staff_see_it_but_only_an_admin_changes_it(
    web: Web, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    org = demo_org.organization_id
    async with platform.unit_of_work() as s:
        await grant_role(
            s,
            actor=demo_org.admin,
            organization_id=org,
            user_id=demo_org.users["Chioma"],
            role=Role.LEAGUE_STAFF,
        )
    page = f"/staff/{SLUG}/configuration"
    data = {
        "discord_guild": GUILD,
        "discord_role_id": ROLE,
        "discord_subject": f"team:{little.team_ids['Blue Ants']}",
    }
    before = await league_rows(platform)
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Chioma"])).status_code == 303
        shown = await client.get(page)
        assert shown.status_code == 200 and "Server 600000000000000077" in words(shown.text)
        for action, posted in (
            ("discord-roles", data),
            ("discord-nicknames", {"discord_guild": GUILD, "nickname_prefix": "true"}),
        ):
            refused = await post_from(client, page, f"{page}/{action}", posted)
            assert refused.status_code == 403
            assert "Only an organization admin may" in refused.text
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Bruno"])).status_code == 303
        assert (await client.get(page)).status_code == 403
        refused = await post_from(client, "/sign-in", f"{page}/discord-roles", data)
        assert refused.status_code == 403
    assert await league_rows(platform) == before
