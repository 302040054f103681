"""The web inbox (list, unread badge in the header, mark read, mark all read), the
notification settings page, and announcements on the (cached) home page."""

from __future__ import annotations

import html

from sprocket.notifications import announcements, inbox, preferences
from sprocket.notifications.enums import DeliveryMode, NotificationKind
from sprocket.notifications.service import Notice, notify
from sprocket.runtime import Runtime
from tests.helpers.database import snapshot
from tests.league_world import World
from tests.notifications.support import inbox_rows
from tests.web.conftest import Demo, Web, sent_to_sign_in
from tests.web.staff_support import client_as, let_sign_in, post_from

CACHE = "x-sprocket-cache"


async def _tell(platform: Runtime, world: World, user_id: int, n: int) -> None:
    async with platform.unit_of_work() as session:
        await notify(
            session,
            organization_id=world.organization_id,
            kind=NotificationKind.RESULT_ACCEPTED,
            recipients=[user_id],
            notice=Notice(f"Result {n} accepted", f"Match {n} is done.", link=f"/matches/{n}"),
            key=f"test:{n}",
        )


async def test_the_inbox_lists_counts_and_marks_read(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    await let_sign_in(platform, world, demo_org)
    player, captain = world.user_ids["player"], world.user_ids["team_captain"]
    async with platform.unit_of_work() as session:  # the World's signings told them already
        for role in ("player", "team_captain"):
            await inbox.mark_all_read(session, actor=world.actors[role])
    for n in (1, 2, 3):
        await _tell(platform, world, player, n)
    await _tell(platform, world, captain, 9)
    async with client_as(web, player) as client:
        page = await client.get("/inbox")
        assert page.status_code == 200
        assert '<span class="badge" aria-label="3 unread">3</span>' in page.text
        # Newest first; the captain's notification is not the player's to see.
        assert page.text.index("Result 3 accepted") < page.text.index("Result 1 accepted")
        assert "Result 9" not in page.text
        mine = await inbox_rows(platform, user_id=player, kind=NotificationKind.RESULT_ACCEPTED)
        theirs = (await inbox_rows(platform, user_id=captain, key="test:9"))[0]
        before = await snapshot(platform)
        refused = await post_from(client, "/inbox", f"/inbox/{theirs.id}/read")
        assert refused.status_code == 404 and "no notification" in refused.text
        assert (await snapshot(platform))["notifications"] == before["notifications"]
        done = await post_from(client, "/inbox", f"/inbox/{mine[0].id}/read")
        assert done.status_code == 303
        page = await client.get("/inbox")
        assert "Marked read: Result 1 accepted." in page.text
        assert 'aria-label="2 unread">2<' in page.text
        unread = await client.get("/inbox?unread=1")
        assert "Result 1 accepted" not in unread.text and "Result 2 accepted" in unread.text
        await post_from(client, "/inbox", "/inbox/read-all")
        page = await client.get("/inbox")
        assert "Marked read: 2 notifications." in page.text
        assert 'class="badge"' not in page.text
    assert all(row.read_at for row in await inbox_rows(platform, user_id=player))
    assert (await inbox_rows(platform, user_id=captain, key="test:9"))[0].read_at is None


async def test_a_spectator_has_no_inbox(web: Web, platform: Runtime, world: World) -> None:
    async with client_as(web, None) as client:
        assert sent_to_sign_in(await client.get("/inbox"), "/inbox")
        answer = await client.get("/inbox", headers={"accept": "application/json"})
        assert answer.status_code == 401 and "Sign in to read your notifications." in answer.text
        settings = await client.get("/settings/notifications")
        assert sent_to_sign_in(settings, "/settings/notifications")


async def test_notification_settings_are_saved_and_a_bad_value_changes_nothing(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    await let_sign_in(platform, world, demo_org)
    async with client_as(web, world.user_ids["player"]) as client:
        page = await client.get("/settings/notifications")
        assert page.status_code == 200
        for kind in NotificationKind:
            assert f'name="{kind}-delivery"' in page.text
            assert kind.sentence in html.unescape(page.text)
        before = await snapshot(platform)
        bad = await post_from(
            client,
            "/settings/notifications",
            "/settings/notifications",
            {"scrim_popped-delivery": "loud"},
        )
        assert bad.status_code == 400 and "is no delivery" in bad.text
        assert await snapshot(platform) == before
        saved = await post_from(
            client,
            "/settings/notifications",
            "/settings/notifications",
            {"scrim_popped-delivery": "off", "result_accepted-silent": "yes"},
        )
        assert saved.status_code == 303
    async with platform.reading() as session:
        chosen = {
            p.kind: p
            for p in await preferences.my_preferences(session, actor=world.actors["player"])
        }
    assert chosen[NotificationKind.SCRIM_POPPED].delivery == DeliveryMode.OFF
    assert chosen[NotificationKind.RESULT_ACCEPTED].silent is True
    assert chosen[NotificationKind.QUEUE_BAN].delivery == DeliveryMode.DM  # left as it was


async def test_an_announcement_shows_on_the_cached_home_page_at_once(
    web: Web, platform: Runtime, world: World
) -> None:
    async with web() as client:
        assert (await client.get("/")).headers[CACHE] == "miss"
        assert (await client.get("/")).headers[CACHE] == "hit"
        async with platform.unit_of_work() as session:
            await announcements.announce(
                session,
                actor=world.actors["league_staff"],
                organization_id=world.organization_id,
                title="Season 2 sign-ups",
                body="Sign up by Friday.",
            )
        fresh = await client.get("/")
        assert fresh.headers[CACHE] == "miss"
        assert "Season 2 sign-ups" in fresh.text and "Sign up by Friday." in fresh.text
