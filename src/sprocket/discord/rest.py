"""Calls to Discord's REST API, through hikari's REST client pointed at the setting
``discord_api_url`` (tests point it at a fake): interaction follow-ups through the
interaction's webhook (with files, as a multipart body), and the registration of the slash
commands."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import hikari
from hikari.impl import RESTClientImpl

from sprocket.discord.registry import Command, Option
from sprocket.discord.replies import Reply
from sprocket.platform.discord_rest import rest_client


def _option(option: Option) -> hikari.CommandOption:
    return hikari.CommandOption(
        type=option.kind,
        name=option.name,
        description=option.description,
        is_required=option.required,
        autocomplete=option.complete is not None,
        choices=[hikari.CommandChoice(name=n, value=v) for n, v in option.choices] or None,
        min_value=option.min_value,
        max_value=option.max_value,
        max_length=option.max_length,
    )


def _options(command: Command) -> list[hikari.CommandOption]:
    if not command.subcommands:
        return [_option(option) for option in command.all_options()]
    return [
        hikari.CommandOption(
            type=hikari.OptionType.SUB_COMMAND,
            name=sub.name,
            description=sub.description,
            options=_options(sub),
        )
        for sub in command.subcommands
    ]


def _embed(body: dict[str, Any]) -> hikari.Embed:
    embed = hikari.Embed(
        title=body.get("title"),
        description=body.get("description"),
        url=body.get("url"),
        color=body.get("color"),
    )
    for item in body.get("fields", ()):
        embed.add_field(item["name"], item["value"], inline=item["inline"])
    if "footer" in body:
        embed.set_footer(body["footer"]["text"])
    return embed


class DiscordRest:
    """hikari's REST client at ``api_url`` (the setting ``discord_api_url``), with the
    bot's token for what needs it (registering commands; follow-ups need none)."""

    def __init__(self, *, api_url: str, bot_token: str | None = None) -> None:
        self.api_url = api_url
        self.bot_token = bot_token

    @asynccontextmanager
    async def client(self) -> AsyncIterator[RESTClientImpl]:
        """A started REST client, closed on leaving."""
        async with rest_client(api_url=self.api_url, bot_token=self.bot_token) as client:
            yield client

    async def follow_up(self, *, application_id: str, token: str, reply: Reply) -> None:
        """Send ``reply`` as the follow-up of the interaction with ``token`` (through
        ``/webhooks/{application_id}/{token}``; valid 15 minutes after the interaction); its
        attachments go as the files of a multipart body (``payload_json`` and
        ``files[n]``, as hikari sends them). Raises hikari's errors when Discord refuses."""
        data = reply.data()
        async with self.client() as client:
            rows = []
            for row in data.get("components", ()):
                builder = client.build_message_action_row()
                for button in row["components"]:
                    builder.add_interactive_button(
                        button["style"], button["custom_id"], label=button["label"]
                    )
                rows.append(builder)
            await client.execute_webhook(
                int(application_id),
                token,
                data.get("content", hikari.UNDEFINED),
                embeds=[_embed(e) for e in data.get("embeds", ())] or hikari.UNDEFINED,
                components=rows or hikari.UNDEFINED,
                flags=data.get("flags", hikari.UNDEFINED),
                attachments=[
                    hikari.Bytes(file.data, file.filename, mimetype=file.mimetype)
                    for file in reply.attachments
                ]
                or hikari.UNDEFINED,
                mentions_everyone=False,
                user_mentions=False,
                role_mentions=False,
            )

    async def register(self, *, application_id: str, commands: Sequence[Command]) -> list[str]:
        """Make ``commands`` the application's global slash commands (Discord's bulk
        overwrite: commands not named are removed). Returns the registered names.
        Raises hikari's errors when Discord refuses (a wrong token: UnauthorizedError)."""
        async with self.client() as client:
            builders = []
            for command in commands:
                builder = client.slash_command_builder(command.name, command.description)
                for option in _options(command):
                    builder.add_option(option)
                builders.append(builder)
            done = await client.set_application_commands(int(application_id), builders)
        return [command.name for command in done]
