"""Granted roles: organization admins, league staff and franchise managers (captains and
players follow from rosters). Who holds what is checked in :mod:`sprocket.league.access`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import Conflict, InvalidInput, found
from sprocket.identity.access import Actor, require_user
from sprocket.identity.models import User
from sprocket.league import access
from sprocket.league.enums import Role
from sprocket.league.errors import LeagueCode
from sprocket.league.models import Franchise, League, Organization, RoleGrant

GRANTABLE = (Role.ORGANIZATION_ADMIN, Role.LEAGUE_STAFF, Role.FRANCHISE_MANAGER)


async def role_grants_of(session: AsyncSession, *, actor: Actor) -> list[RoleGrant]:
    """The roles granted to the caller, each with its scope (organization, league or
    franchise), oldest first (none for the spectator)."""
    if actor.user_id is None:
        return []
    rows = await session.scalars(
        select(RoleGrant).where(RoleGrant.user_id == actor.user_id).order_by(RoleGrant.id)
    )
    return list(rows.all())


async def grant_role(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    user_id: int,
    role: Role,
    league_id: int | None = None,
    franchise_id: int | None = None,
) -> RoleGrant:
    """Grant ``role`` in an organization to a user (ids), scoped to a league (league staff)
    or a franchise (franchise manager). Organization admins only (``PERMISSION_DENIED``);
    ``NOT_FOUND`` for an organization, user, league or franchise that does not exist,
    ``ROLE_NOT_GRANTABLE``, ``MISSING_SCOPE``, ``WRONG_ORGANIZATION``, ``DUPLICATE_ROLE``."""
    await access.require_organization_admin(session, actor, organization_id, "grant roles")
    found(await session.get(Organization, organization_id), "organization", organization_id)
    if role not in GRANTABLE:
        raise InvalidInput(
            f"The role '{role.value}' is not granted: captains and players come from rosters.",
            code=LeagueCode.ROLE_NOT_GRANTABLE,
        )
    found(await session.get(User, user_id), "user", user_id)
    if role is Role.FRANCHISE_MANAGER and franchise_id is None:
        raise InvalidInput("A franchise manager needs a franchise.", code=LeagueCode.MISSING_SCOPE)
    # Only the scope of this role counts (so duplicates are found), and it must be this
    # organization's: a franchise grant is honoured by franchise id alone.
    league_id = league_id if role is Role.LEAGUE_STAFF else None
    franchise_id = franchise_id if role is Role.FRANCHISE_MANAGER else None
    for model, what, ident in (
        (League, "league", league_id),
        (Franchise, "franchise", franchise_id),
    ):
        if ident is not None:
            scope = found(await session.get(model, ident), what, ident)
            if scope.organization_id != organization_id:
                raise InvalidInput(
                    f"That {what} belongs to another organization.",
                    code=LeagueCode.WRONG_ORGANIZATION,
                )
    existing = await session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user_id,
            RoleGrant.organization_id == organization_id,
            RoleGrant.role == role,
            RoleGrant.league_id.is_(None)
            if league_id is None
            else RoleGrant.league_id == league_id,
            RoleGrant.franchise_id.is_(None)
            if franchise_id is None
            else RoleGrant.franchise_id == franchise_id,
        )
    )
    if existing is not None:
        raise Conflict("This user already holds that role.", code=LeagueCode.DUPLICATE_ROLE)
    grant = RoleGrant(
        user_id=user_id,
        organization_id=organization_id,
        role=role,
        league_id=league_id,
        franchise_id=franchise_id,
    )
    session.add(grant)
    await session.flush()
    return grant


async def revoke_role(session: AsyncSession, *, actor: Actor, grant_id: int) -> None:
    """Take back a granted role (``grant_id``: a role grant's id). Organization admins of the
    grant's organization only. Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED."""
    require_user(actor)
    grant = found(await session.get(RoleGrant, grant_id), "role grant", grant_id)
    await access.require_organization_admin(session, actor, grant.organization_id, "revoke roles")
    await session.delete(grant)
