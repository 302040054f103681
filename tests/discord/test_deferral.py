"""Discord waits three seconds for an answer: slower work is answered "deferred" at once,
and its reply reaches Discord as the interaction's follow-up (through the webhook)."""

from __future__ import annotations

import asyncio

from sprocket.discord.registry import Call, Command
from sprocket.discord.replies import Reply
from sprocket.errors import Conflict
from tests.discord.conftest import DEFERRED, EPHEMERAL, DiscordDoor, person
from tests.discord.fake_api import APPLICATION_ID

CALLER = person("300000000000000005", "Patient")


def slow_command(door: DiscordDoor, release: asyncio.Event, *, fail: bool = False) -> None:
    """Register ``/slow`` (a test's command, not the door's): it waits for ``release``."""

    async def slow(call: Call) -> Reply:
        await release.wait()
        if fail:
            raise Conflict("The slow work found a conflict.")
        return Reply(f"Done for {call.actor.name}, slowly.")

    door.dispatcher.registry.add(Command("slow", "Takes its time.", slow, for_organization=False))
    door.dispatcher.defer_after = 0.05


def payload(door: DiscordDoor) -> dict:
    return door.interaction(2, {"id": "1", "name": "slow", "type": 1}, CALLER, None)


async def test_a_slow_command_is_deferred_then_followed_up(door: DiscordDoor) -> None:
    release = asyncio.Event()
    slow_command(door, release)
    sent = payload(door)
    response = await door.post(sent)
    assert response.status_code == 200
    assert response.json() == {"type": DEFERRED, "data": {}}
    assert door.fake.to("POST", "/webhooks/") == []  # the work is still waiting
    release.set()
    await door.dispatcher.drain()
    [follow_up] = door.fake.to("POST", f"/webhooks/{APPLICATION_ID}/{sent['token']}")
    assert follow_up.body["content"] == "Done for Patient, slowly."
    assert follow_up.body["allowed_mentions"] == {"parse": []}


async def test_a_slow_refusal_follows_up_for_the_callers_eyes_only(door: DiscordDoor) -> None:
    release = asyncio.Event()
    slow_command(door, release, fail=True)
    sent = payload(door)
    assert (await door.post(sent)).json()["type"] == DEFERRED
    release.set()
    await door.dispatcher.drain()
    [follow_up] = door.fake.to("POST", f"/webhooks/{APPLICATION_ID}/{sent['token']}")
    assert follow_up.body["content"] == "The slow work found a conflict."
    assert follow_up.body["flags"] == EPHEMERAL
