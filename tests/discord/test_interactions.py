"""The interactions endpoint: Discord's signature, stale and replayed interactions, PING,
unknown commands, and the caller made a user (never a member)."""

from __future__ import annotations

import asyncio
import time

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.identity import service as identity
from sprocket.identity.models import User
from sprocket.league import members
from sprocket.runtime import Runtime
from tests.discord.conftest import EPHEMERAL, DiscordDoor, person

PING = {"id": "510000000000000001", "application_id": "1", "type": 1, "token": "t", "version": 1}


def ping(number: int) -> dict:
    return {**PING, "id": str(510000000000000000 + number)}


async def test_a_ping_is_answered_pong(door: DiscordDoor) -> None:
    response = await door.post(ping(1))
    assert response.status_code == 200
    assert response.json() == {"type": 1}


async def test_a_request_without_a_signature_is_refused_401(door: DiscordDoor) -> None:
    response = await door.http.post("/discord/interactions", json=ping(2))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_SIGNATURE"


async def test_a_signature_of_another_key_is_refused_401(door: DiscordDoor) -> None:
    response = await door.post(ping(3), key=Ed25519PrivateKey.generate())
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_SIGNATURE"


async def test_a_body_changed_after_signing_is_refused_401(door: DiscordDoor) -> None:
    stamp = str(int(time.time()))
    signature = door.key.sign(stamp.encode() + b'{"type": 1}').hex()
    response = await door.post(ping(4), timestamp=stamp, signature=signature)
    assert response.status_code == 401


async def test_a_signature_that_is_no_hex_is_refused_401(door: DiscordDoor) -> None:
    response = await door.post(ping(5), signature="not-hex")
    assert response.status_code == 401


async def test_a_stale_or_future_timestamp_is_refused_401(door: DiscordDoor) -> None:
    for stamp in (int(time.time()) - 301, int(time.time()) + 301):
        response = await door.post(ping(6), timestamp=str(stamp))
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "STALE_INTERACTION"
    # The same interaction, fresh, is still answered: the stale ones were not remembered.
    assert (await door.post(ping(6))).json() == {"type": 1}


async def test_a_replayed_interaction_is_refused_409(door: DiscordDoor) -> None:
    assert (await door.post(ping(7))).status_code == 200
    again = await door.post(ping(7))
    assert again.status_code == 409
    assert again.json()["errors"][0]["extensions"]["code"] == "REPLAYED_INTERACTION"


async def test_a_signed_body_that_is_no_interaction_is_refused_400(door: DiscordDoor) -> None:
    assert (await door.post(None, raw=b"not json")).status_code == 400
    assert (await door.post({"type": 2, "id": "9"})).status_code == 400
    assert (await door.post({**ping(8), "type": 99})).status_code == 400


async def test_without_a_public_key_the_endpoint_is_off(
    platform: Runtime, settings: Settings
) -> None:
    app = create_app(settings, runtime=platform)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sprocket.test") as http:
        response = await http.post("/discord/interactions", json=ping(9))
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "DISCORD_OFF"


async def test_an_unknown_command_gets_an_ephemeral_refusal(door: DiscordDoor) -> None:
    answer = await door.command("teleport", user=person("300000000000000001"))
    assert answer["type"] == 4
    assert answer["data"]["flags"] == EPHEMERAL
    assert "/teleport is not something this bot knows" in answer["data"]["content"]


async def test_an_unknown_button_gets_an_ephemeral_refusal(door: DiscordDoor) -> None:
    answer = await door.press("self-destruct:1", user=person("300000000000000001"))
    assert answer["data"]["flags"] == EPHEMERAL
    assert "This button is not something this bot knows" in answer["data"]["content"]


async def test_help_makes_the_caller_a_user_but_no_member(
    door: DiscordDoor, platform: Runtime
) -> None:
    answer = await door.command("help", user=person("300000000000000042", "Newcomer"))
    data = answer["data"]
    assert data["flags"] == EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    names = [field["name"] for embed in data["embeds"] for field in embed["fields"]]
    assert all(len(embed["fields"]) <= 25 for embed in data["embeds"])  # Discord's limit
    assert "/help" in names and "/reportcard" in names and len(names) == len(set(names))
    async with platform.reading() as session:
        actor = await identity.actor_by_discord_id(session, discord_id="300000000000000042")
        user = await identity.me(session, actor=actor)
        assert user.display_name == "Newcomer"
        assert await members.memberships_of(session, user_id=user.id) == []


async def test_many_first_commands_of_a_new_user_at_once_make_one_user(
    door: DiscordDoor, platform: Runtime
) -> None:
    """A Discord user Sprocket never saw sends many commands at the same moment: each
    request creates the user it does not find yet; one wins, the others use it."""
    newcomer = person("123456789012345678", "Newcomer")
    answers = await asyncio.gather(*(door.command("help", user=newcomer) for _ in range(12)))
    assert all(a["type"] == 4 and a["data"].get("embeds") for a in answers), answers
    async with platform.reading() as session:
        made = await session.scalar(
            select(func.count()).select_from(User).where(User.discord_id == newcomer["id"])
        )
    assert made == 1
