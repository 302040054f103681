"""The staff's configuration of Discord role sync: organization admins change it (audited),
the staff read it, everyone else is refused; bad input is a typed error and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from sprocket.audit import AuditEntry
from sprocket.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from sprocket.league import discord_roles
from sprocket.league import service as league
from sprocket.league.discord_roles import GuildRoles, SyncedRole
from sprocket.league.enums import DiscordRoleKind
from sprocket.ratings import service as ratings
from sprocket.runtime import Runtime
from tests.discord.conftest import GUILD_ID
from tests.discord.support import link_world
from tests.league_world import World

ROLE = "300000000000000001"


async def configured(platform: Runtime, world: World) -> list[GuildRoles]:
    async with platform.reading() as session:
        return await discord_roles.synced_roles(
            session, actor=world.actors["league_staff"], organization_id=world.organization_id
        )


async def audit_count(platform: Runtime) -> int:
    async with platform.reading() as session:
        return await session.scalar(select(func.count()).select_from(AuditEntry)) or 0


async def act(platform: Runtime, world: World, who: str, change: str, **arguments: Any) -> Any:
    async with platform.unit_of_work() as session:
        return await getattr(discord_roles, change)(
            session,
            actor=world.actors[who],
            organization_id=world.organization_id,
            guild_id=GUILD_ID,
            **arguments,
        )


@pytest.fixture
async def linked(platform: Runtime, world: World) -> World:
    await link_world(platform, world)
    return world


async def test_an_admin_syncs_roles_and_the_staff_read_them(
    platform: Runtime, linked: World
) -> None:
    world = linked
    async with platform.reading() as session:
        doubles = await ratings.game_mode_id(session, "doubles")
    await act(
        platform,
        world,
        "organization_admin",
        "sync_role",
        role_id=ROLE,
        kind="team",
        subject_id=world.team_ids[0],
    )
    await act(
        platform,
        world,
        "organization_admin",
        "sync_role",
        role_id=" 300000000000000002 ",
        kind=DiscordRoleKind.RATING_BAND,
        subject_id=doubles,
        minimum_rating=1200,
    )
    await act(platform, world, "organization_admin", "set_nickname_prefix", enabled=True)
    assert await configured(platform, world) == [
        GuildRoles(
            GUILD_ID,
            True,
            [
                SyncedRole(ROLE, DiscordRoleKind.TEAM, world.team_ids[0], None, "Team 1 (Doubles)"),
                SyncedRole(
                    "300000000000000002",
                    DiscordRoleKind.RATING_BAND,
                    doubles,
                    1200,
                    "doubles from 1200",
                ),
            ],
        )
    ]
    # giving the team another role replaces its role; the same again changes nothing
    audits = await audit_count(platform)
    await act(
        platform,
        world,
        "organization_admin",
        "sync_role",
        role_id="300000000000000003",
        kind="team",
        subject_id=world.team_ids[0],
    )
    await act(
        platform,
        world,
        "organization_admin",
        "sync_role",
        role_id="300000000000000003",
        kind="team",
        subject_id=world.team_ids[0],
    )
    [guild] = await configured(platform, world)
    assert [r.role_id for r in guild.roles] == ["300000000000000003", "300000000000000002"]
    assert await audit_count(platform) == audits + 1
    async with platform.reading() as session:
        entry = await session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry is not None and entry.action == "discord.role_synced"
    assert entry.details == {
        "guild_id": GUILD_ID,
        "role_id": "300000000000000003",
        "kind": "team",
        "subject_id": world.team_ids[0],
        "replaced_role_id": ROLE,
    }
    await act(platform, world, "organization_admin", "unsync_role", role_id="300000000000000003")
    [guild] = await configured(platform, world)
    assert [r.role_id for r in guild.roles] == ["300000000000000002"]


@pytest.mark.parametrize("who", ["league_staff", "franchise_manager", "player", "outsider"])
async def test_only_an_organization_admin_changes_the_configuration(
    platform: Runtime, linked: World, who: str
) -> None:
    world = linked
    await act(
        platform,
        world,
        "organization_admin",
        "sync_role",
        role_id=ROLE,
        kind="skill_group",
        subject_id=world.skill_group_ids[0],
    )
    before, audits = await configured(platform, world), await audit_count(platform)
    changes = [
        ("sync_role", {"role_id": "300000000000000009", "kind": "team", "subject_id": 1}),
        ("unsync_role", {"role_id": ROLE}),
        ("set_nickname_prefix", {"enabled": True}),
    ]
    for change, arguments in changes:
        with pytest.raises(PermissionDenied, match="Only an organization admin may"):
            await act(platform, world, who, change, **arguments)
    with pytest.raises(Unauthenticated):
        await act(platform, world, "spectator", "set_nickname_prefix", enabled=True)
    assert await configured(platform, world) == before
    assert await audit_count(platform) == audits


async def test_who_is_no_staff_cannot_read_it(platform: Runtime, linked: World) -> None:
    for who in ("player", "outsider"):
        async with platform.reading() as session:
            with pytest.raises(PermissionDenied):
                await discord_roles.synced_roles(
                    session, actor=linked.actors[who], organization_id=linked.organization_id
                )
            with pytest.raises(PermissionDenied):
                await discord_roles.role_subjects(
                    session, actor=linked.actors[who], organization_id=linked.organization_id
                )


async def test_bad_input_is_refused_and_changes_nothing(platform: Runtime, linked: World) -> None:
    world = linked
    root = world.actors["superuser"]
    async with platform.unit_of_work() as session:
        other = await league.create_organization(session, actor=root, slug="other", name="Other")
        theirs = await league.create_franchise(
            session, actor=root, organization_id=other.id, name="Theirs", code="THR"
        )
    await act(
        platform,
        world,
        "organization_admin",
        "sync_role",
        role_id=ROLE,
        kind="franchise",
        subject_id=world.franchise_id,
    )
    before, audits = await configured(platform, world), await audit_count(platform)
    team = {"kind": "team", "subject_id": world.team_ids[1]}
    band = {"kind": "rating_band", "subject_id": 1}
    cases: list[tuple[str, dict[str, Any], type[DomainError], str]] = [
        ("sync_role", {"role_id": "12ab", **team}, InvalidInput, "INVALID_ROLE_ID"),
        ("sync_role", {"role_id": "0", **team}, InvalidInput, "INVALID_ROLE_ID"),
        ("sync_role", {"role_id": "1" * 21, **team}, InvalidInput, "INVALID_ROLE_ID"),
        ("sync_role", {"role_id": GUILD_ID, **team}, InvalidInput, "INVALID_ROLE_ID"),
        ("sync_role", {"role_id": ROLE, **team}, Conflict, "ROLE_ALREADY_SYNCED"),
        (
            "sync_role",
            {"role_id": "300000000000000005", "kind": "captain", "subject_id": 1},
            InvalidInput,
            "INVALID_STATUS",
        ),
        (
            "sync_role",
            {"role_id": "300000000000000005", "kind": "team", "subject_id": 999999},
            NotFound,
            "NOT_FOUND",
        ),
        (
            "sync_role",
            {"role_id": "300000000000000005", "kind": "franchise", "subject_id": theirs.id},
            InvalidInput,
            "WRONG_ORGANIZATION",
        ),
        (
            "sync_role",
            {"role_id": "300000000000000005", **band, "minimum_rating": -1},
            InvalidInput,
            "INVALID_RATING_BAND",
        ),
        (
            "sync_role",
            {"role_id": "300000000000000005", **band, "minimum_rating": 5001},
            InvalidInput,
            "INVALID_RATING_BAND",
        ),
        (
            "sync_role",
            {"role_id": "300000000000000005", **band},
            InvalidInput,
            "INVALID_RATING_BAND",
        ),
        (
            "sync_role",
            {"role_id": "300000000000000005", "kind": "rating_band", "subject_id": 999},
            InvalidInput,
            "INVALID_RATING_BAND",
        ),
        ("unsync_role", {"role_id": "300000000000000005"}, NotFound, "ROLE_NOT_SYNCED"),
    ]
    for change, arguments, error, code in cases:
        with pytest.raises(error) as raised:
            await act(platform, world, "organization_admin", change, **arguments)
        assert raised.value.code == code, (arguments, raised.value)
    # a server not linked to the organization
    async with platform.unit_of_work() as session:
        with pytest.raises(NotFound) as raised:
            await discord_roles.set_nickname_prefix(
                session,
                actor=world.actors["organization_admin"],
                organization_id=world.organization_id,
                guild_id="123",
                enabled=True,
            )
    assert raised.value.code == "GUILD_NOT_LINKED"
    assert await configured(platform, world) == before
    assert await audit_count(platform) == audits
