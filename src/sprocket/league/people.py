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

#: The most members the people page lists (by name).
PEOPLE_SHOWN = 200


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
    people: list[Person]
    trail: list[TrailEntry]


async def organization_people(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> People:
    """The organization's current members by name (at most :data:`PEOPLE_SHOWN`) with
    their running sessions, and the latest 50 staff actions on members (accounts linked or
    unlinked, sessions ended, queue bans). A fixed number of statements. Raises
    UNAUTHENTICATED, PERMISSION_DENIED (not staff of the organization)."""
    await access.require_staff_anywhere(session, actor, organization_id, "see its people")
    rows = await members.current_members(
        session, organization_id=organization_id, first=PEOPLE_SHOWN
    )
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
        trail=await trail(
            session,
            actor=actor,
            organization_id=organization_id,
            action_prefixes=("member.", "player.", "account.", "queue_ban."),
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
