"""The response cache in front of /graphql: hits, invalidation, visibility, what never caches."""

from __future__ import annotations

from typing import Any

import httpx

from tests.league_world import World

STANDINGS = "query($s: ID!) { standings(seasonId: $s) { rank points played team { name } } }"
HEADER = "x-sprocket-cache"


async def _post(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    operation: str | None = None,
) -> httpx.Response:
    payload: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation is not None:
        payload["operationName"] = operation
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json=payload, headers=headers)
    assert response.status_code == 200, response.text
    return response


async def _first_match(http: httpx.AsyncClient, world: World) -> dict[str, Any]:
    response = await _post(
        http,
        "query($s: ID!) { matches(seasonId: $s, status: SCHEDULED, first: 1)"
        " { nodes { id homeTeam { name } } } }",
        {"s": str(world.season_id)},
    )
    return response.json()["data"]["matches"]["nodes"][0]


RECORD = (
    "mutation($m: ID!) { recordResult(matchId: $m, games: ["
    "{homeGoals: 1, awayGoals: 0}, {homeGoals: 2, awayGoals: 0}, {homeGoals: 3, awayGoals: 0}"
    "]) { status } }"
)


async def test_a_repeated_anonymous_query_is_a_hit(http, world) -> None:
    variables = {"s": str(world.season_id)}
    first = await _post(http, STANDINGS, variables)
    second = await _post(http, STANDINGS, variables)
    assert first.headers[HEADER] == "miss"
    assert second.headers[HEADER] == "hit"
    assert second.content == first.content
    assert second.json()["data"]["standings"][0]["rank"] == 1
    # The same query, differently spaced, is the same query.
    spaced = await _post(http, "  " + STANDINGS.replace(" ", "\n  "), variables)
    assert spaced.headers[HEADER] == "hit" and spaced.content == first.content
    # Other variables are another answer.
    other = await _post(http, STANDINGS, {"s": str(world.season_id), "unused": 1})
    assert other.headers[HEADER] == "miss"


async def test_a_write_makes_the_next_answer_fresh(http, world) -> None:
    variables = {"s": str(world.season_id)}
    before = await _post(http, STANDINGS, variables)
    assert (await _post(http, STANDINGS, variables)).headers[HEADER] == "hit"
    assert all(row["played"] == 0 for row in before.json()["data"]["standings"])

    match = await _first_match(http, world)
    recorded = await _post(http, RECORD, {"m": match["id"]}, token=world.tokens["league_staff"])
    assert recorded.json()["data"]["recordResult"]["status"] == "COMPLETED"

    after = await _post(http, STANDINGS, variables)
    assert after.headers[HEADER] == "miss"
    table = {row["team"]["name"]: row for row in after.json()["data"]["standings"]}
    assert table[match["homeTeam"]["name"]]["points"] == 1
    assert sum(row["played"] for row in table.values()) == 2
    again = await _post(http, STANDINGS, variables)
    assert again.headers[HEADER] == "hit" and again.content == after.content


async def test_mutations_are_never_cached(http, world) -> None:
    new_token = 'mutation { createApiToken(name: "cli") { secret } }'
    secrets = set()
    for _ in range(2):
        response = await _post(http, new_token, token=world.tokens["outsider"])
        assert response.headers.get(HEADER) != "hit"
        secrets.add(response.json()["data"]["createApiToken"]["secret"])
    assert len(secrets) == 2

    # Revoking a revoked token changes no row; it must still run, not replay an answer.
    token_id = (
        await _post(
            http,
            'mutation { createApiToken(name: "x") { token { id } } }',
            token=world.tokens["outsider"],
        )
    ).json()["data"]["createApiToken"]["token"]["id"]
    revoke = "mutation($t: ID!) { revokeApiToken(tokenId: $t) { revokedAt } }"
    answers = []
    for _ in range(3):
        response = await _post(http, revoke, {"t": token_id}, token=world.tokens["outsider"])
        assert response.headers.get(HEADER) != "hit"
        answers.append(response.json()["data"]["revokeApiToken"]["revokedAt"])
    assert answers[0] is not None and len(set(answers)) == 1

    # A document holding a query and a mutation is not cached when it runs the mutation.
    document = (
        "query Peek { me { user { id } } } "
        "mutation Revoke($t: ID!) { revokeApiToken(tokenId: $t) { revokedAt } }"
    )
    for _ in range(2):
        response = await _post(
            http, document, {"t": token_id}, token=world.tokens["outsider"], operation="Revoke"
        )
        assert response.headers.get(HEADER) != "hit", response.headers
        assert response.json()["data"]["revokeApiToken"]["revokedAt"] == answers[0]


async def test_a_token_is_cached_apart_from_the_public(http, world) -> None:
    variables = {"s": str(world.season_id)}
    public = await _post(http, STANDINGS, variables)
    assert public.headers[HEADER] == "miss"
    mine = await _post(http, STANDINGS, variables, token=world.tokens["player"])
    assert mine.headers[HEADER] == "miss"
    assert (await _post(http, STANDINGS, variables, token=world.tokens["player"])).headers[
        HEADER
    ] == "hit"
    assert (await _post(http, STANDINGS, variables)).headers[HEADER] == "hit"

    me = "{ me { user { displayName } } }"
    answers = {}
    for role in ("player", "team_captain", "player", "team_captain", "spectator"):
        response = await _post(http, me, token=world.tokens[role])
        viewer = response.json()["data"]["me"]
        answers.setdefault(role, set()).add(viewer["user"]["displayName"] if viewer else None)
    assert answers == {"player": {"Player"}, "team_captain": {"Team Captain"}, "spectator": {None}}


async def test_an_answer_with_errors_is_not_cached(http, world) -> None:
    bad = '{ standings(seasonId: "99999") { rank } }'
    for _ in range(2):
        response = await _post(http, bad)
        assert response.headers.get(HEADER) != "hit"
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    partly = 'query($s: ID!) { standings(seasonId: $s) { rank } team(id: "abc") { name } }'
    for _ in range(2):
        response = await _post(http, partly, {"s": str(world.season_id)})
        assert response.json()["data"]["standings"]
        assert response.headers.get(HEADER) != "hit"
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_ID"
    invalid = "{ nope }"
    for _ in range(2):
        assert (await _post(http, invalid)).headers.get(HEADER) != "hit"


async def test_concurrent_identical_misses_compute_the_answer_once(http, world, platform) -> None:
    """A burst of the same uncached query (e.g. right after a result) runs the resolvers once;
    the other callers share that answer."""
    import asyncio

    from sprocket.db import StatementCounter

    variables = {"s": str(world.season_id)}
    with StatementCounter(platform.engine) as alone:
        await _post(http, STANDINGS, {"s": str(world.season_id), "unused": 1})
    with StatementCounter(platform.engine) as burst:
        responses = await asyncio.gather(*(_post(http, STANDINGS, variables) for _ in range(8)))
    assert burst.count == alone.count
    assert sorted(r.headers[HEADER] for r in responses) == ["hit"] * 7 + ["miss"]
    assert len({r.content for r in responses}) == 1


async def test_concurrent_identical_misses_that_cannot_be_cached_are_each_answered(http) -> None:
    """When the answer they waited for cannot be cached (it has errors), the callers that
    shared it each compute their own, at once: none of them loses its answer."""
    import asyncio

    bad = '{ standings(seasonId: "99999") { rank } }'
    responses = await asyncio.gather(*(_post(http, bad) for _ in range(4)))
    codes = [r.json()["errors"][0]["extensions"]["code"] for r in responses]
    assert codes == ["NOT_FOUND"] * 4
