"""The ``matchStatus`` subscription: the current status first, then every change.

Changes travel the real way: the service writes an outbox row with its change, the relay
hands it to the broker (in-process here), the job publishes on the cache's pub/sub, and the
subscription streams it. Every wait has a timeout, so a broken stream fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from websockets.asyncio.client import connect

from sprocket.api.context import Context
from sprocket.api.schema import build_schema
from sprocket.app import create_app
from sprocket.db import utcnow
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Fixture, Match
from sprocket.schedule.tasks import match_channel
from tests.league_world import World

TIMEOUT = 10
SUBSCRIPTION = """
subscription($m: ID!) { matchStatus(matchId: $m) { matchId status startsAt endsAt } }
"""
SCHEMA = build_schema()


@contextlib.asynccontextmanager
async def _subscribe(platform: Runtime, match_id: int | str) -> AsyncIterator[Any]:
    stream = await SCHEMA.subscribe(
        SUBSCRIPTION, variable_values={"m": str(match_id)}, context_value=Context(platform, None)
    )
    assert hasattr(stream, "__anext__"), getattr(stream, "errors", stream)
    try:
        yield stream
    finally:
        await stream.aclose()


async def _next(stream: Any) -> dict[str, Any]:
    result = await asyncio.wait_for(anext(stream), timeout=TIMEOUT)
    assert result.errors is None, result.errors
    return result.data["matchStatus"]


async def _relay(platform: Runtime) -> None:
    assert await platform.relay.relay_once() >= 1


async def test_first_the_current_status_then_each_change(platform, world: World) -> None:
    root = world.actors["superuser"]
    watched, other = world.match_ids[0], world.match_ids[1]
    async with _subscribe(platform, watched) as stream:
        first = await _next(stream)
        assert first["matchId"] == str(watched) and first["status"] == "SCHEDULED"

        # A change to another match does not reach this stream.
        async with platform.unit_of_work() as s:
            await schedule.record_forfeit(
                s, actor=root, match_id=other, team_id=await _home(platform, other)
            )
        await _relay(platform)

        # Tomorrow, on the hour: inside the match's week (the World's first).
        starts = (utcnow() + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        async with platform.unit_of_work() as s:
            await schedule.reschedule_match(
                s,
                actor=root,
                match_id=watched,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
            )
        await _relay(platform)
        moved = await _next(stream)
        assert moved["matchId"] == str(watched) and moved["status"] == "SCHEDULED"
        assert dt.datetime.fromisoformat(moved["startsAt"]) == starts

        async with platform.unit_of_work() as s:
            await schedule.record_result(
                s, actor=root, match_id=watched, games=[(1, 0), (2, 0), (3, 0)]
            )
        await _relay(platform)
        assert (await _next(stream))["status"] == "COMPLETED"


async def test_a_forfeit_reaches_the_subscriber(platform, world: World) -> None:
    match_id = world.match_ids[2]
    async with _subscribe(platform, match_id) as stream:
        assert (await _next(stream))["status"] == "SCHEDULED"
        async with platform.unit_of_work() as s:
            await schedule.record_forfeit(
                s,
                actor=world.actors["league_staff"],
                match_id=match_id,
                team_id=await _home(platform, match_id),
            )
        await _relay(platform)
        assert (await _next(stream))["status"] == "FORFEITED"


async def _first_result(platform: Runtime, match_id: str) -> Any:
    """The first result of a subscription (an error may come before any stream)."""
    stream = await SCHEMA.subscribe(
        SUBSCRIPTION, variable_values={"m": match_id}, context_value=Context(platform, None)
    )
    if not hasattr(stream, "__anext__"):
        return stream
    try:
        return await asyncio.wait_for(anext(stream), timeout=TIMEOUT)
    finally:
        await stream.aclose()


async def test_an_unknown_match_is_not_found(platform, world: World) -> None:
    result = await _first_result(platform, "99999")
    assert [e.extensions["code"] for e in result.errors or []] == ["NOT_FOUND"]
    assert "99999" in result.errors[0].message
    result = await _first_result(platform, "abc")
    assert [e.extensions["code"] for e in result.errors or []] == ["INVALID_ID"]
    # Nothing stays subscribed behind a refused subscription.
    assert await platform.cache.subscriber_count(match_channel(99999)) == 0


async def test_closing_the_stream_unsubscribes(platform, world: World) -> None:
    match_id = world.match_ids[4]
    async with _subscribe(platform, match_id) as stream:
        await _next(stream)
        assert await platform.cache.subscriber_count(match_channel(match_id)) == 1
    assert await platform.cache.subscriber_count(match_channel(match_id)) == 0


async def _home(platform: Runtime, match_id: int) -> int:
    async with platform.reading() as s:
        match = await s.get(Match, match_id)
        fixture = await s.get(Fixture, match.fixture_id)
        return fixture.home_team_id


# -- over a real websocket ----------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _serve(platform: Runtime, settings: Any) -> AsyncIterator[str]:
    """The app on a free local port, in this event loop (so it shares the platform)."""
    app = create_app(settings, runtime=platform)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(TIMEOUT):
            while not server.started:
                assert not task.done(), "the server did not start"
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=TIMEOUT)


async def test_over_a_websocket(platform, settings, world: World) -> None:
    match_id = world.match_ids[3]
    async with (
        _serve(platform, settings) as url,
        connect(url, subprotocols=["graphql-transport-ws"], open_timeout=TIMEOUT) as ws,
    ):
        assert ws.subprotocol == "graphql-transport-ws"

        async def receive() -> dict[str, Any]:
            return json.loads(await asyncio.wait_for(ws.recv(), timeout=TIMEOUT))

        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert (await receive())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIPTION, "variables": {"m": str(match_id)}},
                }
            )
        )
        first = await receive()
        assert first["type"] == "next" and first["id"] == "1"
        assert first["payload"]["data"]["matchStatus"]["status"] == "SCHEDULED"

        async with platform.unit_of_work() as s:
            await schedule.record_forfeit(
                s,
                actor=world.actors["superuser"],
                match_id=match_id,
                team_id=await _home(platform, match_id),
            )
        await _relay(platform)
        change = await receive()
        assert change["type"] == "next"
        assert change["payload"]["data"]["matchStatus"] == {
            **first["payload"]["data"]["matchStatus"],
            "status": "FORFEITED",
        }

        await ws.send(
            json.dumps(
                {
                    "id": "2",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIPTION, "variables": {"m": "99999"}},
                }
            )
        )
        refused = await receive()
        assert refused["id"] == "2"
        errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
        assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
