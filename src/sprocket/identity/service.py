"""Users, API tokens, role grants and platform accounts."""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthenticated
from sprocket.identity import access, tokens
from sprocket.identity.access import Actor, found
from sprocket.identity.accounts import normalize_account_id, parse_platform, platform_name
from sprocket.identity.models import ApiToken, PlatformAccount, Role, RoleGrant, User
from sprocket.league.models import Franchise, League, Member

GRANTABLE = (Role.ORGANIZATION_ADMIN, Role.LEAGUE_STAFF, Role.FRANCHISE_MANAGER)
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
        raise InvalidInput(f"A {what} has 1 to {limit} characters.", code="INVALID_NAME")
    if any(unicodedata.category(char) in _NOT_IN_NAMES for char in value):
        raise InvalidInput(
            f"A {what} may not hold control or invisible characters.", code="INVALID_NAME"
        )
    return value


async def ensure_user(
    session: AsyncSession,
    *,
    discord_id: str,
    display_name: str,
    discord_name: str | None = None,
    is_superuser: bool | None = None,
) -> User:
    """The user with this Discord id, created or refreshed (the Discord login path).

    The display name follows Discord's until the user chooses their own
    (:func:`set_display_name`). Raises InvalidInput ``INVALID_DISCORD_ID``.
    """
    if not (discord_id.isascii() and discord_id.isdigit()) or len(discord_id) > 20:
        raise InvalidInput(f"'{discord_id}' is not a Discord user id.", code="INVALID_DISCORD_ID")
    user = await session.scalar(select(User).where(User.discord_id == discord_id))
    if user is None:
        user = User(discord_id=discord_id, display_name=display_name, is_superuser=False)
        session.add(user)
    if user.display_name_changed_at is None:
        user.display_name = display_name
    user.discord_name = discord_name or user.discord_name
    if is_superuser is not None:
        user.is_superuser = is_superuser
    await session.flush()
    return user


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


async def role_grants_of(session: AsyncSession, *, actor: Actor) -> list[RoleGrant]:
    """The roles granted to the caller, each with its scope (organization, league or
    franchise), oldest first (none for the spectator)."""
    if actor.user_id is None:
        return []
    rows = await session.scalars(
        select(RoleGrant).where(RoleGrant.user_id == actor.user_id).order_by(RoleGrant.id)
    )
    return list(rows.all())


async def issue_token(
    session: AsyncSession,
    *,
    actor: Actor,
    name: str,
    days: int,
    user_id: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for the actor (or, for a platform admin, another user).

    Returns the row and the secret, which is never stored and cannot be shown again.
    """
    owner = access.require_user(actor)
    if user_id is not None and user_id != owner:
        access.require_superuser(actor, "create tokens for other users")
        owner = found(await session.get(User, user_id), "user", user_id).id
    if not 1 <= days <= 3650:
        raise InvalidInput("A token lives between 1 and 3650 days.", code="INVALID_TOKEN_LIFETIME")
    if not name.strip():
        raise InvalidInput("Give the token a name, to recognize it later.", code="INVALID_NAME")
    secret = tokens.new_token()
    row = ApiToken(
        user_id=owner,
        name=name.strip()[:100],
        token_hash=tokens.digest(secret),
        prefix=secret[:10],
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(row)
    await session.flush()
    return row, secret


async def revoke_token(session: AsyncSession, *, actor: Actor, token_id: int) -> ApiToken:
    owner = access.require_user(actor)
    row = await session.get(ApiToken, token_id)
    if row is None or (row.user_id != owner and not actor.is_superuser):
        raise NotFound(f"You have no token with id {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


async def list_tokens(session: AsyncSession, *, actor: Actor) -> list[ApiToken]:
    owner = access.require_user(actor)
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == owner).order_by(ApiToken.id)
    )
    return list(rows.all())


async def authenticate(session: AsyncSession, token: str | None) -> Actor:
    """The actor a Bearer token stands for; no token is the anonymous spectator."""
    return (await token_holder(session, token))[0]


async def token_holder(
    session: AsyncSession, token: str | None
) -> tuple[Actor, dt.datetime | None]:
    """:func:`authenticate`, with the moment the token expires (None without a token): until
    then only a write (a revocation, a changed user) can change the answer."""
    if not token:
        return access.SPECTATOR, None
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.digest(token)))
    if row is None:
        raise Unauthenticated("This API token is not valid.", code="INVALID_TOKEN")
    if row.revoked_at is not None:
        raise Unauthenticated("This API token was revoked.", code="TOKEN_REVOKED")
    if row.expires_at <= utcnow():
        raise Unauthenticated("This API token has expired.", code="TOKEN_EXPIRED")
    user = found(await session.get(User, row.user_id), "user", row.user_id)
    actor = Actor(user_id=user.id, is_superuser=user.is_superuser, name=user.display_name)
    return actor, row.expires_at


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
    await access.require_organization_admin(session, actor, organization_id, "grant roles")
    if role not in GRANTABLE:
        raise InvalidInput(
            f"The role '{role.value}' is not granted: captains and players come from rosters.",
            code="ROLE_NOT_GRANTABLE",
        )
    found(await session.get(User, user_id), "user", user_id)
    if role is Role.FRANCHISE_MANAGER and franchise_id is None:
        raise InvalidInput("A franchise manager needs a franchise.", code="MISSING_SCOPE")
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
                    f"That {what} belongs to another organization.", code="WRONG_ORGANIZATION"
                )
    existing = await session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user_id,
            RoleGrant.organization_id == organization_id,
            RoleGrant.role == role.value,
            RoleGrant.league_id.is_(None)
            if league_id is None
            else RoleGrant.league_id == league_id,
            RoleGrant.franchise_id.is_(None)
            if franchise_id is None
            else RoleGrant.franchise_id == franchise_id,
        )
    )
    if existing is not None:
        raise Conflict("This user already holds that role.", code="DUPLICATE_ROLE")
    grant = RoleGrant(
        user_id=user_id,
        organization_id=organization_id,
        role=role.value,
        league_id=league_id,
        franchise_id=franchise_id,
    )
    session.add(grant)
    await session.flush()
    return grant


async def revoke_role(session: AsyncSession, *, actor: Actor, grant_id: int) -> None:
    grant = found(await session.get(RoleGrant, grant_id), "role grant", grant_id)
    await access.require_organization_admin(session, actor, grant.organization_id, "revoke roles")
    await session.delete(grant)


async def link_platform_account(
    session: AsyncSession,
    *,
    actor: Actor,
    member_id: int,
    platform: str,
    account_id: str,
    display_name: str | None = None,
) -> PlatformAccount:
    """Link a game account to a member: the member themself or organization staff."""
    member = found(await session.get(Member, member_id), "member", member_id)
    organization_id = member.organization_id
    await _require_self_or_staff(session, actor, organization_id, member.user_id)
    return await attach_platform_account(
        session,
        organization_id=organization_id,
        member_id=member_id,
        platform=platform,
        account_id=account_id,
        display_name=display_name,
    )


async def attach_platform_account(
    session: AsyncSession,
    *,
    organization_id: int,
    member_id: int,
    platform: str,
    account_id: str,
    display_name: str | None = None,
) -> PlatformAccount:
    """Link an account once the caller has checked who may (a confirmed claim, staff, self)."""
    kind = parse_platform(platform)
    canonical = normalize_account_id(kind, account_id)
    taken = await session.scalar(
        select(PlatformAccount).where(
            PlatformAccount.organization_id == organization_id,
            PlatformAccount.platform == kind.value,
            PlatformAccount.account_id == canonical,
        )
    )
    if taken is not None:
        raise Conflict(
            f"The {platform_name(kind)} account {canonical} is already linked to "
            + ("this player." if taken.member_id == member_id else "another player."),
            code="DUPLICATE_PLATFORM_ACCOUNT",
        )
    account = PlatformAccount(
        organization_id=organization_id,
        member_id=member_id,
        platform=kind.value,
        account_id=canonical,
        display_name=(display_name or "").strip()[:100] or None,
    )
    session.add(account)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # linked concurrently by someone else
        raise Conflict(
            f"The {platform_name(kind)} account {canonical} is already linked.",
            code="DUPLICATE_PLATFORM_ACCOUNT",
        ) from None
    return account


async def unlink_platform_account(session: AsyncSession, *, actor: Actor, account_id: int) -> None:
    account = found(await session.get(PlatformAccount, account_id), "platform account", account_id)
    member = found(await session.get(Member, account.member_id), "member", account.member_id)
    await _require_self_or_staff(session, actor, account.organization_id, member.user_id)
    await session.delete(account)


async def _require_self_or_staff(
    session: AsyncSession, actor: Actor, organization_id: int, user_id: int
) -> None:
    if access.require_user(actor) == user_id:
        return
    if not await access.is_staff_anywhere(session, actor, organization_id):
        raise PermissionDenied(
            "Only the player themself or league staff may change their accounts."
        )
