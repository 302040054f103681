"""Discord servers (guilds) linked to organizations, and which organization a Discord
command acts for: in a linked server, that server's organization; in a direct message, the
caller's only organization, or the one they name when they belong to several."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.errors import Conflict, InvalidInput, NotFound
from sprocket.identity.access import Actor
from sprocket.league import access
from sprocket.league.errors import LeagueCode
from sprocket.league.models import DiscordGuild, Member, Organization


def guild_id_of(raw: str) -> str:
    """``raw`` (surrounding spaces removed) as a Discord guild id: 1 to 20 ASCII digits.
    Raises InvalidInput ``INVALID_GUILD_ID``."""
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 20 or int(value) == 0:
        raise InvalidInput(
            f"'{value[:40]}' is not a Discord server id (up to 20 digits; Discord shows it "
            "with developer mode on, under the server's menu: Copy Server ID).",
            code=LeagueCode.INVALID_GUILD_ID,
        )
    return value


async def link_guild(
    session: AsyncSession, *, actor: Actor, organization_id: int, guild_id: str
) -> DiscordGuild:
    """Link the Discord server ``guild_id`` to the organization, so commands used there act
    for it (an organization admin's act, written to the audit log). Linking a server the
    organization has linked already changes nothing. Returns the link.
    Raises UNAUTHENTICATED, PERMISSION_DENIED, INVALID_GUILD_ID, GUILD_ALREADY_LINKED (to
    another organization)."""
    await access.require_organization_admin(
        session, actor, organization_id, "link a Discord server to the organization"
    )
    guild = guild_id_of(guild_id)
    existing = await session.scalar(select(DiscordGuild).where(DiscordGuild.guild_id == guild))
    if existing is not None:
        if existing.organization_id == organization_id:
            return existing
        raise Conflict(
            f"Discord server {guild} is linked to another organization; it acts for one.",
            code=LeagueCode.GUILD_ALREADY_LINKED,
        )
    link = DiscordGuild(
        organization_id=organization_id, guild_id=guild, linked_by_user_id=actor.user_id
    )
    session.add(link)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # linked by someone else at the same moment
        raise Conflict(
            f"Discord server {guild} is linked to an organization already.",
            code=LeagueCode.GUILD_ALREADY_LINKED,
        ) from None
    audit.record(
        session,
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action="discord.guild_linked",
        subject=f"discord_guild:{link.id}",
        details={"guild_id": guild},
    )
    return link


async def unlink_guild(
    session: AsyncSession, *, actor: Actor, organization_id: int, guild_id: str
) -> None:
    """Unlink the organization's Discord server ``guild_id`` (an organization admin's act,
    written to the audit log). Raises UNAUTHENTICATED, PERMISSION_DENIED, INVALID_GUILD_ID,
    GUILD_NOT_LINKED (not linked to this organization)."""
    await access.require_organization_admin(
        session, actor, organization_id, "unlink the organization's Discord server"
    )
    guild = guild_id_of(guild_id)
    link = await session.scalar(
        select(DiscordGuild).where(
            DiscordGuild.guild_id == guild, DiscordGuild.organization_id == organization_id
        )
    )
    if link is None:
        raise NotFound(
            f"Discord server {guild} is not linked to this organization.",
            code=LeagueCode.GUILD_NOT_LINKED,
        )
    audit.record(
        session,
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action="discord.guild_unlinked",
        subject=f"discord_guild:{link.id}",
        details={"guild_id": guild},
    )
    await session.delete(link)
    await session.flush()


async def linked_guilds(session: AsyncSession, *, organization_id: int) -> list[DiscordGuild]:
    """The organization's linked Discord servers, oldest link first. Raises nothing."""
    rows = await session.scalars(
        select(DiscordGuild)
        .where(DiscordGuild.organization_id == organization_id)
        .order_by(DiscordGuild.id)
    )
    return list(rows.all())


async def member_organizations(session: AsyncSession, *, user_id: int) -> list[Organization]:
    """The organizations the user is a current member of (not left), by name. One
    statement. Raises nothing."""
    rows = await session.scalars(
        select(Organization)
        .join(Member, Member.organization_id == Organization.id)
        .where(Member.user_id == user_id, Member.left_at.is_(None))
        .order_by(Organization.name, Organization.id)
    )
    return list(rows.all())


async def acting_organization(
    session: AsyncSession, *, actor: Actor, guild_id: str | None, chosen: str | None = None
) -> Organization:
    """The organization a Discord command acts for. In a server (``guild_id``): the
    organization that linked it, whatever ``chosen`` says. In a direct message: the one
    ``chosen`` names (its slug), else the caller's only organization.

    Raises NOT_FOUND (``chosen`` names none), GUILD_NOT_LINKED, NO_ORGANIZATION (a member
    of none, naming none), ORGANIZATION_NOT_CHOSEN (a member of several, naming none: the
    sentence lists them).
    """
    if guild_id is not None:
        organization = await session.scalar(
            select(Organization)
            .join(DiscordGuild, DiscordGuild.organization_id == Organization.id)
            .where(DiscordGuild.guild_id == guild_id)
        )
        if organization is None:
            raise NotFound(
                "This Discord server is linked to no organization yet: an organization admin "
                "links it first (`sprocket discord link-guild`).",
                code=LeagueCode.GUILD_NOT_LINKED,
            )
        return organization
    if chosen:
        slug = chosen.strip().lower()
        organization = await session.scalar(select(Organization).where(Organization.slug == slug))
        if organization is None:
            raise NotFound(f"There is no organization '{chosen.strip()[:64]}'.")
        return organization
    mine = []
    if actor.user_id is not None:
        mine = await member_organizations(session, user_id=actor.user_id)
    if not mine:
        raise InvalidInput(
            "You are a member of no organization: use this command in your league's Discord "
            "server, or name an organization with the organization option.",
            code=LeagueCode.NO_ORGANIZATION,
        )
    if len(mine) > 1:
        names = ", ".join(f"{org.name} ({org.slug})" for org in mine)
        raise InvalidInput(
            f"You are a member of several organizations ({names}): say which one with the "
            "organization option.",
            code=LeagueCode.ORGANIZATION_NOT_CHOSEN,
        )
    return mine[0]
