"""/staff/{WORLD_SLUG}/notifications: league staff set the Discord channels per purpose and make
announcements (audited); anyone else is refused and nothing changes."""

from __future__ import annotations

from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.runtime import Runtime
from tests.helpers.database import snapshot
from tests.league_world import WORLD_SLUG, World
from tests.notifications.support import CHANNEL, ROLE, deliveries
from tests.web.conftest import Demo, Web
from tests.web.staff_support import client_as, error_beside, let_sign_in, post_from


async def test_only_staff_open_or_change_the_page(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    await let_sign_in(platform, world, demo_org)
    page = f"/staff/{WORLD_SLUG}/notifications"
    async with client_as(web, world.user_ids["player"]) as client:
        assert (await client.get(page)).status_code == 403
        before = await snapshot(platform)
        for action, data in (
            ("/channels", {"place": "results:0", "channel_id": CHANNEL}),
            ("/announcements", {"title": "Hi", "body": "Hello"}),
            ("/channels/remove", {"place": "results:0"}),
        ):
            answer = await post_from(client, "/inbox", page + action, data)
            assert answer.status_code == 403, answer.text
        after = await snapshot(platform)
        assert {k: v for k, v in after.items() if k != "web_sessions"} == {
            k: v for k, v in before.items() if k != "web_sessions"
        }


async def test_staff_set_a_channel_then_announce_to_it(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    await let_sign_in(platform, world, demo_org)
    page = f"/staff/{WORLD_SLUG}/notifications"
    async with client_as(web, world.user_ids["league_staff"]) as client:
        shown = await client.get(page)
        assert shown.status_code == 200
        assert f'value="team:{world.team_ids[0]}"' in shown.text  # every team is a place
        before = await snapshot(platform)
        bad = await post_from(
            client, page, page + "/channels", {"place": "announcements:0", "channel_id": "#general"}
        )
        assert bad.status_code == 400
        assert "is not a Discord channel id" in error_beside(bad.text, "f-channel_id")
        both = await post_from(client, page, page + "/channels", {"place": "announcements:0"})
        assert both.status_code == 400 and "one of the two" in both.text
        assert (await snapshot(platform))["notification_channels"] == before[
            "notification_channels"
        ]
        done = await post_from(
            client,
            page,
            page + "/channels",
            {"place": "announcements:0", "channel_id": CHANNEL, "role_id": f"<@&{ROLE}>"},
        )
        assert done.status_code == 303
        shown = await client.get(page)
        assert "The channel is set." in shown.text and CHANNEL in shown.text
        said = await post_from(
            client, page, page + "/announcements", {"title": "Finals", "body": "Sunday 8 pm."}
        )
        assert said.status_code == 303
    [post] = await deliveries(platform, "announcement:")
    assert post.target == CHANNEL and post.message["mention_role_ids"] == [ROLE]
    assert post.message["embeds"][0]["title"] == "Finals"
    async with platform.reading() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.organization_id == world.organization_id,
                    AuditEntry.action.in_(("notification_channel.set", "announcement.add")),
                )
            )
        )
    assert sorted(actions) == ["announcement.add", "notification_channel.set"]
    async with client_as(web, None) as client:
        home = await client.get("/")
        assert "Finals" in home.text and "Sunday 8 pm." in home.text
