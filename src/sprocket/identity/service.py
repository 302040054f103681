"""Users and their API tokens."""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import time_zone
from sprocket.db import utcnow
from sprocket.errors import InvalidInput, NotFound, Unauthenticated, found
from sprocket.identity import access, tokens
from sprocket.identity.access import Actor
from sprocket.identity.errors import IdentityCode
from sprocket.identity.models import ApiToken, User

DISPLAY_NAME_MAX = 32
# Unicode categories a name shown to people may not hold: controls (tab, newline, escape...),
# invisible formatting (right-to-left overrides, zero-width characters), line and paragraph
# separators, lone surrogates and private-use code points.
_NOT_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def person_name(value: str, *, what: str, limit: int) -> str:
    """A name people will read (a user's display name, a member's name): surrounding spaces
    removed, 1 to ``limit`` characters, none of them a control or invisible formatting
    character. Raises InvalidInput ``INVALID_NAME``."""
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(f"A {what} has 1 to {limit} characters.", code=IdentityCode.INVALID_NAME)
    if any(unicodedata.category(char) in _NOT_IN_NAMES for char in value):
        raise InvalidInput(
            f"A {what} may not hold control or invisible characters.",
            code=IdentityCode.INVALID_NAME,
        )
    return value


async def _create_user(session: AsyncSession, discord_id: str, display_name: str) -> User:
    """A new user with ``discord_id``, or the one a concurrent request (a user's first
    commands sent at once) created a moment before this insert."""
    user = User(discord_id=discord_id, display_name=display_name, is_superuser=False)
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:
        won = await session.scalar(select(User).where(User.discord_id == discord_id))
        if won is None:
            raise
        return won
    return user


async def ensure_user(
    session: AsyncSession,
    *,
    discord_id: str,
    display_name: str | None = None,
    name_if_new: str = "New user",
    discord_name: str | None = None,
    is_superuser: bool | None = None,
) -> User:
    """The user with this Discord id, created or refreshed (the Discord login path).

    ``display_name``: the name to set; None leaves an existing user's name as it is (a new
    user is then called ``name_if_new``); it follows Discord's until the user chooses their
    own (:func:`set_display_name`). ``is_superuser``: None leaves the flag as it is (the
    avatar is kept by :mod:`sprocket.identity.avatars`).
    Raises InvalidInput ``INVALID_DISCORD_ID``.
    """
    if not (discord_id.isascii() and discord_id.isdigit()) or len(discord_id) > 20:
        raise InvalidInput(
            f"'{discord_id}' is not a Discord user id.", code=IdentityCode.INVALID_DISCORD_ID
        )
    user = await session.scalar(select(User).where(User.discord_id == discord_id))
    if user is None:
        user = await _create_user(session, discord_id, display_name or name_if_new)
    elif (
        display_name is not None
        and user.display_name_changed_at is None
        and user.display_name != display_name
    ):
        user.display_name = display_name
    # Only what changed is written: an unchanged user leaves cached answers valid.
    if discord_name and user.discord_name != discord_name:
        user.discord_name = discord_name
    if is_superuser is not None and user.is_superuser != is_superuser:
        user.is_superuser = is_superuser
    await session.flush()
    return user


async def me(session: AsyncSession, *, actor: Actor) -> User:
    """The caller's own user. Raises UNAUTHENTICATED, NOT_FOUND (a user removed since)."""
    user_id = access.require_user(actor)
    return found(await session.get(User, user_id), "user", user_id)


async def set_display_name(session: AsyncSession, *, actor: Actor, name: str) -> User:
    """The caller chooses the name people see (1 to 32 characters, no control or invisible
    characters); from then on a Discord sign-in no longer replaces it.

    Raises UNAUTHENTICATED, INVALID_NAME.
    """
    user_id = access.require_user(actor)
    chosen = person_name(name, what="display name", limit=DISPLAY_NAME_MAX)
    user = found(await session.get(User, user_id), "user", user_id)
    user.display_name = chosen
    user.display_name_changed_at = utcnow()
    await session.flush()
    return user


async def set_time_zone(session: AsyncSession, *, actor: Actor, zone: str | None) -> User:
    """The caller chooses the time zone they read dates and times in on the web: an IANA
    name ("Europe/Berlin"; surrounding spaces dropped), or None or an empty name for the
    zone of the organization each moment belongs to (the default). Returns the user.

    Raises UNAUTHENTICATED, INVALID_TIME_ZONE.
    """
    user_id = access.require_user(actor)
    chosen = (zone or "").strip() or None
    if chosen is not None:
        time_zone(chosen)
    user = found(await session.get(User, user_id), "user", user_id)
    user.time_zone = chosen
    await session.flush()
    return user


async def chosen_time_zone(session: AsyncSession, *, actor: Actor) -> str | None:
    """The time zone the caller chose to read the web in (:func:`set_time_zone`), or None:
    none chosen, or the spectator. One statement (none for the spectator). Raises nothing."""
    if actor.user_id is None:
        return None
    user = await session.get(User, actor.user_id)
    return user.time_zone if user is not None else None


async def issue_token(
    session: AsyncSession,
    *,
    actor: Actor,
    name: str,
    days: int,
    max_days: int = tokens.ABSOLUTE_MAX_DAYS,
    user_id: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for the actor (or, for a platform admin, another user).

    ``days``: its lifetime, 1 to ``max_days`` (the deployment's cap, the setting
    ``token_max_days``); a longer request is refused, not shortened, so the caller learns the
    limit. The new token remembers the token the actor signed in with, so revoking that one
    revokes this one too. Returns the row and the secret, which is never stored and cannot be
    shown again. Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND (user),
    INVALID_TOKEN_LIFETIME, INVALID_NAME.
    """
    owner = access.require_user(actor)
    if user_id is not None and user_id != owner:
        access.require_superuser(actor, "create tokens for other users")
        owner = found(await session.get(User, user_id), "user", user_id).id
    limit = min(max_days, tokens.ABSOLUTE_MAX_DAYS)
    if not 1 <= days <= limit:
        raise InvalidInput(
            f"A token lives between 1 and {limit} days; asked for {days}.",
            code=IdentityCode.INVALID_TOKEN_LIFETIME,
        )
    if not name.strip():
        raise InvalidInput(
            "Give the token a name, to recognize it later.", code=IdentityCode.INVALID_NAME
        )
    secret = tokens.new_token()
    row = ApiToken(
        user_id=owner,
        name=name.strip()[:100],
        token_hash=tokens.digest(secret),
        prefix=secret[:10],
        expires_at=utcnow() + dt.timedelta(days=days),
        created_by_token_id=actor.token_id,
    )
    session.add(row)
    await session.flush()
    return row, secret


async def revoke_token(session: AsyncSession, *, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's tokens (a platform admin: anyone's) and every token created
    with it, and with those, and so on. Revoking twice changes nothing. Raises
    UNAUTHENTICATED, NOT_FOUND (also for someone else's token: its id is not confirmed)."""
    owner = access.require_user(actor)
    row = await session.get(ApiToken, token_id)
    if row is None or (row.user_id != owner and not actor.is_superuser):
        raise NotFound(f"You have no token with id {token_id}.")
    now = utcnow()
    generation = [row]
    while generation:
        for token in generation:
            if token.revoked_at is None:
                token.revoked_at = now
        children = await session.scalars(
            select(ApiToken).where(ApiToken.created_by_token_id.in_([t.id for t in generation]))
        )
        generation = list(children.all())
    await session.flush()
    return row


async def list_tokens(session: AsyncSession, *, actor: Actor) -> list[ApiToken]:
    """The caller's own tokens, revoked and expired ones included, oldest first.
    Raises UNAUTHENTICATED."""
    owner = access.require_user(actor)
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == owner).order_by(ApiToken.id)
    )
    return list(rows.all())


async def authenticate(session: AsyncSession, token: str | None) -> Actor:
    """The actor a Bearer token (the secret, ``spk_...``) stands for; no token is the
    anonymous spectator. Raises INVALID_TOKEN, TOKEN_REVOKED, TOKEN_EXPIRED."""
    return (await token_holder(session, token))[0]


async def actor_by_discord_id(session: AsyncSession, *, discord_id: str) -> Actor:
    """The actor of the user with this Discord id (a door that names its user by Discord
    id: the command line, Discord). Raises NotFound (``NOT_FOUND``) when no user has it."""
    user = await session.scalar(select(User).where(User.discord_id == discord_id))
    if user is None:
        raise NotFound(f"No user has the Discord id {discord_id}.")
    return Actor(user_id=user.id, is_superuser=user.is_superuser)


async def token_holder(
    session: AsyncSession, token: str | None
) -> tuple[Actor, dt.datetime | None]:
    """:func:`authenticate`, with the moment (UTC) the token expires (None without a token):
    until then only a write (a revocation, a changed user) can change the answer.
    Raises INVALID_TOKEN (no such secret), TOKEN_REVOKED, TOKEN_EXPIRED."""
    if not token:
        return access.SPECTATOR, None
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.digest(token)))
    if row is None:
        raise Unauthenticated("This API token is not valid.", code=IdentityCode.INVALID_TOKEN)
    if row.revoked_at is not None:
        raise Unauthenticated("This API token was revoked.", code=IdentityCode.TOKEN_REVOKED)
    if row.expires_at <= utcnow():
        raise Unauthenticated("This API token has expired.", code=IdentityCode.TOKEN_EXPIRED)
    user = found(await session.get(User, row.user_id), "user", row.user_id)
    actor = Actor(
        user_id=user.id, is_superuser=user.is_superuser, name=user.display_name, token_id=row.id
    )
    return actor, row.expires_at
