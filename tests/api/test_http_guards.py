"""The HTTP guards in front of every door: body size, rate limit, time limit, credentials,
security headers, the console, and typed answers to requests that are not GraphQL at all."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.jobs import build_runtime
from sprocket.runtime import Runtime
from tests.conftest import REDIS_URL
from tests.league_world import World

UNGUARDED_PATHS = ("/healthz",)


@contextlib.asynccontextmanager
async def _client(
    platform: Runtime, settings: Settings, address: str = "127.0.0.1", **changes: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with ``changes`` to its settings, connecting from ``address``."""
    app = create_app(settings.model_copy(update=changes), runtime=platform)
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://sprocket.test") as client:
        yield client


def _code(response: httpx.Response) -> str:
    (error,) = response.json()["errors"]
    assert error["message"].rstrip()[-1] in ".!?", error["message"]
    return error["extensions"]["code"]


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the body size limit -----------------------------------------------------------------------


async def _raw(app: Any, *, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> Any:
    """Send a request to ``app`` chunk by chunk; return the status and how many chunks the
    app asked for before answering."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= len(chunks):
            return {"type": "http.disconnect"}
        pulled += 1
        return {
            "type": "http.request",
            "body": chunks[pulled - 1],
            "more_body": pulled < len(chunks),
        }

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"sprocket.test"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("sprocket.test", 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), pulled


CHUNK = 64 * 1024


@pytest.mark.parametrize("kind", ["json", "upload", "anonymous upload"])
async def test_a_body_past_its_limit_is_refused_and_read_no_further(
    platform, settings, world: World, kind: str
) -> None:
    """JSON may carry 1 MB; an upload by a signed-in caller 15 replays and 1 MB more; an
    anonymous upload no more than JSON (nobody unknown makes the server read that much)."""
    settings = settings.model_copy(update={"replay_max_bytes": 1000})
    app = create_app(settings, runtime=platform)
    content_type = b"application/json" if kind == "json" else b"multipart/form-data; boundary=x"
    preflight = [(b"apollo-require-preflight", b"true")]
    if kind == "upload":
        preflight.append((b"authorization", f"Bearer {world.tokens['player']}".encode()))
    limit = 15 * 1000 + 1024 * 1024 if kind == "upload" else settings.max_body_bytes
    chunks = [b"x" * CHUNK] * (limit // CHUNK + 200)  # about 12 MB more than the limit
    if kind != "json":  # a well-formed upload of one big file
        part = b'--x\r\nContent-Disposition: form-data; name="0"; filename="a.replay"\r\n\r\n'
        chunks = [part + b"x" * (CHUNK - len(part)), *chunks[1:]]
    # Declared: refused before a byte is read.
    declared = [
        (b"content-type", content_type),
        (b"content-length", str(len(chunks) * CHUNK).encode()),
    ]
    status, body, pulled = await _raw(app, headers=[*declared, *preflight], chunks=chunks)
    assert (status, body["errors"][0]["extensions"]["code"], pulled) == (
        413,
        "REQUEST_TOO_LARGE",
        0,
    )
    # Chunked, no length: counted as it comes and cut off just past the limit.
    status, body, pulled = await _raw(
        app, headers=[(b"content-type", content_type), *preflight], chunks=chunks
    )
    assert (status, body["errors"][0]["extensions"]["code"]) == (413, "REQUEST_TOO_LARGE")
    assert pulled == limit // CHUNK + 1, "read past the limit"
    assert body["errors"][0]["extensions"]["details"] == {"max_bytes": limit}


async def test_a_30_mb_json_body_is_refused(http) -> None:
    response = await http.post(
        "/graphql",
        content=b'{"query": "' + b" " * (30 * 1024 * 1024) + b'{ __typename }"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413 and _code(response) == "REQUEST_TOO_LARGE"


# -- the rate limit ----------------------------------------------------------------------------


def _page(n: int) -> dict[str, Any]:
    """A distinct uncached query per ``n``."""
    return {"query": f"{{ organizations(first: {n}) {{ nodes {{ slug }} }} }}"}


async def test_uncached_work_is_limited_per_client_and_cached_reads_are_not(
    platform, settings, world: World
) -> None:
    minute = {"rate_limit_points": 5, "rate_limit_window_seconds": 60}  # the default window
    async with _client(platform, settings, **minute) as client:
        for n in range(1, 6):
            response = await client.post("/graphql", json=_page(n))
            assert response.status_code == 200 and response.headers["x-sprocket-cache"] == "miss"
        refused = await client.post("/graphql", json=_page(6))
        assert refused.status_code == 429 and _code(refused) == "RATE_LIMITED"
        retry_after = int(refused.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert refused.json()["errors"][0]["extensions"]["details"] == {"retry_after": retry_after}
        # A read the cache answers costs nothing...
        cached = await client.post("/graphql", json=_page(1))
        assert cached.status_code == 200 and cached.headers["x-sprocket-cache"] == "hit"
        # ...health checks are never limited...
        assert (await client.get("/healthz")).status_code == 200
        # ...and another caller (a signed-in user) has a budget of its own.
        mine = await client.post("/graphql", json=_page(7), headers=_bearer(world.tokens["player"]))
        assert mine.status_code == 200
        # Mutations count too.
        mutation = {"query": 'mutation { createApiToken(name: "x") { token } }'}
        assert (await client.post("/graphql", json=mutation)).status_code == 429


async def test_an_expensive_query_spends_more_of_the_budget(platform, settings) -> None:
    cheap_first = {"rate_limit_points": 20, "rate_limit_fields_per_point": 1}
    async with _client(platform, settings, **cheap_first) as client:
        expensive = {"query": "{ organizations(first: 40) { nodes { slug } } }"}  # 42 fields
        assert (await client.post("/graphql", json=expensive)).status_code == 200
        refused = await client.post("/graphql", json=_page(1))
        assert refused.status_code == 429 and _code(refused) == "RATE_LIMITED"


async def test_requests_running_at_once_cannot_spend_the_budget_twice(platform, settings) -> None:
    # Each costs 1 point on arrival and 42 for its fields: a budget of 100 covers three (the
    # third crosses it), whether they come one after another or all at once.
    budget = {"rate_limit_points": 100, "rate_limit_fields_per_point": 1}
    async with _client(platform, settings, **budget) as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    "/graphql",
                    json={"query": f"{{ organizations(first: 40) {{ nodes {{ slug }} }} }} # {n}"},
                )
                for n in range(5)
            )
        )
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 429, 429]
    for refused in (a for a in answers if a.status_code == 429):
        assert _code(refused) == "RATE_LIMITED" and int(refused.headers["retry-after"]) >= 1


async def test_a_refused_document_costs_what_it_asked_for(platform, settings, world) -> None:
    """A hostile document is charged its size and the cost it asked for (up to the most a
    document may cost): its sender soon meets the cheap 429 instead of the parser."""
    from tests.api.support import alias_bomb

    async with _client(platform, settings) as client:  # the default budget
        bomb = {"query": alias_bomb(250, world.season_id)}  # 30 KB, over the alias limit
        answers = [await client.post("/graphql", json=bomb) for _ in range(3)]
        assert [_code(a) for a in answers] == ["QUERY_TOO_COMPLEX"] * 2 + ["RATE_LIMITED"]
        limited = await client.post("/graphql", json=_page(1))
        assert limited.status_code == 429 and _code(limited) == "RATE_LIMITED"
    async with _client(platform, settings, address="127.0.0.2") as client:
        # A document that asks for little costs little: many fit in the same budget.
        for n in range(1, 50):
            assert (await client.post("/graphql", json=_page(n))).status_code == 200


async def test_the_client_address_comes_from_trusted_proxies_only(platform, settings) -> None:
    async def spent_apart(client: httpx.AsyncClient) -> bool:
        """Whether two forwarded addresses have budgets of their own (1 point each)."""
        first = await client.post(
            "/graphql", json=_page(1), headers={"x-forwarded-for": "203.0.113.7"}
        )
        second = await client.post(
            "/graphql", json=_page(2), headers={"x-forwarded-for": "198.51.100.9"}
        )
        assert first.status_code == 200
        return second.status_code == 200

    # The test client connects from 127.0.0.1: not a trusted proxy by default, so its
    # X-Forwarded-For is ignored and both requests share one budget.
    async with _client(platform, settings, rate_limit_points=1) as client:
        assert not await spent_apart(client)
    async with _client(
        platform, settings, rate_limit_points=1, trusted_proxies="127.0.0.1"
    ) as client:
        assert await spent_apart(client)


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set SPROCKET_TEST_REDIS_URL")
async def test_processes_sharing_a_redis_share_the_budget(platform, settings) -> None:
    other = build_runtime(settings)
    await other.start(relay=False)
    try:
        limited = settings.model_copy(update={"rate_limit_points": 2})
        one, two = (create_app(limited, runtime=p) for p in (platform, other))
        answers = []
        for n, app in enumerate((one, two, one), start=1):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://sprocket.test"
            ) as client:
                answers.append((await client.post("/graphql", json=_page(n))).status_code)
        assert answers == [200, 200, 429]
    finally:
        await other.stop()


# -- the time limit ----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _writes_blocked(settings: Settings) -> AsyncIterator[None]:
    """Hold a lock that makes every write wait (until released): SQLite's write lock, or on
    PostgreSQL an exclusive lock on the organizations table."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("LOCK TABLE organizations IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await transaction.rollback()
        await connection.close()


async def test_a_request_that_runs_too_long_is_cut_off(platform, settings, world: World) -> None:
    create = {"query": 'mutation { createOrganization(slug: "late", name: "Late") { id } }'}
    root = _bearer(world.tokens["superuser"])
    async with _client(platform, settings, request_timeout_seconds=0.5) as client:
        async with _writes_blocked(settings):
            # The write can only finish once the lock is released: the time limit ends it.
            response = await client.post("/graphql", json=create, headers=root)
            assert response.status_code == 503 and _code(response) == "REQUEST_TIMEOUT"
            assert (await client.get("/healthz")).status_code == 200
        retried = await client.post("/graphql", json=create, headers=root)
        assert retried.json()["data"]["createOrganization"]["id"]


async def test_background_loops_do_not_wait_for_the_api_pool(platform, world: World) -> None:
    """With every API connection held (by slow requests, say), the outbox relay and the
    scrim sweep still run on their own connections."""
    from sprocket.platform.outbox import enqueue
    from sprocket.scrims.tasks import sweep_once

    pool = platform.engine.pool
    held = [await platform.engine.connect() for _ in range(pool.size() + pool._max_overflow)]
    try:
        async with asyncio.timeout(60):
            async with platform.background_unit_of_work() as session:
                enqueue(session, "match.status_changed", match_id=world.match_ids[0], status="x")
            assert await platform.relay.relay_once() == 1
            await sweep_once(platform)
    finally:
        for connection in held:
            await connection.close()


# -- the caller, read once ---------------------------------------------------------------------

SECRET = "{ me { user { displayName } } }"


async def test_two_authorization_headers_are_refused_and_poison_no_cache(
    http, world: World
) -> None:
    player = world.tokens["player"]
    for headers in (
        [("authorization", f"Bearer {player}"), ("authorization", "")],
        [("authorization", ""), ("authorization", f"Bearer {player}")],
        [("authorization", f"Bearer {player}"), ("authorization", f"Bearer {player}")],
    ):
        response = await http.post("/graphql", json={"query": SECRET}, headers=headers)
        assert response.status_code == 400 and _code(response) == "BAD_CREDENTIALS"
    signed_in = await http.post("/graphql", json={"query": SECRET}, headers=_bearer(player))
    assert signed_in.json()["data"]["me"]["user"]["displayName"]
    again = await http.post("/graphql", json={"query": SECRET}, headers=_bearer(player))
    assert again.headers["x-sprocket-cache"] == "hit"
    # Nobody else ever gets the player's cached answer.
    anonymous = await http.post("/graphql", json={"query": SECRET})
    assert anonymous.json() == {"data": {"me": None}}
    blank = await http.post("/graphql", json={"query": SECRET}, headers={"authorization": " "})
    assert blank.json() == {"data": {"me": None}}


async def test_a_scheme_other_than_bearer_is_refused(http, world: World) -> None:
    response = await http.post(
        "/graphql", json={"query": SECRET}, headers={"authorization": "Basic dXNlcjpwYXNz"}
    )
    assert response.status_code == 401 and _code(response) == "INVALID_TOKEN"


# -- headers, the console ----------------------------------------------------------------------


async def test_every_answer_carries_the_security_headers(platform, settings) -> None:
    for public_url, hsts in ((None, False), ("https://sprocket.example.org", True)):
        address = "127.0.0.2" if hsts else "127.0.0.1"  # a budget of its own
        async with _client(
            platform, settings, address, public_url=public_url, rate_limit_points=4
        ) as c:
            answers = [
                # A page rendered, not from the page cache: it spends a point.
                await c.get("/", params={"visitor": address}),
                await c.get("/healthz"),
                await c.get("/nowhere"),
                await c.post("/graphql", json=_page(10 + hsts)),
                await c.post(
                    "/graphql", content=b"5", headers={"content-type": "application/json"}
                ),
                await c.post("/graphql", json=_page(20 + hsts)),  # 429
                await c.post("/graphql", content=b" " * (2 * 1024 * 1024)),  # 413
            ]
            assert [a.status_code for a in answers] == [200, 200, 404, 200, 400, 429, 413]
            for answer in answers:
                policy = answer.headers["content-security-policy"]
                assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
                assert answer.headers["x-content-type-options"] == "nosniff"
                assert answer.headers["referrer-policy"] == "same-origin"
                assert ("strict-transport-security" in answer.headers) is hsts


async def test_the_console_is_off_by_default_and_loads_nothing_from_elsewhere(
    platform, settings
) -> None:
    html = {"accept": "text/html"}
    async with _client(platform, settings) as client:
        off = await client.get("/graphql", headers=html)
        assert off.status_code == 404 and _code(off) == "NOT_FOUND"
    async with _client(platform, settings, graphql_ide=True) as client:
        page = await client.get("/graphql", headers=html)
        assert page.status_code == 200 and "GraphQL console" in page.text
        script = await client.get("/static/console.js")
        style = await client.get("/static/site.css")
    assert script.status_code == 200 and style.status_code == 200
    for text in (page.text, script.text, style.text):
        assert "http://" not in text and "https://" not in text and "//cdn" not in text
    # The token is typed in and sent, never kept.
    for keeper in ("localStorage", "sessionStorage", "document.cookie", "indexedDB"):
        assert keeper not in script.text
    assert 'autocomplete="off"' in page.text


# -- requests that are not GraphQL at all ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["5", "null", '"text"', "[]", "[1]", "{", "{]", '{"query": 5}', '{"variables": [1]}'],
)
async def test_a_body_that_is_no_graphql_request_is_a_typed_400(http, body: str) -> None:
    response = await http.post(
        "/graphql", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and _code(response) == "BAD_REQUEST_BODY"


@pytest.mark.parametrize(
    ("operations", "files_map"),
    [
        ("5", "{}"),
        ('{"query": "{ __typename }"}', "[1]"),
        ('{"query": "{ __typename }"}', '{"0": ["variables.files.7"]}'),
        ('{"query": "{ __typename }"}', '{"0": [5]}'),
        ("[", "{}"),
    ],
)
async def test_a_malformed_multipart_upload_is_a_typed_400(
    http, operations: str, files_map: str
) -> None:
    response = await http.post(
        "/graphql",
        data={"operations": operations, "map": files_map},
        files={"0": ("game1.replay", b"not much")},
        headers={"apollo-require-preflight": "true"},
    )
    assert response.status_code == 400 and _code(response) == "BAD_REQUEST_BODY"


async def test_routing_refusals_are_typed(http) -> None:
    missing = await http.get("/nowhere")
    assert missing.status_code == 404 and _code(missing) == "NOT_FOUND"
    put = await http.put("/graphql", json={"query": "{ __typename }"})
    assert put.status_code == 405 and _code(put) == "METHOD_NOT_ALLOWED"
    text = await http.post(
        "/graphql", content=b"{ __typename }", headers={"content-type": "text/plain"}
    )
    assert text.status_code == 415 and _code(text) == "UNSUPPORTED_MEDIA_TYPE"


async def test_a_subscription_over_plain_http_is_refused(http, world: World) -> None:
    query = f'subscription {{ matchStatus(matchId: "{world.match_ids[0]}") {{ status }} }}'
    for accept in ("application/json", "text/event-stream"):
        response = await http.post("/graphql", json={"query": query}, headers={"accept": accept})
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "SUBSCRIPTION_NEEDS_WEBSOCKET"


async def test_a_cursor_holding_a_huge_number_is_refused(http) -> None:
    import base64

    for text in (b"c:" + b"9" * 40, b"c:-1", b"c:1e9", b"c:" + b"9" * 19):
        cursor = base64.urlsafe_b64encode(text).decode()
        response = await http.post(
            "/graphql",
            json={
                "query": "query($a: String) { organizations(first: 5, after: $a) { totalCount } }",
                "variables": {"a": cursor},
            },
        )
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "INVALID_CURSOR", (text, error)


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "tomorrow", "2030-13-01"]
)
async def test_a_date_outside_the_calendar_is_bad_input(http, world: World, moment: str) -> None:
    query = (
        "query($t: DateTime) { playerLeaderboard(organizationId: "
        f'"{world.organization_id}", gameMode: "doubles", since: $t) {{ nodes {{ games }} }} }}'
    )
    response = await http.post("/graphql", json={"query": query, "variables": {"t": moment}})
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error


async def test_an_upload_variable_that_is_no_file_is_refused(http, world: World) -> None:
    query = "mutation($f: [Upload!]!, $m: ID!) { submitReplays(matchId: $m, files: $f) { id } }"
    for value in (["a string"], [5], [{"filename": "x.replay"}]):
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": {"f": value, "m": str(world.match_ids[0])}},
            headers=_bearer(world.tokens["superuser"]),
        )
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] in ("NOT_A_FILE", "BAD_USER_INPUT"), error
