"""Discord's REST API through hikari's REST client (the adapter of DESIGN.md property 3),
pointed at the setting ``discord_api_url`` (tests point it at a fake): the started client
the Discord door uses, and a server's members as plain data for role and nickname sync.

hikari waits out Discord's rate limits itself (``Retry-After``, per-route buckets); a refusal
comes back as :class:`DiscordRefused` with Discord's HTTP status and JSON error code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import hikari
from hikari.impl import RESTClientImpl

#: The version of Discord's API Sprocket speaks.
API_VERSION = 10

#: Discord's JSON error codes (Discord's developer documentation, "JSON Error Codes").
UNKNOWN_MEMBER = 10007
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013


def versioned_url(base: str) -> str:
    """The versioned REST root under ``base`` (the setting, ``https://discord.com/api``)."""
    return f"{base.rstrip('/')}/v{API_VERSION}"


@asynccontextmanager
async def rest_client(
    *, api_url: str, bot_token: str | None, **options: Any
) -> AsyncIterator[RESTClientImpl]:
    """A started hikari REST client at ``api_url`` (unversioned), authorised as the bot
    when ``bot_token`` is given (interaction follow-ups need no token); closed on leaving.
    ``options`` go to :class:`hikari.RESTApp` (``max_retries``, ``max_rate_limit``)."""
    app = hikari.RESTApp(url=versioned_url(api_url), **options)
    await app.start()
    try:
        client = app.acquire(bot_token, "Bot") if bot_token else app.acquire(None)
        async with client:
            yield client
    finally:
        await app.close()


class DiscordRefused(Exception):
    """Discord answered a call with an error: its HTTP ``status`` (0 when the call never got
    an answer), its JSON error ``code`` (0 when it gave none) and its message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {message} ({code})" if code else f"{status} {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def member_gone(self) -> bool:
        """The user is not (or no longer) a member of the server: 404 Unknown Member."""
        return self.status == 404 and self.code in (UNKNOWN_MEMBER, 0)

    @property
    def forbidden(self) -> bool:
        """The bot may not do it (403: Missing Permissions, e.g. a role above the bot's own,
        or the server's owner; Missing Access, e.g. listing members without the intent)."""
        return self.status == 403


@asynccontextmanager
async def _refusals() -> AsyncIterator[None]:
    try:
        yield
    except hikari.HTTPResponseError as error:
        raise DiscordRefused(int(error.status), error.code, error.message) from error
    except hikari.HTTPError as error:
        raise DiscordRefused(0, 0, error.message) from error


@dataclass(frozen=True)
class GuildMember:
    """A member of a Discord server as role sync sees them: their user id, the name Discord
    shows without a nickname (global name, else user name), their nickname in the server
    (None: none), their roles' ids (without the server's @everyone) and whether they are a bot."""

    user_id: str
    name: str
    nickname: str | None
    role_ids: frozenset[str]
    is_bot: bool


def _member(member: hikari.Member) -> GuildMember:
    everyone = str(member.guild_id)
    return GuildMember(
        user_id=str(member.user.id),
        name=member.user.global_name or member.user.username,
        nickname=member.nickname,
        role_ids=frozenset(str(r) for r in member.role_ids if str(r) != everyone),
        is_bot=member.user.is_bot,
    )


class GuildMembers:
    """The calls on a server's members role sync makes, on a started client (see
    :func:`guild_members`). Each raises :class:`DiscordRefused` when Discord refuses."""

    def __init__(self, client: RESTClientImpl) -> None:
        self.client = client

    async def members(self, guild_id: str) -> AsyncIterator[GuildMember]:
        """Every member of the server, by user id, fetched a page at a time (Discord's
        ``GET /guilds/{id}/members`` with ``after``). Needs the application's privileged
        Server Members intent: without it Discord refuses (403 Missing Access)."""
        async with _refusals():
            async for member in self.client.fetch_members(int(guild_id)):
                yield _member(member)

    async def member(self, guild_id: str, user_id: str) -> GuildMember:
        """One member of the server (404 Unknown Member when they are not in it)."""
        async with _refusals():
            return _member(await self.client.fetch_member(int(guild_id), int(user_id)))

    async def add_role(self, guild_id: str, user_id: str, role_id: str, *, reason: str) -> None:
        """Give the member the role (``reason`` goes to the server's audit log)."""
        async with _refusals():
            await self.client.add_role_to_member(
                int(guild_id), int(user_id), int(role_id), reason=reason
            )

    async def remove_role(self, guild_id: str, user_id: str, role_id: str, *, reason: str) -> None:
        """Take the role from the member (``reason`` goes to the server's audit log)."""
        async with _refusals():
            await self.client.remove_role_from_member(
                int(guild_id), int(user_id), int(role_id), reason=reason
            )

    async def set_nickname(
        self, guild_id: str, user_id: str, nickname: str | None, *, reason: str
    ) -> None:
        """Set the member's nickname in the server (None: remove it)."""
        async with _refusals():
            await self.client.edit_member(
                int(guild_id), int(user_id), nickname=nickname, reason=reason
            )


@asynccontextmanager
async def guild_members(*, api_url: str, bot_token: str) -> AsyncIterator[GuildMembers]:
    """:class:`GuildMembers` on a client authorised as the bot, closed on leaving."""
    async with rest_client(api_url=api_url, bot_token=bot_token) as client:
        yield GuildMembers(client)
