"""End to end with Discord on (the fake): four players fill a doubles scrim through
``/scrim join``; each gets a pop DM with a Check in button; pressing them starts the scrim
and each gets the lobby by DM, never in a channel; the inbox holds all of it too; a
redelivered event sends nothing twice. With Discord off, the inbox alone carries it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.jobs import build_runtime
from sprocket.notifications.enums import NotificationKind
from sprocket.runtime import Runtime
from sprocket.scrims import notices, service
from tests.api.test_replay_api import drain
from tests.discord.conftest import DiscordDoor, discord_settings
from tests.discord.fake_api import FakeDiscordApi
from tests.discord.support import link_world
from tests.discord.test_scrim_commands import FOUR
from tests.league_world import World, build_world
from tests.notifications.support import deliveries, inbox_rows
from tests.scrims.helpers import premier_people
from tests.scrims.test_service import join, open_scrim


@pytest.fixture
async def on(
    settings: Settings, signing_key: Ed25519PrivateKey, fake_api: FakeDiscordApi
) -> AsyncIterator[tuple[DiscordDoor, Runtime, World]]:
    """The door, a platform whose deliveries go to the fake, and the World on it."""
    chosen = discord_settings(settings, signing_key, fake_api)
    running = build_runtime(chosen)
    await running.start(relay=False)
    try:
        world = await build_world(running)
        await link_world(running, world)
        app = create_app(chosen, runtime=running)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sprocket.test") as http:
            door = DiscordDoor(http, app, signing_key, fake_api)
            yield door, running, world
            await door.dispatcher.drain()
    finally:
        await running.stop()


def dms_to(fake: FakeDiscordApi, discord_id: str) -> list[dict]:
    """The messages the fake made in ``discord_id``'s DM channel."""
    return [m for m in fake.messages if fake.dm_user(m["channel_id"]) == discord_id]


async def test_pop_and_lobby_dms_from_discord(
    on: tuple[DiscordDoor, Runtime, World], fake_api: FakeDiscordApi
) -> None:
    door, platform, _world = on
    opened = await door.command("scrim", {"mode": "doubles"}, path=("create",), user=FOUR[0])
    scrim_id = int(re.search(r"scrim (\d+)", opened["data"]["content"]).group(1))
    for player in FOUR[1:]:
        await door.command("scrim", {"scrim": scrim_id}, path=("join",), user=player)
    await drain(platform)
    for player in FOUR:
        [pop] = [m for m in dms_to(fake_api, player["id"]) if "popped" in str(m["embeds"])]
        [row] = pop["components"]
        assert row["components"][0]["custom_id"] == f"checkin:{scrim_id}"
    for player in FOUR:
        await door.press(f"checkin:{scrim_id}", user=player)
    await drain(platform)
    for player in FOUR:
        [lobby] = [m for m in dms_to(fake_api, player["id"]) if "started" in str(m["embeds"])]
        assert "password" in lobby["embeds"][0]["description"]
    assert not [
        m
        for m in fake_api.messages
        if "password" in str(m) and not fake_api.dm_user(m["channel_id"])
    ]
    sent = len(fake_api.messages)
    # The same events reported again (a redelivery) add nothing and send nothing.
    started = await deliveries(platform, f"scrim_started:{scrim_id}")
    async with platform.unit_of_work() as session:
        scrim = await service.get_scrim(session, scrim_id=scrim_id)
        await notices.scrim_started(session, scrim=scrim)
    await drain(platform)
    assert len(fake_api.messages) == sent
    assert [d.id for d in await deliveries(platform, f"scrim_started:{scrim_id}")] == [
        d.id for d in started
    ]
    rows = await inbox_rows(platform, key=f"scrim_started:{scrim_id}")
    assert len(rows) == 4 and all(r.kind == NotificationKind.SCRIM_STARTED for r in rows)


async def test_with_discord_off_everything_lands_in_the_inbox(
    platform: Runtime, world: World
) -> None:
    assert platform.settings.discord_bot_token is None  # the embedded default
    people = (await premier_people(platform, world))[:4]
    scrim = await open_scrim(platform, world, people[0])
    for person in people[1:]:
        await join(platform, person, scrim.id)
    await drain(platform)
    popped = [r for r in await inbox_rows(platform) if r.kind == NotificationKind.SCRIM_POPPED]
    assert {r.user_id for r in popped} == {p.user_id for p in people}
    dms = [d for d in await deliveries(platform, "scrim_popped:") if ":dm:" in d.key]
    assert len(dms) == 4 and {d.status for d in dms} == {"skipped"}
