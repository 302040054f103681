"""A player's own game accounts, as their settings show them: the organizations they are a
member of, each with every link of theirs (pending ones too), and the verified link a
sign-in at the platform (Steam, Epic) makes for one of their memberships."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import children_of, rows_by_ids
from sprocket.errors import PermissionDenied, found
from sprocket.identity.access import Actor, require_user
from sprocket.league import accounts, members
from sprocket.league.models import Member, Organization, PlatformAccount


@dataclass(frozen=True)
class Membership:
    """One organization the user is a member of, and their accounts linked in it."""

    member: Member
    organization: Organization
    accounts: list[PlatformAccount]


async def my_memberships(session: AsyncSession, *, actor: Actor) -> list[Membership]:
    """The caller's current memberships (left ones are not shown), by organization, each
    with every game account linked to it, pending and verified, oldest link first. Three
    statements. Raises UNAUTHENTICATED."""
    user_id = require_user(actor)
    current = [m for m in await members.memberships_of(session, user_id=user_id) if not m.left_at]
    if not current:
        return []
    organizations = await rows_by_ids(session, Organization, [m.organization_id for m in current])
    links = await children_of(
        session, PlatformAccount.member_id, [m.id for m in current], PlatformAccount.id
    )
    return [Membership(m, organizations[m.organization_id], links.get(m.id, [])) for m in current]


async def own_membership(session: AsyncSession, *, actor: Actor, member_id: int) -> Member:
    """The caller's own current membership ``member_id`` (the one a platform sign-in will
    link an account to). Raises UNAUTHENTICATED, NOT_FOUND (member), PERMISSION_DENIED
    (someone else's membership, or one the caller left)."""
    user_id = require_user(actor)
    member = found(await session.get(Member, member_id), "member", member_id)
    if member.user_id != user_id:
        raise PermissionDenied("You may link game accounts to your own membership only.")
    if member.left_at is not None:
        raise PermissionDenied("You left this organization; join it again to link accounts.")
    return member


async def link_proven_account(
    session: AsyncSession,
    *,
    actor: Actor,
    member_id: int,
    platform: str,
    account_id: str,
    display_name: str | None = None,
) -> PlatformAccount:
    """Link the account the caller just proved theirs by signing in at ``platform`` (the
    door has verified the platform's answer: Steam's OpenID assertion, Epic's OAuth) to
    their membership ``member_id``: verified at once (proof ``sign_in``), replacing their
    pending link of it and others' pending claims (:func:`accounts.link_verified_account`).

    Raises UNAUTHENTICATED, NOT_FOUND (member), PERMISSION_DENIED (not the caller's current
    membership), INVALID_PLATFORM, INVALID_ACCOUNT_ID, DUPLICATE_PLATFORM_ACCOUNT (verified
    for a member already: the caller's own, or someone else's, which staff settle).
    """
    member = await own_membership(session, actor=actor, member_id=member_id)
    return await accounts.link_verified_account(
        session,
        member_id=member.id,
        platform=platform,
        account_id=account_id,
        display_name=display_name,
    )
