"""Which organization a command acts for: a linked server's, in a direct message the
caller's only one (or the one they name); and linking servers (organization admins only)."""

from __future__ import annotations

import pytest

from sprocket.discord.registry import Call, Command
from sprocket.discord.replies import Reply
from sprocket.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from sprocket.identity import service as identity
from sprocket.league import guilds, members
from sprocket.league import service as league
from sprocket.runtime import Runtime
from tests.discord.conftest import EPHEMERAL, GUILD_ID, DiscordDoor, person
from tests.league_world import World

OTHER_GUILD = "600000000000000002"
#: The world's users' Discord ids by role (see tests.league_world).
ADMIN = "900000000000000002"
PLAYER = "900000000000000006"
OUTSIDER = "900000000000000007"


async def where(call: Call) -> Reply:
    return Reply(f"acting for organization {call.organization}")


@pytest.fixture
def door_with_where(door: DiscordDoor) -> DiscordDoor:
    door.dispatcher.registry.add(Command("where", "Which organization?", where))
    return door


async def link(platform: Runtime, world: World, guild: str = GUILD_ID) -> None:
    async with platform.unit_of_work() as session:
        await guilds.link_guild(
            session,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            guild_id=guild,
        )


async def second_organization(platform: Runtime, world: World, *, join: str) -> int:
    """Another organization, which the user of the Discord id ``join`` joins."""
    async with platform.unit_of_work() as session:
        org = await league.create_organization(
            session, actor=world.actors["superuser"], slug="other-org", name="Other Org"
        )
        user = await identity.actor_by_discord_id(session, discord_id=join)
        await members.add_member(
            session, actor=world.actors["superuser"], organization_id=org.id, user_id=user.user_id
        )
    return org.id


async def test_in_a_linked_server_a_command_acts_for_its_organization(
    door_with_where: DiscordDoor, platform: Runtime, world: World
) -> None:
    await link(platform, world)
    answer = await door_with_where.command("where", user=person(OUTSIDER))
    assert answer["data"]["content"] == f"acting for organization {world.organization_id}"


async def test_in_a_server_no_organization_linked_the_command_is_refused(
    door_with_where: DiscordDoor, platform: Runtime, world: World
) -> None:
    await link(platform, world)
    answer = await door_with_where.command("where", user=person(PLAYER), guild_id=OTHER_GUILD)
    assert answer["data"]["flags"] == EPHEMERAL
    assert "linked to no organization" in answer["data"]["content"]


async def test_in_a_direct_message_a_command_acts_for_the_callers_organization(
    door_with_where: DiscordDoor, world: World
) -> None:
    answer = await door_with_where.command("where", user=person(PLAYER), guild_id=None)
    assert answer["data"]["content"] == f"acting for organization {world.organization_id}"


async def test_a_member_of_several_organizations_is_asked_to_choose(
    door_with_where: DiscordDoor, platform: Runtime, world: World
) -> None:
    other = await second_organization(platform, world, join=PLAYER)
    asked = await door_with_where.command("where", user=person(PLAYER), guild_id=None)
    assert asked["data"]["flags"] == EPHEMERAL
    assert (
        "several organizations (Other Org (other-org), Test Org (test-org))"
        in (asked["data"]["content"])
    )
    chosen = await door_with_where.command(
        "where", {"organization": "other-org"}, user=person(PLAYER), guild_id=None
    )
    assert chosen["data"]["content"] == f"acting for organization {other}"
    suggested = await door_with_where.complete(
        "where", {"organization": ""}, "organization", user=person(PLAYER), guild_id=None
    )
    assert [c["value"] for c in suggested] == ["other-org", "test-org"]


async def test_someone_of_no_organization_is_told_how_to_act(
    door_with_where: DiscordDoor,
) -> None:
    answer = await door_with_where.command(
        "where", user=person("300000000000000077"), guild_id=None
    )
    assert answer["data"]["flags"] == EPHEMERAL
    assert answer["data"]["content"].startswith("You are a member of no organization")


async def test_only_organization_admins_link_servers_and_say_so_first(
    platform: Runtime, world: World
) -> None:
    async with platform.unit_of_work() as session:
        for role in ("player", "league_staff", "outsider"):
            with pytest.raises(PermissionDenied):
                await guilds.link_guild(
                    session,
                    actor=world.actors[role],
                    organization_id=world.organization_id,
                    guild_id="not a guild",  # who may act is answered before the id
                )
        admin = world.actors["organization_admin"]
        with pytest.raises(InvalidInput) as bad:
            await guilds.link_guild(
                session, actor=admin, organization_id=world.organization_id, guild_id="12ab"
            )
        assert bad.value.code == "INVALID_GUILD_ID"
        first = await guilds.link_guild(
            session, actor=admin, organization_id=world.organization_id, guild_id=GUILD_ID
        )
        again = await guilds.link_guild(
            session, actor=admin, organization_id=world.organization_id, guild_id=f" {GUILD_ID} "
        )
        assert again.id == first.id
        assert [
            g.guild_id
            for g in await guilds.linked_guilds(session, organization_id=world.organization_id)
        ] == [GUILD_ID]


async def test_a_server_acts_for_one_organization(platform: Runtime, world: World) -> None:
    await link(platform, world)
    other = await second_organization(platform, world, join=PLAYER)
    async with platform.unit_of_work() as session:
        with pytest.raises(Conflict) as taken:
            await guilds.link_guild(
                session, actor=world.actors["superuser"], organization_id=other, guild_id=GUILD_ID
            )
    assert taken.value.code == "GUILD_ALREADY_LINKED"


async def test_unlinking_a_server(platform: Runtime, world: World) -> None:
    await link(platform, world)
    admin = world.actors["organization_admin"]
    async with platform.unit_of_work() as session:
        await guilds.unlink_guild(
            session, actor=admin, organization_id=world.organization_id, guild_id=GUILD_ID
        )
    async with platform.unit_of_work() as session:
        with pytest.raises(NotFound) as gone:
            await guilds.unlink_guild(
                session, actor=admin, organization_id=world.organization_id, guild_id=GUILD_ID
            )
        assert gone.value.code == "GUILD_NOT_LINKED"
        with pytest.raises(DomainError) as refused:
            await guilds.acting_organization(session, actor=admin, guild_id=GUILD_ID)
        assert refused.value.code == "GUILD_NOT_LINKED"
