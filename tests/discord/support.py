"""The world of the league tests, linked to the tests' Discord server, and its people as
Discord names them."""

from __future__ import annotations

from typing import Any

from sprocket.league import guilds
from sprocket.runtime import Runtime
from tests.discord.conftest import GUILD_ID, person
from tests.league_world import ROLES, World


def discord_id(role: str) -> str:
    """The Discord id of the world's user in ``role`` (see tests.league_world)."""
    return str(900000000000000000 + ROLES.index(role) + 1)


def as_role(role: str) -> dict[str, Any]:
    """Discord's user object of the world's user in ``role``."""
    return person(discord_id(role), role.replace("_", " ").title())


async def link_world(platform: Runtime, world: World) -> None:
    """Link the tests' Discord server to the world's organization."""
    async with platform.unit_of_work() as session:
        await guilds.link_guild(
            session,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            guild_id=GUILD_ID,
        )
