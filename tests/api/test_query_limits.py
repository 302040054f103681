"""Limits on one GraphQL document: tokens, aliases, depth and cost, refused before any work.

Every refused document is answered ``QUERY_TOO_COMPLEX`` naming the limit, without a single
SQL statement; documents the schema's own clients send (the introspection query, the heavy
pages of the test suite) pass.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from sprocket.api.limits import QueryLimits, measure_operation
from sprocket.api.schema import build_schema
from sprocket.db import StatementCounter
from tests.api.support import alias_bomb
from tests.league_world import World

SCHEMA = build_schema()
LIMITS = QueryLimits()


async def _refused(
    http: httpx.AsyncClient,
    platform: Any,
    query: str,
    variables: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """Post ``query``; return the HTTP status and the single error, checking that the
    database was not touched."""
    with StatementCounter(platform.engine) as counter:
        response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert counter.count == 0, "a refused document must not reach the database"
    body = response.json()
    (error,) = body["errors"]
    assert not body.get("data"), body
    return response.status_code, error


def _too_complex(error: dict[str, Any], limit: str) -> dict[str, Any]:
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error
    details = error["extensions"]["details"]
    assert details["limit"] == limit, error
    assert error["message"].endswith("."), error["message"]
    return details


async def test_the_reported_alias_bombs_are_refused(http, platform, world: World) -> None:
    # 20,000 aliases are 2.3 MB: refused by the body limit before a byte of GraphQL is read.
    huge = alias_bomb(20_000, world.season_id)
    assert len(huge) > 2_000_000
    response = await http.post("/graphql", json={"query": huge})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    # 3,000 aliases (about 350 KB) fit the body limit: the parser stops at its token limit.
    large = alias_bomb(3_000, world.season_id)
    assert 300_000 < len(large) < 1024 * 1024
    status, error = await _refused(http, platform, large)
    assert status == 200
    assert _too_complex(error, "tokens")["max"] == LIMITS.max_tokens


async def test_aliases_are_counted_up_to_the_limit(http, platform, world: World) -> None:
    fifteen = "{ " + " ".join(f"o{n}: organizations {{ totalCount }}" for n in range(15)) + " }"
    answered = await http.post("/graphql", json={"query": fifteen})
    assert "errors" not in answered.json(), answered.json()
    sixteen = fifteen.replace("{ o0:", "{ o15: organizations { totalCount } o0:")
    _, error = await _refused(http, platform, sixteen)
    assert _too_complex(error, "aliases") == {"limit": "aliases", "max": 15, "found": 16}


async def test_fragment_spreads_count_each_time_they_expand(http, platform) -> None:
    # F0 holds 2 aliases; each F(n) spreads F(n-1) twice: F40 expands to 2**41 aliases in a
    # document of a few hundred tokens. Measured once per fragment, it is refused at once.
    fragments = ["fragment F0 on Organization { a: name b: slug }"]
    for n in range(1, 41):
        fragments.append(f"fragment F{n} on Organization {{ ...F{n - 1} ...F{n - 1} }}")
    document = '{ organization(slug: "x") { ...F40 } } ' + " ".join(fragments)
    _, error = await _refused(http, platform, document)
    assert _too_complex(error, "aliases")["found"] == 2**41


async def test_depth_counts_through_fragments(http, platform, world: World) -> None:
    deep = "league { organization { leagues { teams { league { organization { name } } } } } }"
    fragment = f"fragment Deep on League {{ organization {{ leagues {{ teams {{ {deep} }} }} }} }}"
    document = f'{{ team(id: "{world.team_ids[0]}") {{ league {{ ...Deep }} }} }} {fragment}'
    _, error = await _refused(http, platform, document)
    details = _too_complex(error, "depth")
    assert details["max"] == LIMITS.max_depth and details["found"] > LIMITS.max_depth


async def test_cost_multiplies_page_sizes_and_lists(http, platform, world: World) -> None:
    nested = (
        "query($n: Int!) { organizations(first: $n) { nodes { leagues { teams { "
        'roster(seasonId: "1") { player { name member { accounts { accountId } } } } } } } } }'
    )
    # One organization per page is cheap enough...
    small = await http.post("/graphql", json={"query": nested, "variables": {"n": 1}})
    assert "errors" not in small.json(), small.json()
    # ...a hundred are not: the page size comes from the variables.
    _, error = await _refused(http, platform, nested, {"n": 100})
    details = _too_complex(error, "cost")
    assert details["found"] > details["max"] == LIMITS.max_cost


def _measure(query: str, variables: dict[str, Any] | None = None) -> Any:
    return measure_operation(
        SCHEMA._schema, parse(query), operation_name=None, variables=variables, limits=LIMITS
    )


def test_cost_of_a_connection_is_its_page_times_what_each_node_asks() -> None:
    # organizations (1) + nodes (1) + one name per node of the page (3):
    one = _measure("{ organizations(first: 3) { nodes { name } } }")
    assert (one.cost, one.depth, one.aliases) == (1 + 1 + 3 * 1, 2, 0)
    lists = _measure("{ organizations(first: 2) { nodes { leagues { name } } } }")
    # leagues has no page size: the assumed list size (10) per organization.
    assert lists.cost == 1 + 1 + 2 * (1 + LIMITS.list_size * 1)
    declared = _measure('{ match(id: "1") { games { teams { goals } } } }')
    # @listSize: a series has at most 7 games, a game two team lines.
    assert declared.cost == 1 + 1 + 7 * (1 + 2 * 1)
    variable = _measure(
        "query($n: Int!) { organizations(first: $n) { nodes { name } } }", {"n": 40}
    )
    assert variable.cost == 1 + 1 + 40


def test_the_schema_s_own_clients_pass() -> None:
    """The heaviest pages the test suite asks for (introspection: see the test below)."""
    heavy = [
        _measure(
            "query($s: ID!) { matches(seasonId: $s, status: COMPLETED, first: 100) { nodes {"
            " homeTeam { name } awayTeam { name } games { number homeGoals awayGoals"
            " replay { sha256 downloadUrl } players { name score goals mvp }"
            " teams { goals won } } } } }"
        ),
        _measure(
            "query($l: ID!, $s: ID!) { teams(leagueId: $l, first: 100) { nodes { name"
            " roster(seasonId: $s) { player { name member { accounts { platform accountId } } }"
            " } } } }"
        ),
    ]
    for measure in heavy:
        assert measure.cost <= LIMITS.max_cost and measure.depth <= LIMITS.max_depth
        assert measure.aliases <= LIMITS.max_aliases


async def test_introspection_is_answered(http) -> None:
    response = await http.post("/graphql", json={"query": get_introspection_query()})
    body = response.json()
    assert "errors" not in body and body["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("limit", ["aliases", "tokens", "cost", "depth"])
async def test_each_limit_is_a_setting(platform, settings, limit: str) -> None:
    from sprocket.app import create_app

    tight = {
        "aliases": {"graphql_max_aliases": 1},
        "tokens": {"graphql_max_tokens": 8},
        "cost": {"graphql_max_cost": 3},
        "depth": {"graphql_max_depth": 1},
    }[limit]
    app = create_app(settings.model_copy(update=tight), runtime=platform)
    query = "{ a: organizations(first: 5) { nodes { leagues { name } } } b: me { user { id } } }"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sprocket.test"
    ) as client:
        _, error = await _refused(client, platform, query)
    _too_complex(error, limit)
