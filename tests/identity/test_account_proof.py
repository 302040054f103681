"""Linking game accounts needs a proof: a member's own link is pending until verified.

Staff links are verified at once (and audited); a platform sign-in (``link_verified_account``)
or a confirmed claim verifies a link; a pending link counts for nothing: not in validation,
not in ratings, and it blocks nobody.
"""

from __future__ import annotations

from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.identity.access import SPECTATOR
from sprocket.league import accounts
from sprocket.league.models import PlatformAccount
from sprocket.replays.subjects import organization_accounts
from tests.api.support import Fresh, steam_id
from tests.helpers.database import fails_unchanged

RINGER = steam_id(424_242)


async def _links(platform, account_id: str = RINGER) -> list[tuple[int, str, str | None]]:
    async with platform.reading() as s:
        rows = await s.execute(
            select(PlatformAccount.member_id, PlatformAccount.status, PlatformAccount.proof)
            .where(PlatformAccount.account_id == account_id)
            .order_by(PlatformAccount.id)
        )
        return [tuple(r) for r in rows]


async def _counted(platform, world) -> dict[tuple[str, str], int]:
    async with platform.reading() as s:
        accounts, _ = await organization_accounts(s, world.organization_id)
    return accounts


async def _link(platform, actor, member_id: int, account_id: str = RINGER) -> PlatformAccount:
    async with platform.unit_of_work() as s:
        return await accounts.link_platform_account(
            s, actor=actor, member_id=member_id, platform="steam", account_id=account_id
        )


async def test_a_members_own_link_is_pending_and_counts_for_nothing(platform, world) -> None:
    player = world.member_ids["player"]
    account = await _link(platform, world.actors["player"], player)
    assert (account.status, account.proof) == ("pending", None)
    assert ("steam", RINGER) not in await _counted(platform, world)
    async with platform.reading() as s:
        audited = await s.scalar(select(AuditEntry.id).where(AuditEntry.action == "account.link"))
    assert audited is None  # a member's own claim is not a staff action


async def test_a_pending_link_blocks_neither_another_claim_nor_the_real_owner(
    platform, world
) -> None:
    squatter, owner = world.member_ids["player"], world.member_ids["team_captain"]
    await _link(platform, world.actors["player"], squatter)
    # The real owner's own claim is not refused because someone claimed it first.
    await _link(platform, world.actors["team_captain"], owner)
    assert await _links(platform) == [(squatter, "pending", None), (owner, "pending", None)]

    # Staff link it for the owner: verified, audited, and the squatter's claim is gone.
    await _link(platform, world.actors["league_staff"], owner)
    assert await _links(platform) == [(owner, "verified", "staff")]
    assert (await _counted(platform, world))[("steam", RINGER)] == owner
    async with platform.reading() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "account.link"))
    assert entry is not None
    assert entry.actor_user_id == world.user_ids["league_staff"]
    assert entry.subject == f"member:{owner}"
    assert entry.details == {"platform": "steam", "account_id": RINGER}

    # Now verified, it is the owner's alone: a new claim by anyone else is refused.
    error = await fails_unchanged(
        platform,
        lambda s: accounts.link_platform_account(
            s,
            actor=world.actors["player"],
            member_id=squatter,
            platform="steam",
            account_id=RINGER,
        ),
        code="DUPLICATE_PLATFORM_ACCOUNT",
    )
    assert "another player" in error.message


async def test_a_platform_sign_in_verifies_the_members_link(platform, world) -> None:
    squatter, owner = world.member_ids["team_captain"], world.member_ids["player"]
    await _link(platform, world.actors["team_captain"], squatter)
    await _link(platform, world.actors["player"], owner)
    async with platform.unit_of_work() as s:
        account = await accounts.link_verified_account(
            s, member_id=owner, platform="steam", account_id=RINGER, display_name="Owner"
        )
    assert (account.status, account.proof, account.display_name) == ("verified", "sign_in", "Owner")
    assert await _links(platform) == [(owner, "verified", "sign_in")]  # the same row, verified
    assert (await _counted(platform, world))[("steam", RINGER)] == owner
    # A second sign-in of another member with the same account: staff must settle it.
    await fails_unchanged(
        platform,
        lambda s: accounts.link_verified_account(
            s, member_id=squatter, platform="steam", account_id=RINGER
        ),
        code="DUPLICATE_PLATFORM_ACCOUNT",
    )
    await fails_unchanged(
        platform,
        lambda s: accounts.link_verified_account(
            s, member_id=owner, platform="steam", account_id="not-a-steam-id"
        ),
        code="INVALID_ACCOUNT_ID",
    )


async def test_staff_verify_a_members_pending_link_by_linking_it(platform, world) -> None:
    player = world.member_ids["player"]
    pending = await _link(platform, world.actors["player"], player)
    again = await fails_unchanged(
        platform,
        lambda s: accounts.link_platform_account(
            s, actor=world.actors["player"], member_id=player, platform="steam", account_id=RINGER
        ),
        code="DUPLICATE_PLATFORM_ACCOUNT",
    )
    assert "awaits a proof" in again.message
    verified = await _link(platform, world.actors["organization_admin"], player)
    assert verified.id == pending.id
    assert await _links(platform) == [(player, "verified", "staff")]


async def test_who_may_link_is_checked_before_the_account_id(platform, world) -> None:
    captain = world.member_ids["team_captain"]
    for actor, code in (
        (SPECTATOR, "UNAUTHENTICATED"),
        (world.actors["outsider"], "PERMISSION_DENIED"),
        (world.actors["player"], "PERMISSION_DENIED"),  # another member's accounts
        (world.actors["franchise_manager"], "PERMISSION_DENIED"),
    ):
        await fails_unchanged(
            platform,
            lambda s, actor=actor: accounts.link_platform_account(
                s, actor=actor, member_id=captain, platform="origin", account_id="??"
            ),
            code=code,
        )


async def test_staff_unlinking_someone_elses_account_is_audited(platform, world) -> None:
    fresh = Fresh(platform, world)
    account_id = await fresh.account(world.member_ids["player"])
    async with platform.unit_of_work() as s:
        await accounts.unlink_platform_account(
            s, actor=world.actors["league_staff"], account_id=account_id
        )
    async with platform.reading() as s:
        actions = (
            await s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("account.%"))
                .order_by(AuditEntry.id)
            )
        ).all()
    assert actions == ["account.link", "account.unlink"]  # Fresh links as the platform admin
