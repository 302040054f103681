"""API tokens: a capped lifetime, and revoking a token revokes the tokens it created."""

from __future__ import annotations

import datetime as dt

from sprocket.db import utcnow
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.identity.models import ApiToken
from tests.helpers.database import fails_unchanged


async def _user(platform, discord_id: str = "777") -> Actor:
    async with platform.unit_of_work() as s:
        user = await identity.ensure_user(s, discord_id=discord_id, display_name="Tok")
    return Actor(user_id=user.id, name="Tok")


async def _issue(platform, actor: Actor, **kw) -> tuple[ApiToken, str, Actor]:
    """A token, and the actor signed in with it."""
    async with platform.unit_of_work() as s:
        row, secret = await identity.issue_token(s, actor=actor, name="t", **{"days": 7, **kw})
    async with platform.reading() as s:
        holder = await identity.authenticate(s, secret)
    assert holder.token_id == row.id
    return row, secret, holder


async def test_a_lifetime_over_the_cap_is_refused(platform) -> None:
    actor = await _user(platform)
    error = await fails_unchanged(
        platform,
        lambda s: identity.issue_token(s, actor=actor, name="long", days=31, max_days=30),
        code="INVALID_TOKEN_LIFETIME",
    )
    assert "between 1 and 30 days" in error.message and "31" in error.message
    row, _, _ = await _issue(platform, actor, days=30, max_days=30)
    lifetime = row.expires_at - utcnow()
    assert dt.timedelta(days=29, hours=23) < lifetime <= dt.timedelta(days=30)
    # No setting lifts the cap above ten years.
    await fails_unchanged(
        platform,
        lambda s: identity.issue_token(s, actor=actor, name="x", days=3651, max_days=99_999),
        code="INVALID_TOKEN_LIFETIME",
    )


async def test_revoking_a_token_revokes_every_token_created_with_it(platform) -> None:
    actor = await _user(platform)
    root, root_secret, signed_in = await _issue(platform, actor)
    child, child_secret, child_holder = await _issue(platform, signed_in)
    grandchild, grandchild_secret, _ = await _issue(platform, child_holder)
    sibling, sibling_secret, _ = await _issue(platform, actor)  # from the command line
    assert (child.created_by_token_id, grandchild.created_by_token_id) == (root.id, child.id)
    assert sibling.created_by_token_id is None

    # Revoking the child takes the grandchild, not its parent.
    async with platform.unit_of_work() as s:
        await identity.revoke_token(s, actor=signed_in, token_id=child.id)
    assert await _revoked(platform, root, child, grandchild, sibling) == [
        False,
        True,
        True,
        False,
    ]

    # Revoking the root reaches every token made with it, and only those.
    other, _, _ = await _issue(platform, signed_in)
    async with platform.unit_of_work() as s:
        await identity.revoke_token(s, actor=actor, token_id=root.id)
    assert await _revoked(platform, root, other, sibling) == [True, True, False]


async def _revoked(platform, *tokens: ApiToken) -> list[bool]:
    async with platform.reading() as s:
        return [(await s.get_one(ApiToken, t.id)).revoked_at is not None for t in tokens]
