"""The staff's view of an organization's people: its current members with their sign-in
sessions, and ending a member's sessions (a lost laptop, a shared computer, a suspected
takeover)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.db import rows_by_ids
from sprocket.errors import NotFound, PermissionDenied
from sprocket.identity import sessions
from sprocket.identity.access import Actor
from sprocket.identity.models import User
from sprocket.league import access, members
from sprocket.league.audit_trail import TrailEntry, trail
from sprocket.league.models import Member

#: How many members one page of the people page lists, and how many staff actions its
#: audit trail shows.
PEOPLE_PER_PAGE = 50
TRAIL_SHOWN = 30


@dataclass(frozen=True)
class Person:
    """A current member as staff see them: names, when they joined (UTC), how many web
    sessions they have running, and whether their user is a platform administrator."""

    member_id: int
    user_id: int
    name: str
    discord_name: str | None
    joined_at: dt.datetime
    sessions: int
    platform_admin: bool


@dataclass(frozen=True)
class People:
    """One page of the people page: its members, how many match the search over every page
    (``total``), the cursor of the next page (None: the last), and the audit trail."""

    people: list[Person]
    total: int
    next_cursor: str | None
    trail: list[TrailEntry]


async def organization_people(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    name_contains: str | None = None,
    after: str | None = None,
) -> People:
    """A page of the organization's current members (:data:`PEOPLE_PER_PAGE`, in the
    order they joined, those whose name holds ``name_contains`` when given, after the
    cursor ``after``: :func:`sprocket.league.members.search_members`) with their running
    sessions, and the latest :data:`TRAIL_SHOWN` staff actions on members (accounts linked
    or unlinked, skill-group moves, sessions ended, queue bans). A fixed number of
    statements. Raises UNAUTHENTICATED, PERMISSION_DENIED (not staff of the organization),
    INVALID_CURSOR."""
    await access.require_staff_anywhere(session, actor, organization_id, "see its people")
    found = await members.search_members(
        session,
        organization_id=organization_id,
        name_contains=name_contains,
        first=PEOPLE_PER_PAGE,
        after=after,
    )
    rows = found.rows
    users = await rows_by_ids(session, User, [m.user_id for m in rows])
    running = await sessions.running_sessions(session, user_ids=users)
    return People(
        people=[
            Person(
                member_id=m.id,
                user_id=m.user_id,
                name=m.name,
                discord_name=users[m.user_id].discord_name,
                joined_at=m.joined_at,
                sessions=running.get(m.user_id, 0),
                platform_admin=users[m.user_id].is_superuser,
            )
            for m in rows
        ],
        total=await found.count(session),
        next_cursor=found.end_cursor if found.has_next else None,
        trail=await trail(
            session,
            actor=actor,
            organization_id=organization_id,
            action_prefixes=("member.", "player.", "account.", "queue_ban."),
            first=TRAIL_SHOWN,
        ),
    )


async def end_member_sessions(
    session: AsyncSession, *, actor: Actor, organization_id: int, member_id: int
) -> int:
    """Staff of the organization (its admins, the staff of any of its leagues) sign one of
    its current members out everywhere: every web session of the member's user ends (the
    next request of each of their browsers is a spectator's; API tokens are not touched),
    and the audit log records it. Only a platform administrator ends a platform
    administrator's sessions. Returns how many ended. Raises UNAUTHENTICATED,
    PERMISSION_DENIED, NOT_FOUND (no such current member of the organization)."""
    await access.require_staff_anywhere(
        session, actor, organization_id, "end members' sign-in sessions"
    )
    member = await session.get(Member, member_id)
    if member is None or member.organization_id != organization_id or member.left_at:
        raise NotFound("There is no such member of this organization.")
    user = await session.get(User, member.user_id)
    if user is not None and user.is_superuser and not actor.is_superuser:
        raise PermissionDenied(
            "Only a platform administrator may end a platform administrator's sessions."
        )
    ended = await sessions.end_user_sessions(session, user_id=member.user_id)
    audit.record(
        session,
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action="member.end_sessions",
        subject=f"member:{member.id}",
        details={"sessions": ended},
    )
    return ended
