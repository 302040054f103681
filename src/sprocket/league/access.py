"""Who may do what in an organization. Every mutation calls one of these checks in the
service layer.

Granted roles (organization admin, league staff, franchise manager) live in ``role_grants``;
captain and player follow from rosters. Higher roles include the lower ones within their
scope: an organization admin may do anything league staff may do in that organization.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import PermissionDenied
from sprocket.identity.access import Actor, require_user
from sprocket.league.enums import Role
from sprocket.league.models import Member, RoleGrant


async def _grants(
    session: AsyncSession, actor: Actor, organization_id: int, roles: tuple[Role, ...]
) -> list[RoleGrant]:
    return list(
        (
            await session.scalars(
                select(RoleGrant).where(
                    RoleGrant.user_id == actor.user_id,
                    RoleGrant.organization_id == organization_id,
                    RoleGrant.role.in_(roles),
                )
            )
        ).all()
    )


async def is_organization_admin(session: AsyncSession, actor: Actor, organization_id: int) -> bool:
    """Whether the actor is an admin of the organization (id), or a platform administrator;
    false for the spectator."""
    if actor.is_superuser:
        return True
    if actor.user_id is None:
        return False
    return bool(await _grants(session, actor, organization_id, (Role.ORGANIZATION_ADMIN,)))


async def require_organization_admin(
    session: AsyncSession, actor: Actor, organization_id: int, doing: str
) -> None:
    """Refuse all but the organization's admins (and platform administrators); ``doing``
    completes the sentence "Only an organization admin may ...".
    Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    require_user(actor)
    if not await is_organization_admin(session, actor, organization_id):
        raise PermissionDenied(f"Only an organization admin may {doing}.")


async def is_league_staff(
    session: AsyncSession, actor: Actor, organization_id: int, league_id: int | None
) -> bool:
    """Whether the actor is an organization admin, or staff of this league (a grant with no
    league covers every league of the organization); ``league_id`` None asks about grants
    that cover every league. False for the spectator."""
    if actor.is_superuser:
        return True
    if actor.user_id is None:
        return False
    grants = await _grants(
        session, actor, organization_id, (Role.ORGANIZATION_ADMIN, Role.LEAGUE_STAFF)
    )
    return any(
        g.role == Role.ORGANIZATION_ADMIN or g.league_id in (None, league_id) for g in grants
    )


async def is_staff_anywhere(session: AsyncSession, actor: Actor, organization_id: int) -> bool:
    """Organization admins and the staff of any of its leagues (people-facing chores such as
    adding members and fixing their accounts, which every league's staff need)."""
    if actor.is_superuser:
        return True
    if actor.user_id is None:
        return False
    roles = (Role.ORGANIZATION_ADMIN, Role.LEAGUE_STAFF)
    return bool(await _grants(session, actor, organization_id, roles))


async def staff_organizations(
    session: AsyncSession, actor: Actor, organization_ids: Iterable[int]
) -> set[int]:
    """Which of ``organization_ids`` the actor is staff of (:func:`is_staff_anywhere`), in
    one query: for lists that ask it of many members at once."""
    wanted = set(organization_ids)
    if actor.is_superuser:
        return wanted
    if actor.user_id is None or not wanted:
        return set()
    rows = await session.scalars(
        select(RoleGrant.organization_id).where(
            RoleGrant.user_id == actor.user_id,
            RoleGrant.organization_id.in_(wanted),
            RoleGrant.role.in_([Role.ORGANIZATION_ADMIN, Role.LEAGUE_STAFF]),
        )
    )
    return set(rows.all())


class IdentityView(enum.Enum):
    """How much of a member's identity (Discord id and name, game account ids) a viewer sees."""

    NONE = "none"  # hidden
    PUBLIC = "public"  # what the member chose to show everyone: Discord, verified accounts
    FULL = "full"  # everything, pending account links too


def identity_view(actor: Actor, *, owner_user_id: int, public: bool, staff: bool) -> IdentityView:
    """What ``actor`` sees of the identity of the member whose user is ``owner_user_id``.

    The member themself, platform admins and the staff of the member's organization
    (``staff``: from :func:`staff_organizations`) see everything; everyone else sees what the
    member made public (``public``: ``Member.identities_public``, default false), or nothing.
    Source: the security review of issue 8 (Discord and platform ids are personal data).
    """
    themself = actor.user_id is not None and actor.user_id == owner_user_id
    if actor.is_superuser or staff or themself:
        return IdentityView.FULL
    return IdentityView.PUBLIC if public else IdentityView.NONE


async def identity_views(
    session: AsyncSession, *, actor: Actor, member_ids: Iterable[int]
) -> dict[int, IdentityView]:
    """What ``actor`` sees of the identity of each member of ``member_ids`` (ids;
    :func:`identity_view`), by member id; ids of no member are left out. Two statements
    whatever the number of members (the members, then :func:`staff_organizations`)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    rows = (
        await session.execute(
            select(
                Member.id, Member.organization_id, Member.user_id, Member.identities_public
            ).where(Member.id.in_(wanted))
        )
    ).all()
    staff = await staff_organizations(session, actor, {r.organization_id for r in rows})
    return {
        r.id: identity_view(
            actor,
            owner_user_id=r.user_id,
            public=r.identities_public,
            staff=r.organization_id in staff,
        )
        for r in rows
    }


async def require_league_staff(
    session: AsyncSession, actor: Actor, organization_id: int, league_id: int | None, doing: str
) -> None:
    """Refuse all but league staff (:func:`is_league_staff`); ``doing`` completes the
    sentence "Only league staff may ...". Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    require_user(actor)
    if not await is_league_staff(session, actor, organization_id, league_id):
        raise PermissionDenied(f"Only league staff may {doing}.")


async def require_team_manager(
    session: AsyncSession,
    actor: Actor,
    *,
    organization_id: int,
    league_id: int,
    franchise_id: int | None,
    doing: str,
) -> None:
    """Refuse all but league staff and the manager of the team's franchise (``franchise_id``
    None: a team without franchise, staff only); ``doing`` completes the refusal's sentence.
    Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    require_user(actor)
    if await is_league_staff(session, actor, organization_id, league_id):
        return
    if franchise_id is not None:
        managed = await session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.user_id == actor.user_id,
                RoleGrant.role == Role.FRANCHISE_MANAGER,
                RoleGrant.franchise_id == franchise_id,
            )
        )
        if managed is not None:
            return
    raise PermissionDenied(f"Only league staff or the team's franchise manager may {doing}.")


async def require_staff_anywhere(
    session: AsyncSession, actor: Actor, organization_id: int, doing: str
) -> None:
    """Refuse all but the organization's admins and the staff of any of its leagues
    (:func:`is_staff_anywhere`); ``doing`` completes the sentence "Only league staff may ...".
    Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    require_user(actor)
    if not await is_staff_anywhere(session, actor, organization_id):
        raise PermissionDenied(f"Only league staff may {doing}.")
