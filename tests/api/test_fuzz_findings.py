"""Inputs the GraphQL fuzz run (fuzz/api.py) found ending in ``INTERNAL_SERVER_ERROR``: each
now gets a typed refusal and changes nothing. Most only failed on PostgreSQL (32-bit ids,
NUL characters), so these tests matter most when SPROCKET_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from sprocket.db import MAX_ID
from sprocket.league.models import RoleGrant
from sprocket.runtime import Runtime
from tests.api.support import Fresh
from tests.helpers.database import snapshot
from tests.league_world import World


async def _refused(
    http: httpx.AsyncClient,
    platform: Runtime,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
) -> dict[str, Any]:
    """The one error of a request that must be refused with a typed error and change
    nothing; the answer is valid JSON (as a client's strict parser reads it)."""
    before = await snapshot(platform)
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables or {}}),
        headers={
            "content-type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    assert response.status_code == 200, response.text
    body = json.loads(response.content.decode("utf-8", errors="strict"))
    (error,) = body["errors"]
    assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", error
    assert error["message"].rstrip()[-1] in ".!?", error["message"]
    assert await snapshot(platform) == before, "a refused request changed the database"
    return error


# -- ids past the 32-bit id columns ------------------------------------------------------------

TOO_BIG = [str(MAX_ID + 1), "2215877732", str(2**62)]


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize(
    "query",
    [
        "query($i: ID!) { season(id: $i) { id } }",
        "query($i: ID!) { league(id: $i) { id } }",
        "query($i: ID!) { scrim(id: $i) { id } }",
        "query($i: ID!) { matchWeeks(seasonId: $i) { id } }",
        "mutation($i: ID!) { createScrimGroup(scrimId: $i) { code } }",
        "mutation($i: ID!) { setCaptain(teamId: $i, playerId: $i, seasonId: $i) { isCaptain } }",
    ],
)
async def test_an_id_past_the_id_columns_is_invalid(
    http, platform, world: World, query: str, value: str
) -> None:
    error = await _refused(http, platform, query, {"i": value}, token=world.tokens["superuser"])
    assert error["extensions"]["code"] == "INVALID_ID", error


async def test_the_largest_id_is_merely_unknown(http, platform, world: World) -> None:
    query = "query($i: ID!) { season(id: $i) { id } }"
    response = await http.post("/graphql", json={"query": query, "variables": {"i": MAX_ID}})
    assert response.json() == {"data": {"season": None}}


async def test_a_cursor_past_the_id_columns_is_invalid(http, platform, world: World) -> None:
    query = "query($a: String) { organizations(first: 5, after: $a) { totalCount } }"
    too_big = base64.urlsafe_b64encode(f"c:{MAX_ID + 1}".encode()).decode()
    error = await _refused(http, platform, query, {"a": too_big})
    assert error["extensions"]["code"] == "INVALID_CURSOR", error
    largest = base64.urlsafe_b64encode(f"c:{MAX_ID}".encode()).decode()
    response = await http.post("/graphql", json={"query": query, "variables": {"a": largest}})
    assert "errors" not in response.json(), response.json()


# -- text no database stores: the NUL character, lone surrogates --------------------------------

BAD_TEXT = ["Team\x00Name", "\x00", "Team \ud800", "\udfff"]


@pytest.mark.parametrize("text", BAD_TEXT)
async def test_unstorable_text_in_a_variable_is_refused(
    http, platform, world: World, text: str
) -> None:
    mutation = "mutation($l: ID!, $n: String!) { createTeam(leagueId: $l, name: $n) { id } }"
    error = await _refused(
        http,
        platform,
        mutation,
        {"l": str(world.league_id), "n": text},
        token=world.tokens["superuser"],
    )
    assert error["extensions"]["code"] == "INVALID_TEXT", error
    assert "$n" in error["message"]
    # Reads too: the database can't even compare such text.
    query = "query($m: String!, $o: ID!) { winProbability(gameMode: $m, organizationId: $o, home: [], away: []) }"  # noqa: E501
    error = await _refused(http, platform, query, {"m": text, "o": str(world.organization_id)})
    assert error["extensions"]["code"] == "INVALID_TEXT", error


async def test_unstorable_text_in_a_literal_is_refused(http, platform, world: World) -> None:
    mutation = 'mutation {{ createTeam(leagueId: "{}", name: "{}") {{ id }} }}'
    token = world.tokens["superuser"]
    error = await _refused(
        http, platform, mutation.format(world.league_id, "Team\\u0000Name"), token=token
    )
    assert error["extensions"]["code"] == "INVALID_TEXT", error
    assert "'name'" in error["message"]
    # GraphQL's own grammar has no escape for a lone surrogate.
    error = await _refused(http, platform, mutation.format(world.league_id, "\\ud800"), token=token)
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED", error


async def test_unstorable_text_deep_in_a_value_is_refused(http, platform, world: World) -> None:
    mutation = (
        "mutation($o: ID!, $v: JSON!) {"
        ' setOrganizationSetting(organizationId: $o, key: "tie_breaks", value: $v) { id } }'
    )
    token, organization = world.tokens["superuser"], {"o": str(world.organization_id)}
    for value in (["goals_for", "a\x00"], {"list": [{"deep": "\x00"}]}, {"\x00": 1}):
        error = await _refused(http, platform, mutation, {**organization, "v": value}, token=token)
        assert error["extensions"]["code"] == "INVALID_TEXT", error
    literal = (
        'mutation($o: ID!) { setOrganizationSetting(organizationId: $o, key: "tie_breaks",'
        ' value: {list: ["goals_for", "a\\u0000"]}) { id } }'
    )
    error = await _refused(http, platform, literal, organization, token=token)
    assert error["extensions"]["code"] == "INVALID_TEXT", error
    assert "'value.list'" in error["message"]


async def test_text_with_other_control_characters_still_reaches_the_rules(
    http, platform, world: World
) -> None:
    """Only the characters no database stores are refused at the door; the rules of each
    name (INVALID_NAME for control characters in a display name) still speak for the rest."""
    error = await _refused(
        http,
        platform,
        "mutation($n: String!) { setDisplayName(name: $n) { id } }",
        {"n": "Dee\x07vo"},
        token=world.tokens["player"],
    )
    assert error["extensions"]["code"] == "INVALID_NAME", error


# -- amounts past the NUMERIC(10, 2) columns ----------------------------------------------------


@pytest.mark.parametrize("salary", [1e9, 99_999_999.999, 1.468680995302718e27, -0.01])
async def test_a_salary_past_its_column_is_invalid(
    http, platform, world: World, salary: float
) -> None:
    fresh = Fresh(platform, world)
    member_id = await fresh.member()
    mutation = (
        "mutation($m: ID!, $l: ID!, $s: Float) {"
        " registerPlayer(memberId: $m, leagueId: $l, salary: $s) { id } }"
    )
    variables = {"m": str(member_id), "l": str(world.league_id), "s": salary}
    error = await _refused(http, platform, mutation, variables, token=world.tokens["superuser"])
    assert error["extensions"]["code"] == "INVALID_SALARY", error


@pytest.mark.parametrize("cap", [1e12, 99_999_999.995, 0.004])
async def test_a_salary_cap_past_its_column_is_invalid(
    http, platform, world: World, cap: float
) -> None:
    mutation = (
        'mutation($l: ID!, $c: Float) { createSkillGroup(leagueId: $l, name: "Rich",'
        ' code: "RICH", ordinal: 90, salaryCap: $c) { id } }'
    )
    variables = {"l": str(world.league_id), "c": cap}
    error = await _refused(http, platform, mutation, variables, token=world.tokens["superuser"])
    assert error["extensions"]["code"] == "INVALID_SALARY_CAP", error


async def test_the_largest_amounts_are_stored_to_the_cent(http, world: World) -> None:
    mutation = (
        'mutation($l: ID!, $c: Float) { createSkillGroup(leagueId: $l, name: "Rich",'
        ' code: "RICH", ordinal: 90, salaryCap: $c) { salaryCap } }'
    )
    response = await http.post(
        "/graphql",
        json={"query": mutation, "variables": {"l": str(world.league_id), "c": 99_999_999.994}},
        headers={"Authorization": f"Bearer {world.tokens['superuser']}"},
    )
    assert response.json() == {"data": {"createSkillGroup": {"salaryCap": 99_999_999.99}}}


# -- parents that do not exist -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["ORGANIZATION_ADMIN", "LEAGUE_STAFF"])
async def test_granting_a_role_in_an_organization_that_does_not_exist(
    http, platform, world: World, role: str
) -> None:
    fresh = Fresh(platform, world)
    user_id = await fresh.user()
    mutation = (
        "mutation($o: ID!, $u: ID!) {"
        f" grantRole(organizationId: $o, userId: $u, role: {role}) {{ id }} }}"
    )
    error = await _refused(
        http, platform, mutation, {"o": "99999", "u": str(user_id)}, token=world.tokens["superuser"]
    )
    assert error["extensions"]["code"] == "NOT_FOUND", error
    assert "organization" in error["message"] and "99999" in error["message"]
    assert await fresh.count(RoleGrant, RoleGrant.user_id == user_id) == 0
    # Who may not grant roles learns nothing about which organizations exist.
    error = await _refused(
        http, platform, mutation, {"o": "99999", "u": str(user_id)}, token=world.tokens["player"]
    )
    assert error["extensions"]["code"] == "PERMISSION_DENIED", error


# -- dates outside the calendar, written in the query ------------------------------------------


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00.000001+14:00", "9999-12-31T23:59:59-14:00", "2030-13-01"]
)
async def test_a_date_literal_outside_the_calendar_is_bad_input(
    http, platform, world: World, moment: str
) -> None:
    query = (
        f'{{ playerLeaderboard(organizationId: "{world.organization_id}", gameMode: "doubles",'
        f' since: "{moment}") {{ nodes {{ games }} }} }}'
    )
    error = await _refused(http, platform, query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert moment[:10] in error["message"], error
