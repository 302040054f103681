"""/scrim and /queue, and the Check in button: a doubles scrim filled, popped, checked into
and started from Discord; a second press or someone else's changes nothing."""

from __future__ import annotations

import re

import pytest

from sprocket.runtime import Runtime
from sprocket.scrims import service
from sprocket.scrims.enums import ScrimStatus
from tests.discord.conftest import EPHEMERAL, DiscordDoor, person
from tests.discord.support import as_role, link_world
from tests.league_world import World

#: Four members of the world's doubles league (Premier), as Discord names them.
FOUR = [
    as_role("team_captain"),
    as_role("player"),
    person("910000000000000010", "P10"),
    person("910000000000000011", "P11"),
]


@pytest.fixture
async def linked(platform: Runtime, world: World) -> World:
    await link_world(platform, world)
    return world


async def scrim_status(platform: Runtime, scrim_id: int) -> ScrimStatus:
    async with platform.reading() as session:
        return (await service.get_scrim(session, scrim_id=scrim_id, lock=False)).status


async def test_a_scrim_filled_popped_and_started_from_discord(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    opened = await door.command("scrim", {"mode": "doubles"}, path=("create",), user=FOUR[0])
    scrim_id = int(re.search(r"scrim (\d+)", opened["data"]["content"]).group(1))
    for player in FOUR[1:3]:
        joined = await door.command("scrim", {"scrim": scrim_id}, path=("join",), user=player)
        assert joined["data"]["content"] == f"You took a seat in scrim {scrim_id}."
    popped = await door.command("scrim", {"scrim": scrim_id}, path=("join",), user=FOUR[3])
    assert popped["data"]["content"] == "You took the last seat: the scrim popped."
    assert popped["data"]["flags"] == EPHEMERAL  # who plays is for the players only
    [row] = popped["data"]["components"]
    assert row["components"][0]["custom_id"] == f"checkin:{scrim_id}"

    outsider = await door.press(f"checkin:{scrim_id}", user=as_role("outsider"))
    assert outsider["data"]["flags"] == EPHEMERAL
    assert "member" in outsider["data"]["content"]
    first = await door.press(f"checkin:{scrim_id}", user=FOUR[0])
    assert first["data"]["content"] == (
        f"You checked in to scrim {scrim_id}; it starts once everyone has."
    )
    again = await door.press(f"checkin:{scrim_id}", user=FOUR[0])
    assert again["data"] == {**again["data"], "flags": EPHEMERAL}
    assert again["data"]["content"] == "You have already checked in."
    stranger = await door.press(f"checkin:{scrim_id}", user=person("910000000000000020", "P20"))
    assert stranger["data"]["flags"] == EPHEMERAL and "not in" in stranger["data"]["content"]
    assert await scrim_status(platform, scrim_id) == ScrimStatus.POPPED
    for player in FOUR[1:3]:
        await door.press(f"checkin:{scrim_id}", user=player)
    started = await door.command("scrim", path=("checkin",), user=FOUR[3])
    assert started["data"]["content"] == "You checked in: the scrim has started."
    assert started["data"]["flags"] == EPHEMERAL
    fields = {f["name"]: f["value"] for f in started["data"]["embeds"][0]["fields"]}
    assert fields["Lobby"].startswith("Name `")
    assert await scrim_status(platform, scrim_id) == ScrimStatus.IN_PROGRESS

    status = await door.command("scrim", path=("status",), user=FOUR[1])
    assert status["data"]["flags"] == EPHEMERAL
    assert "Lobby" in {f["name"] for f in status["data"]["embeds"][0]["fields"]}
    cannot = await door.command("scrim", path=("leave",), user=FOUR[1])
    assert cannot["data"]["content"] == "This scrim has started; you cannot leave it now."


async def test_leaving_a_scrim_and_the_open_list(door: DiscordDoor, linked: World) -> None:
    await door.command(
        "scrim", {"mode": "doubles", "kind": "casual"}, path=("create",), user=FOUR[0]
    )
    listed = await door.command("scrim", path=("status",), user=FOUR[1])
    assert listed["data"]["embeds"][0]["title"] == "Open scrims"
    assert "Doubles casual: 1 of 4 seats, pending" in listed["data"]["embeds"][0]["description"]
    left = await door.command("scrim", path=("leave",), user=FOUR[0])
    assert left["data"]["content"].startswith("You left scrim ")
    nothing = await door.command("scrim", path=("leave",), user=FOUR[0])
    assert nothing["data"] == {**nothing["data"], "flags": EPHEMERAL}
    assert nothing["data"]["content"] == "You are in no scrim."


async def test_someone_of_no_organization_changes_nothing(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    refused = await door.command(
        "scrim", {"mode": "doubles"}, path=("create",), user=as_role("outsider")
    )
    assert refused["data"]["flags"] == EPHEMERAL
    assert refused["data"]["content"] == "Only members of the organization take part in its scrims."
    async with platform.reading() as session:
        assert await service.list_scrims(session, organization_id=linked.organization_id) == []


async def test_the_queue_forms_a_lobby_from_discord(door: DiscordDoor, linked: World) -> None:
    for player in FOUR[:3]:
        waiting = await door.command("queue", {"mode": "doubles"}, path=("join",), user=player)
        assert waiting["data"]["content"].startswith("You are waiting in the queue until <t:")
    status = await door.command("queue", path=("status",), user=FOUR[2])
    assert status["data"]["flags"] == EPHEMERAL
    assert (
        "You are number 3 of 3 in the Doubles queue" in status["data"]["embeds"][0]["description"]
    )
    placed = await door.command("queue", {"mode": "doubles"}, path=("join",), user=FOUR[3])
    assert placed["data"]["content"] == "A lobby formed at once: check in."
    assert placed["data"]["components"][0]["components"][0]["custom_id"].startswith("checkin:")
    left = await door.command("queue", path=("leave",), user=FOUR[0])
    assert left["data"]["content"] == "You are not waiting in the scrim queue."
