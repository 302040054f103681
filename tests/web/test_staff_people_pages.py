"""The staff's people page: the members with their running sessions, and ending a member's
sessions, which signs that member out of every browser (their next request is a
spectator's) and is written to the audit trail; refusals change nothing."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.identity import service as identity
from sprocket.league import members
from sprocket.runtime import Runtime
from tests.league_world import WORLD_SLUG, World
from tests.web.conftest import Demo, Web, sent_to_sign_in
from tests.web.staff_support import client_as, let_sign_in, post_from, refused_unchanged


async def test_ending_a_member_s_sessions_signs_them_out(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    await let_sign_in(platform, world, demo_org)
    player = world.member_ids["player"]
    page_url = f"/staff/{WORLD_SLUG}/people"
    async with (
        client_as(web, world.user_ids["player"]) as player_browser,
        client_as(web, world.user_ids["league_staff"]) as staff,
    ):
        home = await player_browser.get("/")
        assert 'class="viewer-name">Player<' in home.text
        page = await staff.get(page_url)
        assert page.status_code == 200
        row = page.text[page.text.index(f'href="/players/{player}"') :]
        assert row[: row.index("</tr>")].count("1 browser") == 1

        answer = await post_from(staff, page_url, f"{page_url}/{player}/end-sessions")
        assert answer.status_code == 303 and answer.headers["location"] == page_url
        page = await staff.get(page_url)
        assert "Signed out everywhere: 1 session ended." in page.text
        assert "ended the sign-in sessions" in page.text

        after = await player_browser.get("/")
        assert after.status_code == 200
        assert "viewer-name" not in after.text and 'href="/sign-in"' in after.text
        assert "Your session has ended" in after.text
        people = f"/staff/{WORLD_SLUG}/people"
        assert sent_to_sign_in(await player_browser.get(people), people)
    async with platform.reading() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "member.end_sessions"))
    assert (entry.subject, entry.details, entry.actor_user_id) == (
        f"member:{player}",
        {"sessions": 1},
        world.user_ids["league_staff"],
    )


async def test_refusals_change_nothing(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    await let_sign_in(platform, world, demo_org)
    org = world.organization_id
    async with platform.unit_of_work() as s:  # a platform administrator, member here
        admin = await members.add_member(
            s,
            actor=world.actors["superuser"],
            organization_id=org,
            user_id=world.user_ids["superuser"],
        )
        elsewhere = next(  # the player's membership of the demo organization
            m.id
            for m in await members.memberships_of(s, user_id=world.user_ids["player"])
            if m.organization_id == demo_org.organization_id
        )
    staff_member = world.member_ids["team_captain"]
    action = f"/staff/{WORLD_SLUG}/people/{staff_member}/end-sessions"
    async with client_as(web, world.user_ids["player"]) as client:
        assert (await client.get(f"/staff/{WORLD_SLUG}/people")).status_code == 403
        await refused_unchanged(platform, client, action, {}, 403)
    async with client_as(web, None) as client:
        people = f"/staff/{WORLD_SLUG}/people"
        assert sent_to_sign_in(await client.get(people), people)
        await refused_unchanged(platform, client, action, {}, 401)
    async with client_as(web, world.user_ids["league_staff"]) as client:
        answer = await client.post(action)  # no CSRF token
        assert answer.status_code == 403 and "nothing was changed" in answer.text
        # League staff do not sign a platform administrator out.
        answer = await refused_unchanged(
            platform, client, f"/staff/{WORLD_SLUG}/people/{admin.id}/end-sessions", {}, 403
        )
        assert "Only a platform administrator" in answer.text
        for path in (
            f"/staff/{WORLD_SLUG}/people/999999/end-sessions",
            f"/staff/{WORLD_SLUG}/people/{elsewhere}/end-sessions",
        ):
            await refused_unchanged(platform, client, path, {}, 404)


async def test_the_people_page_pages_and_finds_members_by_name(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    await let_sign_in(platform, world, demo_org)
    async with platform.unit_of_work() as s:
        for n in range(60):
            user = await identity.ensure_user(
                s, discord_id=str(940000000000000000 + n), display_name=f"Recruit {n:02d}"
            )
            await members.add_member(
                s,
                actor=world.actors["superuser"],
                organization_id=world.organization_id,
                user_id=user.id,
            )
        total = len(
            await members.current_members(s, organization_id=world.organization_id, first=500)
        )
    url = f"/staff/{WORLD_SLUG}/people"
    async with client_as(web, world.user_ids["league_staff"]) as staff:
        first = (await staff.get(url)).text
        assert f"{total} current members, in the order they joined: 50 on this page" in first
        assert first.count("End the sessions of") == 50
        assert "Recruit 59" not in first and "First page" not in first
        after = re.search(r'href="(/staff/[^"]*\?after=[^"]+)" rel="next"', first)
        assert after is not None
        second = (await staff.get(html.unescape(after.group(1)))).text
        assert second.count("End the sessions of") == total - 50
        assert "Recruit 59" in second and "First page" in second and 'rel="next"' not in second

        found = (await staff.get(url, params={"q": "recruit 0"})).text
        assert "10 current members whose name holds “recruit 0”" in found
        assert "Recruit 07" in found and "Recruit 17" not in found
        none = (await staff.get(url, params={"q": "Nobody%"})).text
        assert "No current member's name holds “Nobody%”." in none
        forged = await staff.get(url, params={"after": "not-a-cursor"})
        assert forged.status_code == 400 and "INVALID_CURSOR" in forged.text
