"""Sending a :class:`~sprocket.notifications.message.Message` to Discord, through hikari's
REST client pointed at the setting ``discord_api_url`` (tests point it at a fake): the
:class:`~sprocket.notifications.sending.Sender` of the notification job, which finds it among
the runtime's resources (:func:`sprocket.jobs.build_runtime` registers :func:`open_sender`).

One client per process, so every delivery shares hikari's rate-limit
state: hikari reads Discord's ``X-RateLimit-*`` headers into per-route buckets and waits
before a request a bucket would refuse, and on a 429 it waits out the answer's
``retry_after`` (the global limit too) and sends again, unless the wait is longer than
``max_rate_limit``. hikari's own retries of 5xx answers and lost connections are turned off
(``max_retries=0``): a delivery that fails so is retried later by its row's back-off
(:mod:`sprocket.notifications.attempts`), which survives a restart.

DMs and channel messages carry Discord's ``nonce``, which hikari sends with
``enforce_nonce``: Discord answers a second message with the same nonce (within a few
minutes) with the first one instead of posting again. Webhooks take no nonce, so a webhook
message is sent at least once (twice if the process dies between Discord's answer and the
record of it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import hikari
from hikari.impl import RESTClientImpl

from sprocket.config import Settings
from sprocket.discord.rest import versioned_url
from sprocket.notifications.message import (
    ButtonStyle,
    ChannelTarget,
    DmTarget,
    Message,
    Target,
    attached_name,
)
from sprocket.notifications.sending import SendFailure

#: Longest rate-limit wait hikari sits out inside one attempt, in seconds; a longer one ends
#: the attempt, which is retried once the wait is over.
MAX_RATE_LIMIT = 30.0
#: Discord's JSON error code for "Cannot send messages to this user" (DMs closed, or no
#: server in common).
CANNOT_MESSAGE_USER = 50007

_STYLES = {
    ButtonStyle.PRIMARY: hikari.ButtonStyle.PRIMARY,
    ButtonStyle.SECONDARY: hikari.ButtonStyle.SECONDARY,
    ButtonStyle.SUCCESS: hikari.ButtonStyle.SUCCESS,
    ButtonStyle.DANGER: hikari.ButtonStyle.DANGER,
}


@dataclass
class DiscordSender:
    """Sends messages through a started hikari REST client (the bot's): a
    :class:`~sprocket.notifications.sending.Sender`."""

    client: RESTClientImpl

    async def send(
        self, target: Target, message: Message, *, nonce: str, files: Mapping[str, bytes]
    ) -> str:
        """Send ``message`` to ``target`` and return Discord's id of the message made.

        ``nonce``: the delivery's (at most 25 characters), sent with DMs and channel messages;
        ``files``: each attachment's bytes by its name. Raises :class:`SendFailure`.
        """
        try:
            return await self._send(target, message, nonce=nonce, files=files)
        except hikari.RateLimitTooLongError as exc:
            raise SendFailure(str(exc), retry=True, retry_after=exc.retry_after) from exc
        except hikari.HTTPResponseError as exc:
            dms_closed = isinstance(target, DmTarget) and exc.code == CANNOT_MESSAGE_USER
            retry = exc.status >= 500 or exc.status == 429
            reason = f"{int(exc.status)} {exc.message or exc.status} (code {exc.code})"
            raise SendFailure(reason, retry=retry, dms_closed=dms_closed) from exc
        except (hikari.HTTPError, TimeoutError, OSError) as exc:  # no answer
            raise SendFailure(f"no answer: {exc or type(exc).__name__}", retry=True) from exc

    async def _send(
        self, target: Target, message: Message, *, nonce: str, files: Mapping[str, bytes]
    ) -> str:
        resources = {name: hikari.Bytes(data, name) for name, data in files.items()}
        embeds = [self._embed(embed, resources) for embed in message.embeds]
        shown = {
            attached_name(link)
            for embed in message.embeds
            for link in (embed.get("image", {}).get("url"), embed.get("thumbnail", {}).get("url"))
            if link
        }
        options: dict[str, Any] = {
            "embeds": embeds or hikari.UNDEFINED,
            "components": self._rows(message) or hikari.UNDEFINED,
            "attachments": [r for n, r in resources.items() if n not in shown] or hikari.UNDEFINED,
            "flags": message.flags or hikari.UNDEFINED,
            "mentions_everyone": False,
            "user_mentions": [int(i) for i in message.mention_user_ids] or False,
            "role_mentions": [int(i) for i in message.mention_role_ids] or False,
        }
        content = message.content or hikari.UNDEFINED
        if isinstance(target, DmTarget):
            channel = await self.client.create_dm_channel(int(target.user_id))
            made = await self.client.create_message(channel.id, content, nonce=nonce, **options)
        elif isinstance(target, ChannelTarget):
            made = await self.client.create_message(
                int(target.channel_id), content, nonce=nonce, **options
            )
        else:
            webhook_id, token = target.webhook
            made = await self.client.execute_webhook(webhook_id, token, content, **options)
        return str(made.id)

    def _rows(self, message: Message) -> list[Any]:
        rows = []
        for buttons in message.button_rows():
            row = self.client.build_message_action_row()
            for button in buttons:
                if button.url is not None:
                    row.add_link_button(button.url, label=button.label)
                else:
                    assert button.custom_id is not None
                    row.add_interactive_button(
                        _STYLES[button.style], button.custom_id, label=button.label
                    )
            rows.append(row)
        return rows

    @staticmethod
    def _embed(body: dict[str, Any], files: Mapping[str, hikari.Bytes]) -> hikari.Embed:
        """hikari's embed of ``body`` (checked by :class:`Message`); an image shown from a
        file of the message is that file's resource, so hikari uploads it with the message."""

        def picture(link: str) -> hikari.Resourceish:
            name = attached_name(link)
            return files[name] if name is not None else hikari.URL(link)

        timestamp = body.get("timestamp")
        embed = hikari.Embed(
            title=body.get("title"),
            description=body.get("description"),
            url=body.get("url"),
            color=body.get("color"),
            timestamp=None if timestamp is None else dt.datetime.fromisoformat(timestamp),
        )
        for item in body.get("fields", ()):
            embed.add_field(item["name"], item["value"], inline=item.get("inline", False))
        if "footer" in body:
            embed.set_footer(body["footer"]["text"])
        if "author" in body:
            embed.set_author(name=body["author"]["name"], url=body["author"].get("url"))
        if "image" in body:
            embed.set_image(picture(body["image"]["url"]))
        if "thumbnail" in body:
            embed.set_thumbnail(picture(body["thumbnail"]["url"]))
        return embed


@asynccontextmanager
async def open_sender(settings: Settings) -> AsyncIterator[DiscordSender]:
    """A sender with the bot's token (the setting ``discord_bot_token``, which must be set)
    at ``discord_api_url``, its client started; closed on leaving."""
    assert settings.discord_bot_token is not None, "Discord is off: nothing to send with"
    app = hikari.RESTApp(
        url=versioned_url(settings.discord_api_url),
        max_rate_limit=MAX_RATE_LIMIT,
        max_retries=0,
    )
    await app.start()
    try:
        client = app.acquire(settings.discord_bot_token, hikari.TokenType.BOT)
        async with client:
            yield DiscordSender(client)
    finally:
        await app.close()
