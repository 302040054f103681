"""What a review of the guards found, each kind closed: bodies that broke the response cache,
operations over a WebSocket, ways around the time limit, unbounded line-ups, refused charges,
and floods of made-up tokens."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from sprocket.api.context import Context
from sprocket.api.schema import build_schema
from sprocket.app import create_app
from sprocket.db import StatementCounter
from sprocket.http.ratelimit import Meter
from sprocket.http.timeouts import RequestTimeout
from sprocket.platform.ratelimit import RateLimiter
from tests.api.test_subscriptions import TIMEOUT, _serve
from tests.league_world import World


def _code(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


# -- bodies the response cache could not read -----------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ __typename }", "operationName": "\\ud800"}',  # a lone surrogate
        b'{"query": "{ organization(slug: \\"\\ud800\\") { id } }"}',
        b"[" * 50_000,  # nested too deep for a JSON parser
        b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}}",
    ],
)
async def test_a_body_no_parser_can_read_is_a_typed_refusal(http, body: bytes) -> None:
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "content-security-policy" in response.headers
    codes = [e.get("extensions", {}).get("code") for e in response.json()["errors"]]
    assert codes and "INTERNAL_SERVER_ERROR" not in codes and None not in codes


# -- WebSockets carry subscriptions only -----------------------------------------------------


async def _ws(url: str) -> Any:
    ws = await connect(url, subprotocols=["graphql-transport-ws"], open_timeout=TIMEOUT)
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))["type"] == "connection_ack"
    return ws


async def _operate(ws: Any, ident: str, query: str, variables: dict | None = None) -> dict:
    payload = {"query": query, "variables": variables or {}}
    await ws.send(json.dumps({"id": ident, "type": "subscribe", "payload": payload}))
    return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))


def _ws_codes(message: dict) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [e["extensions"]["code"] for e in errors]


async def test_queries_and_mutations_over_a_websocket_are_refused(platform, settings) -> None:
    async with _serve(platform, settings) as url:
        ws = await _ws(url)
        try:
            query = await _operate(ws, "1", "{ organizations { nodes { slug } } }")
            assert _ws_codes(query) == ["OPERATION_NEEDS_HTTP"]
            mutation = await _operate(ws, "2", 'mutation { createApiToken(name: "x") { secret } }')
            assert _ws_codes(mutation) == ["OPERATION_NEEDS_HTTP"]
        finally:
            await ws.close()
        # The old graphql-ws protocol is not spoken at all.
        async with connect(url, subprotocols=["graphql-ws"], open_timeout=TIMEOUT) as old:
            assert old.subprotocol is None


async def test_each_subscription_on_a_socket_pays_a_point(platform, settings, world: World) -> None:
    subscription = "subscription($m: ID!) { matchStatus(matchId: $m) { status } }"
    variables = {"m": str(world.match_ids[0])}
    limited = settings.model_copy(update={"rate_limit_points": 2})
    async with _serve(platform, limited) as url:
        ws = await _ws(url)  # the connection: one point
        try:
            first = await _operate(ws, "1", subscription, variables)  # two points
            assert first["type"] == "next"
            second = await _operate(ws, "2", subscription, variables)  # three: over, but
            assert second["type"] == "next"  # the budget was not spent before it
            third = await _operate(ws, "3", subscription, variables)
            assert _ws_codes(third) == ["RATE_LIMITED"]
        finally:
            await ws.close()


# -- the time limit --------------------------------------------------------------------------


class _Never:
    """An app that answers only when told to (``go``), reading its body first if asked to,
    and may start a streaming answer before it waits."""

    def __init__(self, *, read_body: bool = False, stream: bool = False) -> None:
        self.go = asyncio.Event()
        self.read_body = read_body
        self.stream = stream

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.read_body:
            while (await receive()).get("more_body"):
                pass
        if self.stream:
            headers = [(b"content-type", b"text/event-stream")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        await self.go.wait()
        if not self.stream:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done", "more_body": False})


async def _call(
    app: Any,
    *,
    method: str = "GET",
    headers: list | None = None,
    body_after: asyncio.Event | None = None,
) -> list[dict]:
    sent: list[dict] = []
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if delivered:
            await asyncio.Event().wait()  # nothing more: wait (the client is gone)
        if body_after is not None:
            await body_after.wait()
        delivered = True
        return {"type": "http.request", "body": b"x", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": "/graphql",
        "headers": headers or [],
        "query_string": b"",
        "client": ("127.0.0.1", 1),
    }
    await app(scope, receive, send)
    return sent


def _status(sent: list[dict]) -> int:
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


async def test_a_request_whose_body_is_never_read_is_still_timed() -> None:
    # GET /graphql?query=... with a body the app never reads: the clock runs from arrival.
    sent = await _call(RequestTimeout(_Never(), seconds=0.05), headers=[(b"content-length", b"1")])
    assert _status(sent) == 503


async def test_asking_for_a_stream_does_not_switch_the_limit_off() -> None:
    accept = [(b"accept", b"text/event-stream, application/json")]
    sent = await _call(RequestTimeout(_Never(), seconds=0.05), headers=accept)
    assert _status(sent) == 503


async def test_an_answer_that_streams_is_not_cut_off() -> None:
    app = _Never(stream=True)
    guarded = RequestTimeout(app, seconds=0.05)
    call = asyncio.ensure_future(_call(guarded))
    await asyncio.sleep(0.3)  # well past the limit: a timed answer would have been cut
    app.go.set()
    sent = await asyncio.wait_for(call, TIMEOUT)
    assert _status(sent) == 200 and sent[-1]["body"] == b"done"


async def test_waiting_for_a_slow_body_does_not_count() -> None:
    app = _Never(read_body=True)
    body_arrives = asyncio.Event()
    guarded = RequestTimeout(app, seconds=0.2)
    call = asyncio.ensure_future(
        _call(guarded, method="POST", headers=[(b"content-length", b"1")], body_after=body_arrives)
    )
    await asyncio.sleep(0.5)  # the client is slow to send: longer than the limit
    body_arrives.set()
    app.go.set()
    sent = await asyncio.wait_for(call, TIMEOUT)
    assert _status(sent) == 200


# -- lists without bounds, charges refused -----------------------------------------------------


async def test_a_line_up_larger_than_any_game_is_refused(http, world: World) -> None:
    query = (
        "query($h: [ID!]!, $a: [ID!]!, $o: ID!) "
        '{ winProbability(gameMode: "doubles", organizationId: $o, home: $h, away: $a) }'
    )
    many = [str(n) for n in range(1, 40_001)]
    response = await http.post(
        "/graphql",
        json={
            "query": query,
            "variables": {"h": many, "a": ["40001"], "o": str(world.organization_id)},
        },
    )
    assert (response.status_code, _code(response)) == (200, "INVALID_TEAM_SIZE")


async def test_a_refused_charge_runs_nothing(platform, world: World) -> None:
    limiter = RateLimiter(platform.cache, points=5, window=60)
    await limiter.charge("user:spent", 10)  # a client whose budget is already spent
    meter = Meter(limiter, "user:spent", fields_per_point=1)
    query = "{ organizations(first: 50) { nodes { slug leagues { name } } } }"
    with StatementCounter(platform.engine) as counter:
        result = await build_schema().execute(
            query, context_value=Context(platform, None, meter=meter)
        )
    assert [e.extensions["code"] for e in result.errors or []] == ["RATE_LIMITED"]
    assert result.data is None and counter.count == 0 and meter.refused is not None


async def test_a_flood_of_made_up_tokens_is_refused_before_the_database(platform, settings) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_points": 3}), runtime=platform)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sprocket.test") as client:
        answers = []
        for n in range(6):
            headers = {"Authorization": f"Bearer made-up-{n}"}
            with StatementCounter(platform.engine) as counter:
                response = await client.post(
                    "/graphql", json={"query": "{ __typename }"}, headers=headers
                )
            answers.append((response.status_code, _code(response), counter.count))
    assert [a[:2] for a in answers[:4]] == [(401, "INVALID_TOKEN")] * 4
    assert answers[4][:2] == (429, "RATE_LIMITED") and answers[4][2] == 0
    # The same bad token again is answered from the cache: no query either.
    async with httpx.AsyncClient(transport=transport, base_url="http://sprocket.test") as client:
        with StatementCounter(platform.engine) as counter:
            again = await client.post(
                "/graphql",
                json={"query": "{ __typename }"},
                headers={"Authorization": "Bearer made-up-0"},
            )
    assert (again.status_code, counter.count) == (401, 0)
