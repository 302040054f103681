"""A document with several mutation fields answers each one: what was applied, and the error
of what was not (each field runs in its own transaction, one after another)."""

from __future__ import annotations

from sqlalchemy import select
from structlog.testing import capture_logs

from sprocket.identity.models import ApiToken
from tests.league_world import World

THREE = """
mutation($second: Int) {
  first: createApiToken(name: "first", days: 10) { token { name } }
  second: createApiToken(name: "second", days: $second) { token { name } }
  third: createApiToken(name: "third", days: 10) { token { name } }
}
"""


async def _names(platform, user_id: int) -> list[str]:
    async with platform.reading() as session:
        rows = await session.scalars(
            select(ApiToken.name).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        )
        return [name for name in rows if name in ("first", "second", "third")]


async def test_a_failure_in_the_middle_is_reported_beside_what_was_applied(
    http, platform, world: World
) -> None:
    token = world.tokens["outsider"]
    response = await http.post(
        "/graphql",
        json={"query": THREE, "variables": {"second": -1}},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert body["data"] == {
        "first": {"token": {"name": "first"}},
        "second": None,
        "third": {"token": {"name": "third"}},
    }
    (error,) = body["errors"]
    assert error["path"] == ["second"]
    assert error["extensions"]["code"] == "INVALID_TOKEN_LIFETIME"
    # Exactly what the answer says was applied is in the database.
    assert await _names(platform, world.user_ids["outsider"]) == ["first", "third"]


async def test_every_field_succeeds(http, platform, world: World) -> None:
    token = world.tokens["outsider"]
    response = await http.post(
        "/graphql",
        json={"query": THREE, "variables": {"second": 10}},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body
    assert [body["data"][k]["token"]["name"] for k in ("first", "second", "third")] == [
        "first",
        "second",
        "third",
    ]
    assert await _names(platform, world.user_ids["outsider"]) == ["first", "second", "third"]


def test_every_mutation_field_is_nullable() -> None:
    """So that no future mutation can null the whole answer of a document again."""
    from graphql import GraphQLNonNull

    from sprocket.api.schema import build_schema

    mutation = build_schema()._schema.mutation_type
    assert mutation is not None
    strict = [name for name, f in mutation.fields.items() if isinstance(f.type, GraphQLNonNull)]
    assert strict == []


async def test_an_expected_refusal_is_one_info_line_not_a_traceback(http, world: World) -> None:
    with capture_logs() as logs:
        response = await http.post(
            "/graphql",
            json={"query": 'mutation { revokeApiToken(tokenId: "999999") { revokedAt } }'},
            headers={"Authorization": f"Bearer {world.tokens['outsider']}"},
        )
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert not [entry for entry in logs if entry["log_level"] in ("error", "critical")]
    (refused,) = [entry for entry in logs if entry["event"] == "graphql.refused"]
    assert refused["log_level"] == "info" and refused["code"] == "NOT_FOUND"
    assert "exc_info" not in refused
