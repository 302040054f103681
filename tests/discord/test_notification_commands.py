"""/notifications (see and set how each kind reaches the caller) and /staff announce, as
signed interactions; a bad option or a caller with no rights changes nothing."""

from __future__ import annotations

import pytest

from sprocket.notifications import channels, preferences
from sprocket.notifications.enums import DeliveryMode, NotificationKind
from sprocket.runtime import Runtime
from tests.discord.conftest import EPHEMERAL, DiscordDoor
from tests.discord.support import as_role, link_world
from tests.helpers.database import snapshot
from tests.league_world import World
from tests.notifications.support import CHANNEL, deliveries

PLAYER = as_role("player")


@pytest.fixture
async def linked(platform: Runtime, world: World) -> World:
    await link_world(platform, world)
    return world


async def _mine(platform: Runtime, world: World) -> dict[NotificationKind, preferences.Preference]:
    async with platform.reading() as session:
        chosen = await preferences.my_preferences(session, actor=world.actors["player"])
    return {p.kind: p for p in chosen}


async def test_notifications_shows_then_sets_a_kind(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    shown = (await door.command("notifications", user=PLAYER))["data"]
    assert shown["flags"] == EPHEMERAL
    fields = {f["name"]: f["value"] for f in shown["embeds"][0]["fields"]}
    assert fields["Scrim popped"].startswith("direct message (default)")
    assert fields["Result accepted"].startswith("channel only (default)")
    done = await door.command(
        "notifications", {"kind": "scrim_popped", "delivery": "off", "silent": True}, user=PLAYER
    )
    assert done["data"]["content"] == "Scrim popped: off (inbox only), silent."
    chosen = await _mine(platform, linked)
    assert chosen[NotificationKind.SCRIM_POPPED].delivery == DeliveryMode.OFF
    assert chosen[NotificationKind.SCRIM_POPPED].silent is True
    quieter = await door.command(
        "notifications", {"kind": "queue_ban", "silent": True}, user=PLAYER
    )
    assert quieter["data"]["content"] == "Queue ban: direct message, silent."


async def test_a_bad_option_is_refused_and_changes_nothing(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    await door.command("notifications", user=PLAYER)  # the caller's user exists already
    before = await snapshot(platform)
    for options, sentence in (
        ({"kind": "scrim_pop", "delivery": "dm"}, "'scrim_pop' is no kind of notification"),
        ({"kind": "scrim_popped", "delivery": "loud"}, "'loud' is no delivery"),
        ({"delivery": "dm"}, "'' is no kind of notification"),
    ):
        refused = (await door.command("notifications", options, user=PLAYER))["data"]
        assert refused["flags"] == EPHEMERAL and refused["content"].startswith(sentence)
    assert (await snapshot(platform))["notification_preferences"] == before[
        "notification_preferences"
    ]


async def test_staff_announce_posts_to_the_announcements_channel(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    async with platform.unit_of_work() as session:
        await channels.set_channel(
            session,
            actor=linked.actors["league_staff"],
            organization_id=linked.organization_id,
            purpose="announcements",
            channel_id=CHANNEL,
        )
    options = {"title": "Playoffs", "text": "Bracket is out."}
    refused = await door.command("staff", options, path=("announce",), user=PLAYER)
    assert refused["data"]["content"] == "Only league staff may make announcements."
    assert await deliveries(platform, "announcement:") == []
    done = await door.command("staff", options, path=("announce",), user=as_role("league_staff"))
    assert done["data"]["flags"] == EPHEMERAL
    assert done["data"]["content"].startswith("Announced: Playoffs.")
    [post] = await deliveries(platform, "announcement:")
    assert post.target == CHANNEL and post.message["embeds"][0]["description"] == "Bracket is out."
