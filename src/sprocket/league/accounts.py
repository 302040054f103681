"""Game accounts (Steam, Epic, ...) linked to members: each platform's account id format,
checked before anything is stored, and the links with the proofs that verify them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.errors import Conflict, InvalidInput, PermissionDenied, found
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league.access import IdentityView
from sprocket.league.enums import AccountProof, AccountStatus, GamePlatform
from sprocket.league.errors import LeagueCode
from sprocket.league.models import Member, PlatformAccount

_EPIC = re.compile(r"^[0-9a-fA-F]{32}$")
_MAX_NAME = 64
_PLATFORM_NAMES = {
    GamePlatform.STEAM: "Steam",
    GamePlatform.EPIC: "Epic",
    GamePlatform.PSN: "PlayStation",
    GamePlatform.XBOX: "Xbox",
    GamePlatform.SWITCH: "Switch",
}


def platform_name(platform: GamePlatform | str) -> str:
    """The platform's name as players know it ("Steam", "PlayStation")."""
    return _PLATFORM_NAMES.get(GamePlatform(platform), str(platform))


def parse_platform(value: str) -> GamePlatform:
    """The platform named ``value`` (any case). Raises InvalidInput ``INVALID_PLATFORM``."""
    try:
        return GamePlatform(value.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in GamePlatform)
        raise InvalidInput(
            f"Unknown platform '{value}'. Use one of: {known}.", code=LeagueCode.INVALID_PLATFORM
        ) from None


def normalize_account_id(platform: GamePlatform, account_id: str) -> str:
    """The canonical form of ``account_id`` on ``platform``: a SteamID64 (17 digits, an
    individual account), an Epic id (32 hex digits, lower-cased), else a name or id of 1 to
    64 printable characters; trimmed. Raises INVALID_ACCOUNT_ID saying what was expected."""
    value = account_id.strip()
    if platform is GamePlatform.STEAM:
        # A SteamID64 of an individual account in the public universe.
        # isascii: str.isdigit() also accepts other scripts' digits, such as '７'.
        if not (value.isascii() and value.isdigit()) or len(value) != 17:
            raise _bad(platform, account_id, "a 17-digit SteamID64 such as 76561198012345678")
        number = int(value)
        if number >> 56 != 1 or (number >> 52) & 0xF != 1 or number & 0xFFFFFFFF == 0:
            raise _bad(platform, account_id, "the SteamID64 of a player's account")
        return value
    if platform is GamePlatform.EPIC:
        if not _EPIC.match(value):
            raise _bad(platform, account_id, "a 32-character hexadecimal Epic account id")
        return value.lower()
    if not value or len(value) > _MAX_NAME or any(ord(c) < 32 for c in value):
        raise _bad(platform, account_id, f"a name or id of 1 to {_MAX_NAME} characters")
    return value


def visible_accounts(
    *, accounts: Iterable[PlatformAccount], view: IdentityView
) -> list[PlatformAccount] | None:
    """A member's linked ``accounts`` as seen by a viewer whose view of the member is
    ``view`` (:func:`sprocket.league.access.identity_view`): every link with the FULL view
    (the member themself, staff: pending links too), only the VERIFIED ones with the PUBLIC
    view, and None with NONE (the member keeps them hidden: not even how many). Keeps the
    order given."""
    if view is IdentityView.NONE:
        return None
    return [a for a in accounts if view is IdentityView.FULL or a.status == AccountStatus.VERIFIED]


def _bad(platform: GamePlatform, value: str, expected: str) -> InvalidInput:
    return InvalidInput(
        f"'{value[:80]}' is not a valid {platform_name(platform)} account id: expected {expected}.",
        code=LeagueCode.INVALID_ACCOUNT_ID,
    )


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
    (:func:`normalize_account_id`). Raises UNAUTHENTICATED, NOT_FOUND (member),
    PERMISSION_DENIED, INVALID_PLATFORM, INVALID_ACCOUNT_ID, DUPLICATE_PLATFORM_ACCOUNT.
    """
    require_user(actor)
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


def _account(platform: str, account_id: str) -> tuple[GamePlatform, str]:
    kind = parse_platform(platform)
    return kind, normalize_account_id(kind, account_id)


def _duplicate(kind: GamePlatform, canonical: str, mine: bool, pending: bool = False) -> Conflict:
    whose = "this player" if mine else "another player"
    waiting = " and awaits a proof" if pending else ""
    return Conflict(
        f"The {platform_name(kind)} account {canonical} is already linked to {whose}{waiting}.",
        code=LeagueCode.DUPLICATE_PLATFORM_ACCOUNT,
    )


async def _links(
    session: AsyncSession, organization_id: int, kind: GamePlatform, canonical: str
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
    session: AsyncSession,
    member: Member,
    kind: GamePlatform,
    canonical: str,
    display_name: str | None,
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
        status=AccountStatus.PENDING,
    )
    return await _flush(session, account, kind, canonical)


async def _verified_link(
    session: AsyncSession,
    member: Member,
    kind: GamePlatform,
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
    account.status = AccountStatus.VERIFIED
    account.proof = proof
    return await _flush(session, account, kind, canonical)


def _shown(display_name: str | None) -> str | None:
    return (display_name or "").strip()[:100] or None


async def _flush(
    session: AsyncSession, account: PlatformAccount, kind: GamePlatform, canonical: str
) -> PlatformAccount:
    session.add(account)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # linked concurrently by someone else
        raise Conflict(
            f"The {platform_name(kind)} account {canonical} is already linked.",
            code=LeagueCode.DUPLICATE_PLATFORM_ACCOUNT,
        ) from None
    return account


async def accounts_shown(
    session: AsyncSession, *, actor: Actor, member: Member
) -> list[PlatformAccount] | None:
    """The member's game accounts ``actor`` may see, oldest link first, by the identity
    rule (:func:`sprocket.league.access.identity_view`): none (``None``) when the member
    keeps them hidden from the actor; only verified ones when they made them public; every
    link, pending ones too, for the member themself, their organization's staff and
    platform admins. Two statements at most."""
    staff = actor.user_id is not None and bool(
        await access.staff_organizations(session, actor, [member.organization_id])
    )
    view = access.identity_view(
        actor, owner_user_id=member.user_id, public=member.identities_public, staff=staff
    )
    if view is access.IdentityView.NONE:
        return None
    rows = await session.scalars(
        select(PlatformAccount)
        .where(PlatformAccount.member_id == member.id)
        .order_by(PlatformAccount.id)
    )
    return visible_accounts(accounts=rows, view=view)


async def unlink_platform_account(session: AsyncSession, *, actor: Actor, account_id: int) -> None:
    """Remove a link: the member themself, or staff (written to the audit log). Raises
    UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED."""
    require_user(actor)
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
    audit.record(
        session,
        organization_id=member.organization_id,
        actor_user_id=actor.user_id,
        action=action,
        subject=f"member:{member.id}",
        details={"platform": account.platform, "account_id": account.account_id},
    )


async def _pending_for_staff(
    session: AsyncSession, actor: Actor, account_id: int, doing: str
) -> tuple[PlatformAccount, Member]:
    require_user(actor)
    account = found(await session.get(PlatformAccount, account_id), "platform account", account_id)
    await access.require_staff_anywhere(session, actor, account.organization_id, doing)
    if account.status != AccountStatus.PENDING:
        raise Conflict(
            "This account link was verified already; unlink it from the member instead.",
            code=LeagueCode.LINK_NOT_PENDING,
        )
    return account, found(await session.get(Member, account.member_id), "member", account.member_id)


async def confirm_link(session: AsyncSession, *, actor: Actor, account_id: int) -> PlatformAccount:
    """Staff of the link's organization vouch for a member's pending account link (by its
    id): it becomes verified (proof ``staff``; others' pending links of the account go) and
    the audit log records it, as :func:`link_platform_account` by staff. The member cannot
    confirm their own. Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED,
    LINK_NOT_PENDING, DUPLICATE_PLATFORM_ACCOUNT (verified for another member meanwhile)."""
    account, member = await _pending_for_staff(
        session, actor, account_id, "confirm members' account links"
    )
    return await link_platform_account(
        session,
        actor=actor,
        member_id=member.id,
        platform=account.platform,
        account_id=account.account_id,
        display_name=account.display_name,
    )


async def refuse_link(session: AsyncSession, *, actor: Actor, account_id: int) -> None:
    """Staff of the link's organization refuse a member's pending account link (by its
    id): it is removed and the audit log records it. Raises UNAUTHENTICATED, NOT_FOUND,
    PERMISSION_DENIED, LINK_NOT_PENDING."""
    account, member = await _pending_for_staff(
        session, actor, account_id, "refuse members' account links"
    )
    _audit(session, actor, member, "account.refuse", account)
    await session.delete(account)
    await session.flush()
