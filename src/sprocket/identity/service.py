"""Users, API tokens, role grants and platform accounts."""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.audit import AuditEntry
from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthenticated
from sprocket.identity import access, tokens
from sprocket.identity.access import Actor, found
from sprocket.identity.accounts import normalize_account_id, parse_platform, platform_name
from sprocket.identity.models import (
    AccountProof,
    AccountStatus,
    ApiToken,
    Platform,
    PlatformAccount,
    Role,
    RoleGrant,
    User,
)
from sprocket.league.models import Franchise, League, Member, Organization

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
    display_name: str | None = None,
    name_if_new: str = "New user",
    discord_name: str | None = None,
    is_superuser: bool | None = None,
) -> User:
    """The user with this Discord id, created or refreshed (the Discord login path).

    ``display_name``: the name to set; None leaves an existing user's name as it is (a new
    user is then called ``name_if_new``); it follows Discord's until the user chooses their
    own (:func:`set_display_name`). ``is_superuser``: None leaves the flag as it is.
    Raises InvalidInput ``INVALID_DISCORD_ID``.
    """
    if not (discord_id.isascii() and discord_id.isdigit()) or len(discord_id) > 20:
        raise InvalidInput(f"'{discord_id}' is not a Discord user id.", code="INVALID_DISCORD_ID")
    user = await session.scalar(select(User).where(User.discord_id == discord_id))
    if user is None:
        user = User(
            discord_id=discord_id, display_name=display_name or name_if_new, is_superuser=False
        )
        session.add(user)
    elif display_name is not None and user.display_name_changed_at is None:
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
            code="INVALID_TOKEN_LIFETIME",
        )
    if not name.strip():
        raise InvalidInput("Give the token a name, to recognize it later.", code="INVALID_NAME")
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
    owner = access.require_user(actor)
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == owner).order_by(ApiToken.id)
    )
    return list(rows.all())


async def authenticate(session: AsyncSession, token: str | None) -> Actor:
    """The actor a Bearer token stands for; no token is the anonymous spectator."""
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
    actor = Actor(
        user_id=user.id, is_superuser=user.is_superuser, name=user.display_name, token_id=row.id
    )
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
    """Grant ``role`` in an organization to a user (ids), scoped to a league (league staff)
    or a franchise (franchise manager). Organization admins only (``PERMISSION_DENIED``);
    ``NOT_FOUND`` for an organization, user, league or franchise that does not exist,
    ``ROLE_NOT_GRANTABLE``, ``MISSING_SCOPE``, ``WRONG_ORGANIZATION``, ``DUPLICATE_ROLE``."""
    await access.require_organization_admin(session, actor, organization_id, "grant roles")
    found(await session.get(Organization, organization_id), "organization", organization_id)
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
    access.require_user(actor)
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
    """Link a game account to a member.

    Staff of the member's organization (and platform admins) are trusted: their link is
    verified at once (proof ``staff``; an earlier pending link of the member becomes it) and
    written to the audit log, for their own accounts too. The member themself only makes a
    *pending* link, which counts for nothing (validation, ratings, uniqueness) until a proof
    verifies it: a sign-in at the platform (:func:`link_verified_account`), a confirmed claim
    from a replay (:mod:`sprocket.replays.service`), or staff linking the same account.

    ``platform``: steam, epic, psn, xbox or switch; ``account_id`` in that platform's format
    (:mod:`sprocket.identity.accounts`). Raises UNAUTHENTICATED, NOT_FOUND (member),
    PERMISSION_DENIED, INVALID_PLATFORM, INVALID_ACCOUNT_ID, DUPLICATE_PLATFORM_ACCOUNT.
    """
    access.require_user(actor)
    member = found(await session.get(Member, member_id), "member", member_id)
    staff = await access.is_staff_anywhere(session, actor, member.organization_id)
    if not staff and actor.user_id != member.user_id:
        raise PermissionDenied("Only the player themself or league staff may link their accounts.")
    kind, canonical = _account(platform, account_id)
    if not staff:
        return await _pending_link(session, member, kind, canonical, display_name)
    proof = AccountProof.STAFF
    account = await _verified_link(session, member, kind, canonical, display_name, proof)
    _audit(session, actor, member, "account.link", account)
    return account


async def link_verified_account(
    session: AsyncSession,
    *,
    member_id: int,
    platform: str,
    account_id: str,
    display_name: str | None = None,
) -> PlatformAccount:
    """Link an account the member proved to be theirs by signing in at the platform.

    The entry point of platform sign-in (Steam OpenID, Epic): the caller has verified that the
    member's user owns ``account_id``, so the link is verified at once (proof ``sign_in``),
    replacing the member's pending link and others' pending claims of it. Raises NOT_FOUND
    (member), INVALID_PLATFORM, INVALID_ACCOUNT_ID, DUPLICATE_PLATFORM_ACCOUNT (verified for
    another member: staff settle it).
    """
    member = found(await session.get(Member, member_id), "member", member_id)
    kind, canonical = _account(platform, account_id)
    return await _verified_link(
        session, member, kind, canonical, display_name, AccountProof.SIGN_IN
    )


async def link_claimed_account(
    session: AsyncSession,
    *,
    member_id: int,
    platform: str,
    account_id: str,
    display_name: str | None = None,
) -> PlatformAccount:
    """Link an account whose claim staff or the other side confirmed (the caller checked who
    may confirm). Verified at once (proof ``claim``). Raises as :func:`link_verified_account`."""
    member = found(await session.get(Member, member_id), "member", member_id)
    kind, canonical = _account(platform, account_id)
    return await _verified_link(session, member, kind, canonical, display_name, AccountProof.CLAIM)


def _account(platform: str, account_id: str) -> tuple[Platform, str]:
    kind = parse_platform(platform)
    return kind, normalize_account_id(kind, account_id)


def _duplicate(kind: Platform, canonical: str, mine: bool, pending: bool = False) -> Conflict:
    whose = "this player" if mine else "another player"
    waiting = " and awaits a proof" if pending else ""
    return Conflict(
        f"The {platform_name(kind)} account {canonical} is already linked to {whose}{waiting}.",
        code="DUPLICATE_PLATFORM_ACCOUNT",
    )


async def _links(
    session: AsyncSession, organization_id: int, kind: Platform, canonical: str
) -> list[PlatformAccount]:
    rows = await session.scalars(
        select(PlatformAccount).where(
            PlatformAccount.organization_id == organization_id,
            PlatformAccount.platform == kind.value,
            PlatformAccount.account_id == canonical,
        )
    )
    return list(rows.all())


async def _pending_link(
    session: AsyncSession, member: Member, kind: Platform, canonical: str, display_name: str | None
) -> PlatformAccount:
    for link in await _links(session, member.organization_id, kind, canonical):
        if link.member_id == member.id:
            raise _duplicate(kind, canonical, True, link.status == AccountStatus.PENDING)
        if link.status == AccountStatus.VERIFIED:
            raise _duplicate(kind, canonical, False)
    account = PlatformAccount(
        organization_id=member.organization_id,
        member_id=member.id,
        platform=kind.value,
        account_id=canonical,
        display_name=_shown(display_name),
        status=AccountStatus.PENDING.value,
    )
    return await _flush(session, account, kind, canonical)


async def _verified_link(
    session: AsyncSession,
    member: Member,
    kind: Platform,
    canonical: str,
    display_name: str | None,
    proof: AccountProof,
) -> PlatformAccount:
    """The member's verified link of the account; others' pending claims of it are dropped."""
    account = None
    for link in await _links(session, member.organization_id, kind, canonical):
        if link.status == AccountStatus.VERIFIED:
            raise _duplicate(kind, canonical, link.member_id == member.id)
        if link.member_id == member.id:
            account = link
        else:
            await session.delete(link)  # disproven: the account is someone else's
    if account is None:
        account = PlatformAccount(
            organization_id=member.organization_id,
            member_id=member.id,
            platform=kind.value,
            account_id=canonical,
        )
    account.display_name = _shown(display_name) or account.display_name
    account.status = AccountStatus.VERIFIED.value
    account.proof = proof.value
    return await _flush(session, account, kind, canonical)


def _shown(display_name: str | None) -> str | None:
    return (display_name or "").strip()[:100] or None


async def _flush(
    session: AsyncSession, account: PlatformAccount, kind: Platform, canonical: str
) -> PlatformAccount:
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
    """Remove a link: the member themself, or staff (written to the audit log). Raises
    UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED."""
    access.require_user(actor)
    account = found(await session.get(PlatformAccount, account_id), "platform account", account_id)
    member = found(await session.get(Member, account.member_id), "member", account.member_id)
    if actor.user_id != member.user_id:
        if not await access.is_staff_anywhere(session, actor, account.organization_id):
            raise PermissionDenied(
                "Only the player themself or league staff may change their accounts."
            )
        _audit(session, actor, member, "account.unlink", account)
    await session.delete(account)


def _audit(
    session: AsyncSession, actor: Actor, member: Member, action: str, account: PlatformAccount
) -> None:
    session.add(
        AuditEntry(
            organization_id=member.organization_id,
            actor_user_id=actor.user_id,
            action=action,
            subject=f"member:{member.id}",
            details={"platform": account.platform, "account_id": account.account_id},
        )
    )
