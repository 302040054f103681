"""A request with a bad API token (invalid, expired or revoked) is refused with a 401, even on
a public query and even when the response cache holds its answer; no token stays anonymous."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import event, update
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

import sprocket.api.context
import sprocket.identity.service
from sprocket.db import StatementCounter
from sprocket.identity.models import ApiToken
from tests.api.support import Fresh
from tests.api.test_subscriptions import TIMEOUT, _serve
from tests.league_world import World

STANDINGS = "query($s: ID!) { standings(seasonId: $s) { rank points team { name } } }"
ME = "{ me { user { displayName } } }"
NEW_TOKEN = 'mutation { createApiToken(name: "another") { secret } }'
CACHE = "x-sprocket-cache"
GARBAGE = ("garbage", "spk_" + "x" * 43)


async def _post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _refused(response: httpx.Response, code: str) -> None:
    """A 401 with one GraphQL-style error carrying ``code`` and a sentence about the token."""
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert CACHE not in response.headers  # never came from (or went to) the response cache
    body = response.json()
    assert "data" not in body  # a request error: nothing was executed
    [error] = body["errors"]
    assert error["extensions"] == {"code": code}
    assert "token" in error["message"].lower() and error["message"].endswith(".")


@pytest.fixture
def fresh(platform, world) -> Fresh:
    return Fresh(platform, world)


async def _expire(platform, token_id: int) -> None:
    async with platform.unit_of_work() as session:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )


async def _revoke(http: httpx.AsyncClient, token_id: int, token: str) -> None:
    response = await _post(
        http,
        "mutation($t: ID!) { revokeApiToken(tokenId: $t) { revokedAt } }",
        {"t": str(token_id)},
        **_bearer(token),
    )
    assert response.status_code == 200 and response.json()["data"]["revokeApiToken"]["revokedAt"]


async def test_every_kind_of_bad_token_is_refused_on_queries_and_mutations(
    http, world: World, platform, fresh: Fresh
) -> None:
    variables = {"s": str(world.season_id)}
    user_id = world.user_ids["outsider"]
    expired_id, expired = await fresh.token(user_id)
    revoked_id, revoked = await fresh.token(user_id)
    for token in (expired, revoked):  # both worked before
        response = await _post(http, ME, **_bearer(token))
        assert response.json()["data"]["me"]["user"]["displayName"] == "Outsider"
    await _expire(platform, expired_id)
    await _revoke(http, revoked_id, revoked)
    tokens_before = await fresh.count(ApiToken)

    bad = [(t, "INVALID_TOKEN") for t in GARBAGE]
    bad += [(expired, "TOKEN_EXPIRED"), (revoked, "TOKEN_REVOKED")]
    for token, code in bad:
        for document, values in ((STANDINGS, variables), (ME, None), (NEW_TOKEN, None)):
            _refused(await _post(http, document, values, **_bearer(token)), code)
        # A GET query too, and the scheme's spelling does not matter.
        get = await http.get(
            "/graphql", params={"query": ME}, headers={"Authorization": f"bearer  {token} "}
        )
        _refused(get, code)
    assert await fresh.count(ApiToken) == tokens_before  # no mutation ran

    # No token at all is the anonymous spectator, as before; a good token still works.
    public = await _post(http, STANDINGS, variables)
    assert public.status_code == 200 and public.json()["data"]["standings"][0]["rank"] == 1
    assert (await _post(http, ME)).json() == {"data": {"me": None}}
    mine = await _post(http, ME, **_bearer(world.tokens["outsider"]))
    assert mine.json()["data"]["me"]["user"]["displayName"] == "Outsider"


async def test_the_response_cache_never_answers_a_bad_token(
    http, world: World, platform, fresh: Fresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"s": str(world.season_id)}
    public = await _post(http, STANDINGS, variables)
    assert (public.headers[CACHE], (await _post(http, STANDINGS, variables)).headers[CACHE]) == (
        "miss",
        "hit",
    )
    for token in GARBAGE:  # the public answer is cached, yet a bad token gets a 401
        _refused(await _post(http, STANDINGS, variables, **_bearer(token)), "INVALID_TOKEN")

    # A token's own cached answers stop with the token: revoked...
    token_id, token = await fresh.token(world.user_ids["outsider"])
    for expected in ("miss", "hit"):
        response = await _post(http, STANDINGS, variables, **_bearer(token))
        assert response.status_code == 200 and response.headers[CACHE] == expected
    await _revoke(http, token_id, token)
    _refused(await _post(http, STANDINGS, variables, **_bearer(token)), "TOKEN_REVOKED")

    # ...or expired by the clock alone, which writes nothing (the data version stays).
    _, token = await fresh.token(world.user_ids["outsider"])
    for expected in ("miss", "hit"):
        response = await _post(http, STANDINGS, variables, **_bearer(token))
        assert response.status_code == 200 and response.headers[CACHE] == expected
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)  # tokens of `fresh` last 30 days
    for module in (sprocket.http.auth, sprocket.identity.service):
        monkeypatch.setattr(module, "utcnow", lambda: later)
    _refused(await _post(http, STANDINGS, variables, **_bearer(token)), "TOKEN_EXPIRED")
    # Without a token the same query is still answered, and cached again.
    for expected in ("miss", "hit"):
        response = await _post(http, STANDINGS, variables)
        assert response.status_code == 200 and response.headers[CACHE] == expected


async def test_a_valid_or_absent_token_costs_no_query_on_a_cached_answer(
    http, world: World, platform
) -> None:
    variables = {"s": str(world.season_id)}
    for headers in ({}, _bearer(world.tokens["player"])):
        await _post(http, STANDINGS, variables, **headers)  # the answer (and holder) cached
        with StatementCounter(platform.engine) as counter:
            response = await _post(http, STANDINGS, variables, **headers)
        assert response.status_code == 200 and response.headers[CACHE] == "hit"
        assert counter.count == 0, headers
    # A mutation needs its caller: remembered from the query above, no lookup; after a
    # write (the mutation's own), one lookup, the check handing the caller on to the resolver.
    lookups: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM api_tokens" in statement and "token_hash" in statement:
            lookups.append(statement)

    mutation = 'mutation { createApiToken(name: "cli") { secret } }'
    per_request = []
    event.listen(platform.engine.sync_engine, "before_cursor_execute", record)
    try:
        for _ in range(2):
            response = await _post(http, mutation, **_bearer(world.tokens["player"]))
            assert response.json()["data"]["createApiToken"]["secret"].startswith("spk_")
            per_request.append(len(lookups))
            lookups.clear()
    finally:
        event.remove(platform.engine.sync_engine, "before_cursor_execute", record)
    assert per_request == [0, 1]


async def test_a_websocket_with_a_bad_token_is_refused(platform, settings, world: World) -> None:
    async with _serve(platform, settings) as url:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                url,
                subprotocols=["graphql-transport-ws"],
                additional_headers=_bearer("garbage"),
                open_timeout=TIMEOUT,
            ):
                pass
        assert refused.value.response.status_code == 403
        async with connect(
            url,
            subprotocols=["graphql-transport-ws"],
            additional_headers=_bearer(world.tokens["player"]),
            open_timeout=TIMEOUT,
        ) as ws:
            assert ws.subprotocol == "graphql-transport-ws"
