"""Web sessions: a signed-in browser's server-side record.

A session's secret (256 random bits) travels in the browser's cookie; only its SHA-256 is
stored, as for API tokens. A session ends when its user signs out, when it expires (its
lifetime is the caller's, from the settings), or when its user, a platform administrator or
the staff of an organization the user is a member of (:mod:`sprocket.league.people`) end all
of the user's sessions.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import note_change, utcnow
from sprocket.errors import InvalidInput, Unauthenticated, found
from sprocket.identity import access, service, tokens
from sprocket.identity.access import Actor
from sprocket.identity.errors import IdentityCode
from sprocket.identity.models import User, WebSession


async def start_session(
    session: AsyncSession, *, user_id: int, lifetime: dt.timedelta
) -> tuple[WebSession, str]:
    """Sign ``user_id`` in for ``lifetime`` (positive). Returns the row and its secret (for
    the cookie; never stored). Raises NOT_FOUND (no such user), INVALID_INPUT (a lifetime
    that is not positive)."""
    if lifetime <= dt.timedelta(0):
        raise InvalidInput("A session lives for a positive time.")
    found(await session.get(User, user_id), "user", user_id)
    secret = secrets.token_urlsafe(32)
    row = WebSession(
        user_id=user_id, secret_hash=tokens.digest(secret), expires_at=utcnow() + lifetime
    )
    session.add(row)
    await session.flush()
    return row, secret


async def session_holder(session: AsyncSession, *, secret: str) -> tuple[Actor, dt.datetime]:
    """The signed-in user a session's secret stands for, and when the session expires (UTC).

    Raises Unauthenticated: ``SESSION_ENDED`` (no such session: signed out, ended, or never
    started) or ``SESSION_EXPIRED``.
    """
    row = await session.scalar(
        select(WebSession).where(WebSession.secret_hash == tokens.digest(secret))
    )
    if row is None:
        raise Unauthenticated(
            "Your session has ended; sign in again.", code=IdentityCode.SESSION_ENDED
        )
    if row.expires_at <= utcnow():
        raise Unauthenticated(
            "Your session has expired; sign in again.", code=IdentityCode.SESSION_EXPIRED
        )
    user = found(await session.get(User, row.user_id), "user", row.user_id)
    actor = Actor(user_id=user.id, is_superuser=user.is_superuser, name=user.display_name)
    return actor, row.expires_at


async def end_session(session: AsyncSession, *, secret: str) -> bool:
    """Sign a browser out: end the session of ``secret``. Returns whether one was running
    (ending an ended session changes nothing). Raises nothing."""
    result = await session.execute(
        delete(WebSession).where(WebSession.secret_hash == tokens.digest(secret))
    )
    ended = bool(result.rowcount)  # type: ignore[attr-defined]
    if ended:
        note_change(session)  # the doors' cached holder of this session is forgotten
    return ended


async def end_sessions(session: AsyncSession, *, actor: Actor, user_id: int) -> int:
    """End every session of ``user_id``, expired ones too: the user's own (signing out
    everywhere), or anyone's for a platform administrator. Returns how many ended.
    Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    if access.require_user(actor) != user_id:
        access.require_superuser(actor, "end another user's sessions")
    return await end_user_sessions(session, user_id=user_id)


async def end_user_sessions(session: AsyncSession, *, user_id: int) -> int:
    """End every session of ``user_id`` (expired ones too); the next request of each of the
    user's browsers is a spectator's. Returns how many ended. No permission check: the
    caller's (:func:`end_sessions`, or an organization's staff through
    :func:`sprocket.league.people.end_member_sessions`). Raises nothing."""
    result = await session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    ended = int(result.rowcount)  # type: ignore[attr-defined]
    if ended:
        note_change(session)  # the doors' cached holders of these sessions are forgotten
    return ended


async def my_sessions(
    session: AsyncSession, *, actor: Actor, current_secret: str | None
) -> list[tuple[WebSession, bool]]:
    """The caller's running sessions (expired ones left out), newest first, each with
    whether it is the one of ``current_secret`` (the browser asking; None: none is).
    Raises UNAUTHENTICATED."""
    user_id = access.require_user(actor)
    rows = await session.scalars(
        select(WebSession)
        .where(WebSession.user_id == user_id, WebSession.expires_at > utcnow())
        .order_by(WebSession.id.desc())
    )
    current = tokens.digest(current_secret) if current_secret else None
    return [(row, row.secret_hash == current) for row in rows]


async def end_other_sessions(session: AsyncSession, *, actor: Actor, keep_secret: str) -> int:
    """Sign the caller out everywhere but in the browser whose session secret is
    ``keep_secret``: every other session of theirs ends. Returns how many ended.
    Raises UNAUTHENTICATED."""
    user_id = access.require_user(actor)
    result = await session.execute(
        delete(WebSession).where(
            WebSession.user_id == user_id, WebSession.secret_hash != tokens.digest(keep_secret)
        )
    )
    ended = int(result.rowcount)  # type: ignore[attr-defined]
    if ended:
        note_change(session)
    return ended


async def running_sessions(session: AsyncSession, *, user_ids: Iterable[int]) -> dict[int, int]:
    """How many unexpired sessions each of ``user_ids`` has, by user id (users with none
    are left out). One statement. No permission check: the caller's."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(WebSession.user_id, func.count())
        .where(WebSession.user_id.in_(wanted), WebSession.expires_at > utcnow())
        .group_by(WebSession.user_id)
    )
    return {user_id: count for user_id, count in rows}


async def sign_in_with_discord(
    session: AsyncSession,
    *,
    discord_id: str,
    username: str,
    global_name: str | None,
    lifetime: dt.timedelta,
) -> tuple[User, str]:
    """Sign in the person Discord vouched for: their user, created on the first sign-in
    (named by their Discord display name, else their username) or refreshed (the name
    follows Discord's until they choose their own), and a new session for ``lifetime``.
    Returns the user and the session's secret (their picture is kept by
    :mod:`sprocket.identity.avatars`).
    Raises INVALID_DISCORD_ID."""
    shown = (global_name or username).strip()[:100] or "New user"
    user = await service.ensure_user(
        session,
        discord_id=discord_id,
        display_name=shown,
        discord_name=username[:100],
    )
    _, secret = await start_session(session, user_id=user.id, lifetime=lifetime)
    return user, secret
