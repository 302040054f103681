"""Subscriptions sign in by ``connection_init`` (a browser cannot set headers on a WebSocket)
and stop streaming once their token is revoked."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from sprocket.identity import service as identity
from sprocket.scrims.service import member_channel
from tests.api.support import Fresh
from tests.api.test_subscriptions import TIMEOUT, _serve
from tests.league_world import World

MY_SCRIM = "subscription($o: ID!) { myScrimUpdates(organizationId: $o) { scrim { id } } }"


async def _receive(ws: Any) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=TIMEOUT))


async def _subscribe(ws: Any, world: World, ident: str = "1") -> None:
    payload = {"query": MY_SCRIM, "variables": {"o": str(world.organization_id)}}
    await ws.send(json.dumps({"id": ident, "type": "subscribe", "payload": payload}))


def _codes(message: dict[str, Any]) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [e["extensions"]["code"] for e in errors]


async def _closed_with(ws: Any) -> int:
    try:
        async with asyncio.timeout(TIMEOUT):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1
    raise AssertionError("the socket stayed open")


async def test_a_token_in_connection_init_signs_in_until_it_is_revoked(
    platform, settings, world: World
) -> None:
    fresh = Fresh(platform, world)
    token_id, token = await fresh.token(world.user_ids["player"])
    async with (
        _serve(platform, settings) as url,
        connect(url, subprotocols=["graphql-transport-ws"], open_timeout=TIMEOUT) as ws,
    ):
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert (await _receive(ws))["type"] == "connection_ack"
        await _subscribe(ws, world)
        first = await _receive(ws)
        assert first["type"] == "next" and first["payload"]["data"] == {
            "myScrimUpdates": {"scrim": None}
        }
        async with platform.unit_of_work() as s:
            await identity.revoke_token(s, actor=world.actors["player"], token_id=token_id)
        # The next event finds the token revoked: the stream ends with that error, no data.
        await platform.cache.publish(member_channel(world.member_ids["player"]), b"nudge")
        refused = await _receive(ws)
        assert refused["id"] == "1"
        assert _codes(refused) == ["TOKEN_REVOKED"]
        assert "data" not in refused["payload"] or refused["payload"].get("data") is None


async def test_without_a_token_my_scrim_asks_to_sign_in(platform, settings, world) -> None:
    async with (
        _serve(platform, settings) as url,
        connect(url, subprotocols=["graphql-transport-ws"], open_timeout=TIMEOUT) as ws,
    ):
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert (await _receive(ws))["type"] == "connection_ack"
        await _subscribe(ws, world)
        assert _codes(await _receive(ws)) == ["UNAUTHENTICATED"]


async def test_a_bad_or_second_credential_in_connection_init_is_refused(
    platform, settings, world: World
) -> None:
    player = world.tokens["player"]
    cases = [
        ({}, {"Authorization": "Bearer garbage"}),
        ({}, {"Authorization": "Basic dXNlcjpwYXNz"}),
        # A token in the handshake's header and another in connection_init: which one?
        ({"Authorization": f"Bearer {player}"}, {"Authorization": f"Bearer {player}"}),
    ]
    async with _serve(platform, settings) as url:
        for headers, payload in cases:
            async with connect(
                url,
                subprotocols=["graphql-transport-ws"],
                additional_headers=headers,
                open_timeout=TIMEOUT,
            ) as ws:
                await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
                assert await _closed_with(ws) == 4403, payload
