"""Identity services: users, API tokens, role grants and platform accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, PermissionDenied, Unauthenticated
from sprocket.identity import service as identity
from sprocket.identity import tokens
from sprocket.identity.access import SPECTATOR, Actor
from sprocket.identity.models import ApiToken, User
from sprocket.league import accounts, members, roles
from sprocket.league import service as league
from sprocket.league.accounts import normalize_account_id
from sprocket.league.enums import GamePlatform, Role
from sprocket.league.models import PlatformAccount, RoleGrant
from tests.helpers.database import fails_unchanged, snapshot

# -- users -------------------------------------------------------------------------------------


async def test_ensure_user_is_idempotent_by_discord_id(platform):
    async with platform.unit_of_work() as s:
        first = await identity.ensure_user(s, discord_id="123456789012345678", display_name="Deevo")
    async with platform.unit_of_work() as s:
        again = await identity.ensure_user(
            s, discord_id="123456789012345678", display_name="Deevo2", discord_name="deevo#1"
        )
    assert again.id == first.id
    async with platform.reading() as s:
        users = (await s.scalars(select(User))).all()
    assert len(users) == 1
    assert users[0].display_name == "Deevo2"  # refreshed from Discord
    assert users[0].discord_name == "deevo#1"
    assert users[0].is_superuser is False


async def test_ensure_user_keeps_superuser_unless_told(platform):
    async with platform.unit_of_work() as s:
        await identity.ensure_user(s, discord_id="1", display_name="Root", is_superuser=True)
    async with platform.unit_of_work() as s:
        user = await identity.ensure_user(s, discord_id="1", display_name="Root")
    assert user.is_superuser is True


@pytest.mark.parametrize("bad", ["", "abc", "12a45", "-12345", "1" * 21, "12 34", "１２３"])
async def test_invalid_discord_ids_are_rejected(platform, bad):
    error = await fails_unchanged(
        platform,
        lambda s: identity.ensure_user(s, discord_id=bad, display_name="X"),
        code="INVALID_DISCORD_ID",
        error=InvalidInput,
    )
    assert "Discord" in error.message


# -- tokens ------------------------------------------------------------------------------------


async def _user(platform, discord_id: str = "555", name: str = "Tok") -> Actor:
    async with platform.unit_of_work() as s:
        user = await identity.ensure_user(s, discord_id=discord_id, display_name=name)
    return Actor(user_id=user.id, name=name)


async def test_issued_token_authenticates_its_user(platform):
    actor = await _user(platform)
    async with platform.unit_of_work() as s:
        row, secret = await identity.issue_token(s, actor=actor, name=" laptop ", days=30)
    assert secret.startswith(tokens.TOKEN_PREFIX)
    assert row.name == "laptop"
    async with platform.reading() as s:
        who = await identity.authenticate(s, secret)
    assert who.user_id == actor.user_id
    assert who.authenticated and not who.is_superuser
    async with platform.reading() as s:
        assert await identity.authenticate(s, None) == SPECTATOR
        assert await identity.authenticate(s, "") == SPECTATOR


async def test_only_the_token_hash_is_stored(platform):
    actor = await _user(platform)
    async with platform.unit_of_work() as s:
        _, secret = await identity.issue_token(s, actor=actor, name="ci", days=1)
    async with platform.reading() as s:
        rows = (await s.execute(select(ApiToken.__table__))).all()
    assert len(rows) == 1
    stored = [str(value) for value in rows[0]]
    assert all(secret not in value for value in stored)
    assert tokens.digest(secret) in stored
    # and no other table holds it either
    everything = await snapshot(platform)
    assert all(
        secret not in str(value) for rows in everything.values() for row in rows for value in row
    )


async def test_expired_token_is_refused(platform):
    actor = await _user(platform)
    async with platform.unit_of_work() as s:
        row, secret = await identity.issue_token(s, actor=actor, name="old", days=1)
    async with platform.unit_of_work() as s:
        await s.execute(
            update(ApiToken)
            .where(ApiToken.id == row.id)
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    async with platform.reading() as s:
        with pytest.raises(Unauthenticated) as raised:
            await identity.authenticate(s, secret)
    assert raised.value.code == "TOKEN_EXPIRED"
    assert "expired" in raised.value.message


async def test_revoked_token_is_refused(platform):
    actor = await _user(platform)
    async with platform.unit_of_work() as s:
        row, secret = await identity.issue_token(s, actor=actor, name="leaked", days=30)
    async with platform.unit_of_work() as s:
        revoked = await identity.revoke_token(s, actor=actor, token_id=row.id)
    assert revoked.revoked_at is not None
    async with platform.reading() as s:
        with pytest.raises(Unauthenticated) as raised:
            await identity.authenticate(s, secret)
    assert raised.value.code == "TOKEN_REVOKED"


async def test_unknown_token_is_refused(platform):
    await _user(platform)
    async with platform.reading() as s:
        with pytest.raises(Unauthenticated) as raised:
            await identity.authenticate(s, tokens.new_token())
    assert raised.value.code == "INVALID_TOKEN"


async def test_someone_elses_token_cannot_be_revoked(platform):
    owner = await _user(platform, "601", "Owner")
    other = await _user(platform, "602", "Other")
    async with platform.unit_of_work() as s:
        row, secret = await identity.issue_token(s, actor=owner, name="mine", days=30)
    await fails_unchanged(
        platform,
        lambda s: identity.revoke_token(s, actor=other, token_id=row.id),
        code="NOT_FOUND",
    )
    async with platform.reading() as s:
        assert (await identity.authenticate(s, secret)).user_id == owner.user_id


@pytest.mark.parametrize(
    ("days", "name", "code"),
    [
        (0, "x", "INVALID_TOKEN_LIFETIME"),
        (3651, "x", "INVALID_TOKEN_LIFETIME"),
        (5, " ", "INVALID_NAME"),
    ],
)
async def test_token_requests_are_checked(platform, days, name, code):
    actor = await _user(platform)
    await fails_unchanged(
        platform,
        lambda s: identity.issue_token(s, actor=actor, name=name, days=days),
        code=code,
    )


async def test_tokens_need_a_signed_in_user_and_tokens_for_others_need_a_superuser(platform):
    actor = await _user(platform, "701", "A")
    target = await _user(platform, "702", "B")
    await fails_unchanged(
        platform,
        lambda s: identity.issue_token(s, actor=SPECTATOR, name="x", days=1),
        code="UNAUTHENTICATED",
    )
    await fails_unchanged(
        platform,
        lambda s: identity.issue_token(s, actor=actor, name="x", days=1, user_id=target.user_id),
        code="PERMISSION_DENIED",
    )
    root = Actor(user_id=actor.user_id, is_superuser=True)
    async with platform.unit_of_work() as s:
        row, secret = await identity.issue_token(
            s, actor=root, name="for B", days=1, user_id=target.user_id
        )
    assert row.user_id == target.user_id
    async with platform.reading() as s:
        assert (await identity.authenticate(s, secret)).user_id == target.user_id


# -- roles -------------------------------------------------------------------------------------


async def test_grant_and_revoke_roles(platform, world):
    admin = world.actors["organization_admin"]
    outsider = world.user_ids["outsider"]
    async with platform.unit_of_work() as s:
        grant = await roles.grant_role(
            s,
            actor=admin,
            organization_id=world.organization_id,
            user_id=outsider,
            role=Role.LEAGUE_STAFF,
            league_id=world.league_id,
        )
    assert (grant.role, grant.league_id, grant.franchise_id) == (
        "league_staff",
        world.league_id,
        None,
    )
    await fails_unchanged(
        platform,
        lambda s: roles.grant_role(
            s,
            actor=admin,
            organization_id=world.organization_id,
            user_id=outsider,
            role=Role.LEAGUE_STAFF,
            league_id=world.league_id,
        ),
        code="DUPLICATE_ROLE",
        error=Conflict,
    )
    async with platform.unit_of_work() as s:
        await roles.revoke_role(s, actor=admin, grant_id=grant.id)
    async with platform.reading() as s:
        assert await s.get(RoleGrant, grant.id) is None
    # revoked, it can be granted again
    async with platform.unit_of_work() as s:
        await roles.grant_role(
            s,
            actor=admin,
            organization_id=world.organization_id,
            user_id=outsider,
            role=Role.LEAGUE_STAFF,
            league_id=world.league_id,
        )


async def test_duplicate_organization_admin_grant_is_refused_whatever_scope_is_sent(
    platform, world
):
    admin = world.actors["organization_admin"]
    await fails_unchanged(
        platform,
        lambda s: roles.grant_role(
            s,
            actor=admin,
            organization_id=world.organization_id,
            user_id=world.user_ids["organization_admin"],
            role=Role.ORGANIZATION_ADMIN,
            league_id=world.league_id,  # ignored for this role, so still a duplicate
        ),
        code="DUPLICATE_ROLE",
    )


async def test_roles_from_rosters_are_not_grantable(platform, world):
    for role in (Role.TEAM_CAPTAIN, Role.PLAYER, Role.SPECTATOR):
        error = await fails_unchanged(
            platform,
            lambda s, role=role: roles.grant_role(
                s,
                actor=world.actors["organization_admin"],
                organization_id=world.organization_id,
                user_id=world.user_ids["outsider"],
                role=role,
            ),
            code="ROLE_NOT_GRANTABLE",
        )
        assert role.value in error.message


async def test_a_franchise_manager_needs_a_franchise(platform, world):
    await fails_unchanged(
        platform,
        lambda s: roles.grant_role(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            user_id=world.user_ids["outsider"],
            role=Role.FRANCHISE_MANAGER,
        ),
        code="MISSING_SCOPE",
    )


async def test_scopes_must_belong_to_the_organization(platform, world):
    """An admin of one organization cannot grant a scope in another one's league or franchise."""
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        other = await league.create_organization(s, actor=root, slug="other-org", name="Other")
        other_franchise = await league.create_franchise(
            s, actor=root, organization_id=other.id, name="Theirs", code="THR"
        )
        other_league = await league.create_league(
            s, actor=root, organization_id=other.id, name="Theirs", game_mode="standard"
        )
    admin = world.actors["organization_admin"]
    await fails_unchanged(
        platform,
        lambda s: roles.grant_role(
            s,
            actor=admin,
            organization_id=world.organization_id,
            user_id=world.user_ids["organization_admin"],
            role=Role.FRANCHISE_MANAGER,
            franchise_id=other_franchise.id,
        ),
        code="WRONG_ORGANIZATION",
    )
    await fails_unchanged(
        platform,
        lambda s: roles.grant_role(
            s,
            actor=admin,
            organization_id=world.organization_id,
            user_id=world.user_ids["outsider"],
            role=Role.LEAGUE_STAFF,
            league_id=other_league.id,
        ),
        code="WRONG_ORGANIZATION",
    )


async def test_only_organization_admins_grant_roles(platform, world):
    for role in ("league_staff", "franchise_manager", "team_captain", "player", "outsider"):
        await fails_unchanged(
            platform,
            lambda s, role=role: roles.grant_role(
                s,
                actor=world.actors[role],
                organization_id=world.organization_id,
                user_id=world.user_ids["outsider"],
                role=Role.LEAGUE_STAFF,
            ),
            code="PERMISSION_DENIED",
            error=PermissionDenied,
        )
    await fails_unchanged(
        platform,
        lambda s: roles.grant_role(
            s,
            actor=SPECTATOR,
            organization_id=world.organization_id,
            user_id=world.user_ids["outsider"],
            role=Role.LEAGUE_STAFF,
        ),
        code="UNAUTHENTICATED",
    )


async def test_only_organization_admins_revoke_roles(platform, world):
    async with platform.reading() as s:
        grant_id = await s.scalar(
            select(RoleGrant.id).where(RoleGrant.user_id == world.user_ids["league_staff"])
        )
    await fails_unchanged(
        platform,
        lambda s: roles.revoke_role(s, actor=world.actors["league_staff"], grant_id=grant_id),
        code="PERMISSION_DENIED",
    )


# -- platform account formats ------------------------------------------------------------------

VALID = [
    (GamePlatform.STEAM, "76561198012345678", "76561198012345678"),
    (GamePlatform.STEAM, " 76561197960265729 ", "76561197960265729"),
    (GamePlatform.EPIC, "0123456789abcdef0123456789ABCDEF", "0123456789abcdef0123456789abcdef"),
    (GamePlatform.EPIC, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "f" * 32),
    (GamePlatform.PSN, "Deevo_RL", "Deevo_RL"),
    (GamePlatform.PSN, "a", "a"),
    (GamePlatform.XBOX, "Some Gamer Tag", "Some Gamer Tag"),
    (GamePlatform.XBOX, "x" * 64, "x" * 64),
    (GamePlatform.SWITCH, "SW-1234-5678-9012", "SW-1234-5678-9012"),
    (GamePlatform.SWITCH, "Pokémon Fan ★", "Pokémon Fan ★"),
]

INVALID = [
    (GamePlatform.STEAM, "7656119801234567"),  # 16 digits
    (GamePlatform.STEAM, "765611980123456789"),  # 18 digits
    (GamePlatform.STEAM, "7656119801234567a"),  # not digits
    (GamePlatform.STEAM, "STEAM_0:1:12345"),  # the legacy text form
    (GamePlatform.STEAM, "７６５６１１９８０１２３４５６７８"),  # full-width digits
    (GamePlatform.STEAM, "10000000000000001"),  # universe 0
    (GamePlatform.STEAM, "81064797587636229"),  # universe 1 but not an individual account
    (GamePlatform.STEAM, "76561197960265728"),  # account number 0
    (GamePlatform.STEAM, ""),
    (GamePlatform.EPIC, "0123456789abcdef0123456789abcde"),  # 31
    (GamePlatform.EPIC, "0123456789abcdef0123456789abcdef0"),  # 33
    (GamePlatform.EPIC, "0123456789abcdef0123456789abcdeg"),  # not hex
    (GamePlatform.EPIC, "01234567-89ab-cdef-0123-456789abcdef"),  # a UUID with dashes
    (GamePlatform.EPIC, "Deevo"),  # a display name, not the account id
    (GamePlatform.PSN, ""),
    (GamePlatform.PSN, "   "),
    (GamePlatform.PSN, "x" * 65),
    (GamePlatform.XBOX, "tab\there"),
    (GamePlatform.XBOX, "new\nline"),
    (GamePlatform.SWITCH, "nul\x00"),
    (GamePlatform.SWITCH, "y" * 100),
]


@pytest.mark.parametrize(("kind", "raw", "canonical"), VALID)
def test_valid_account_ids_are_accepted_in_canonical_form(kind, raw, canonical):
    assert normalize_account_id(kind, raw) == canonical


@pytest.mark.parametrize(("kind", "raw"), INVALID)
def test_invalid_account_ids_are_rejected(kind, raw):
    with pytest.raises(InvalidInput) as raised:
        normalize_account_id(kind, raw)
    assert raised.value.code == "INVALID_ACCOUNT_ID"
    assert "expected" in raised.value.message


async def test_linking_checks_formats_and_changes_nothing_on_bad_input(platform, world):
    admin = world.actors["organization_admin"]
    member = world.member_ids["player"]
    for kind, raw in INVALID[::3]:
        await fails_unchanged(
            platform,
            lambda s, kind=kind, raw=raw: accounts.link_platform_account(
                s, actor=admin, member_id=member, platform=kind.value, account_id=raw
            ),
            code="INVALID_ACCOUNT_ID",
        )
    await fails_unchanged(
        platform,
        lambda s: accounts.link_platform_account(
            s, actor=admin, member_id=member, platform="stadia", account_id="abc"
        ),
        code="INVALID_PLATFORM",
    )


async def test_epic_ids_are_stored_lowercase(platform, world):
    async with platform.unit_of_work() as s:
        account = await accounts.link_platform_account(
            s,
            actor=world.actors["organization_admin"],
            member_id=world.member_ids["player"],
            platform="EPIC",
            account_id="ABCDEF0123456789ABCDEF0123456789",
            display_name=" Deevo ",
        )
    assert (account.platform, account.account_id, account.display_name) == (
        "epic",
        "abcdef0123456789abcdef0123456789",
        "Deevo",
    )


async def test_duplicate_account_in_one_organization_is_refused(platform, world):
    admin = world.actors["organization_admin"]
    async with platform.unit_of_work() as s:
        await accounts.link_platform_account(
            s,
            actor=admin,
            member_id=world.member_ids["player"],
            platform="epic",
            account_id="abcdef0123456789abcdef0123456789",
        )
    # the same account, spelled differently, for another member
    error = await fails_unchanged(
        platform,
        lambda s: accounts.link_platform_account(
            s,
            actor=admin,
            member_id=world.member_ids["team_captain"],
            platform="epic",
            account_id="ABCDEF0123456789ABCDEF0123456789",
        ),
        code="DUPLICATE_PLATFORM_ACCOUNT",
        error=Conflict,
    )
    assert "another player" in error.message
    error = await fails_unchanged(
        platform,
        lambda s: accounts.link_platform_account(
            s,
            actor=admin,
            member_id=world.member_ids["player"],
            platform="epic",
            account_id="abcdef0123456789abcdef0123456789",
        ),
        code="DUPLICATE_PLATFORM_ACCOUNT",
    )
    assert "this player" in error.message


async def test_same_account_may_be_linked_in_another_organization(platform, world):
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        await accounts.link_platform_account(
            s,
            actor=root,
            member_id=world.member_ids["player"],
            platform="steam",
            account_id="76561198012345678",
        )
        other = await league.create_organization(s, actor=root, slug="other-org", name="Other")
        member = await members.add_member(
            s, actor=root, organization_id=other.id, user_id=world.user_ids["player"]
        )
        again = await accounts.link_platform_account(
            s, actor=root, member_id=member.id, platform="steam", account_id="76561198012345678"
        )
    assert again.organization_id == other.id
    async with platform.reading() as s:
        count = await s.scalar(
            select(func.count())
            .select_from(PlatformAccount)
            .where(PlatformAccount.account_id == "76561198012345678")
        )
    assert count == 2


async def test_players_link_their_own_accounts_but_not_someone_elses(platform, world):
    me = world.actors["player"]
    async with platform.unit_of_work() as s:
        mine = await accounts.link_platform_account(
            s,
            actor=me,
            member_id=world.member_ids["player"],
            platform="psn",
            account_id="MyPsnName",
        )
    assert mine.member_id == world.member_ids["player"]
    await fails_unchanged(
        platform,
        lambda s: accounts.link_platform_account(
            s,
            actor=me,
            member_id=world.member_ids["team_captain"],
            platform="psn",
            account_id="NotMine",
        ),
        code="PERMISSION_DENIED",
    )
    await fails_unchanged(
        platform,
        lambda s: accounts.link_platform_account(
            s,
            actor=SPECTATOR,
            member_id=world.member_ids["player"],
            platform="psn",
            account_id="Anon",
        ),
        code="UNAUTHENTICATED",
    )
    # someone else cannot unlink it either; the owner can
    await fails_unchanged(
        platform,
        lambda s: accounts.unlink_platform_account(
            s, actor=world.actors["team_captain"], account_id=mine.id
        ),
        code="PERMISSION_DENIED",
    )
    async with platform.unit_of_work() as s:
        await accounts.unlink_platform_account(s, actor=me, account_id=mine.id)
    async with platform.reading() as s:
        assert await s.get(PlatformAccount, mine.id) is None


async def test_league_staff_link_accounts_for_members(platform, world):
    async with platform.unit_of_work() as s:
        account = await accounts.link_platform_account(
            s,
            actor=world.actors["league_staff"],
            member_id=world.member_ids["team_captain"],
            platform="xbox",
            account_id="Captain Tag",
        )
    assert account.account_id == "Captain Tag"
