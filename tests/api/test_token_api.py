"""API tokens through GraphQL: the lifetime cap, and revocation down the line of tokens."""

from __future__ import annotations

import datetime as dt

from sprocket.db import utcnow

CREATE = """
mutation($n: String!, $d: Int) {
  createApiToken(name: $n, days: $d) { secret token { id expiresAt } }
}
"""
REVOKE = "mutation($t: ID!) { revokeApiToken(tokenId: $t) { id revokedAt } }"
ME = "{ me { user { displayName } tokens { id name revokedAt } } }"


async def test_a_token_lives_at_most_the_configured_days(platform, world, gql) -> None:
    settings = platform.settings
    error = await gql.error(
        CREATE, {"n": "ten years", "d": settings.token_max_days + 1}, token=world.tokens["player"]
    )
    assert error["extensions"]["code"] == "INVALID_TOKEN_LIFETIME"
    assert f"between 1 and {settings.token_max_days} days" in error["message"]
    default = (await gql.ok(CREATE, {"n": "laptop"}, token=world.tokens["player"]))[
        "createApiToken"
    ]
    lifetime = dt.datetime.fromisoformat(default["token"]["expiresAt"]) - utcnow()
    assert (
        dt.timedelta(days=settings.token_days - 1)
        < lifetime
        <= dt.timedelta(days=settings.token_days)
    )


async def test_revoking_a_token_revokes_the_tokens_made_with_it(platform, world, gql, http) -> None:
    parent = world.tokens["player"]
    child = (await gql.ok(CREATE, {"n": "child", "d": 7}, token=parent))["createApiToken"]
    grandchild = (await gql.ok(CREATE, {"n": "grandchild", "d": 7}, token=child["secret"]))[
        "createApiToken"
    ]
    other = (await gql.ok(CREATE, {"n": "other", "d": 7}, token=world.tokens["team_captain"]))[
        "createApiToken"
    ]
    tokens = (await gql.ok(ME, token=grandchild["secret"]))["me"]["tokens"]
    (parent_id,) = [t["id"] for t in tokens if t["name"] == "t"]  # the World's token

    # Revoked with the child's own token: the parent, the child and the grandchild go.
    await gql.ok(REVOKE, {"t": parent_id}, token=child["secret"])
    for secret in (parent, child["secret"], grandchild["secret"]):
        response = await http.post(
            "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"
    # Another user's token, made alongside, still works.
    assert (await gql.ok(ME, token=other["secret"]))["me"]["user"]["displayName"]
