"""Fixtures of the Discord door's tests: the app with Discord configured, a signing key made
here, the fake Discord REST API, and a client that signs interactions as Discord does."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.discord.dispatch import Dispatcher
from sprocket.runtime import Runtime
from tests.discord.fake_api import (
    APPLICATION_ID,
    BOT_TOKEN,
    FakeDiscordApi,
    running_fake_discord_api,
)

GUILD_ID = "600000000000000001"
_ids = itertools.count(500000000000000001)

DEFERRED = 5
MESSAGE = 4
EPHEMERAL = 64


def person(discord_id: str, name: str = "Someone") -> dict[str, Any]:
    """Discord's user object of the person ``discord_id``."""
    return {"id": discord_id, "username": name.lower(), "global_name": name, "discriminator": "0"}


def options_of(values: dict[str, Any], path: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Discord's nested options: the subcommands of ``path`` around the ``values``."""
    kinds = {bool: 5, int: 4, float: 10}
    leaf = [
        {"name": name, "type": kinds.get(type(value), 3), "value": value}
        for name, value in values.items()
    ]
    for name in reversed(path):
        leaf = [{"name": name, "type": 1, "options": leaf}]
    return leaf


@dataclass
class DiscordDoor:
    """The app's interactions endpoint, as Discord calls it."""

    http: httpx.AsyncClient
    app: FastAPI
    key: Ed25519PrivateKey
    fake: FakeDiscordApi

    @property
    def dispatcher(self) -> Dispatcher:
        return self.app.state.discord

    async def post(
        self,
        payload: Any,
        *,
        timestamp: str | None = None,
        signature: str | None = None,
        key: Ed25519PrivateKey | None = None,
        raw: bytes | None = None,
    ) -> httpx.Response:
        """Post ``payload`` signed with ``key`` (default: the application's) at
        ``timestamp`` (default: now), unless ``signature`` is given."""
        body = raw if raw is not None else json.dumps(payload).encode()
        stamp = timestamp if timestamp is not None else str(int(time.time()))
        if signature is None:
            signature = (key or self.key).sign(stamp.encode() + body).hex()
        headers = {
            "content-type": "application/json",
            "x-signature-ed25519": signature,
            "x-signature-timestamp": stamp,
        }
        return await self.http.post("/discord/interactions", content=body, headers=headers)

    def interaction(
        self, kind: int, data: dict[str, Any], user: dict[str, Any], guild_id: str | None
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(next(_ids)),
            "application_id": APPLICATION_ID,
            "type": kind,
            "token": f"token-{next(_ids)}",
            "version": 1,
            "data": data,
            "channel_id": "400000000000000001",
        }
        if guild_id is None:
            payload["user"] = user
        else:
            payload["guild_id"] = guild_id
            payload["member"] = {"user": user, "roles": []}
        return payload

    async def answer(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Post ``payload`` and return the message it is answered with: at once, or (when
        deferred) the follow-up that reached the fake, with the deferral as ``deferred`` and
        the follow-up's files (name and bytes) as its ``files``."""
        response = await self.post(payload)
        assert response.status_code == 200, response.text
        body = response.json()
        if body["type"] != DEFERRED:
            return body
        await self.dispatcher.drain()
        [follow_up] = [
            c
            for c in self.fake.to("POST", "/webhooks/")
            if f"/{payload['token']}/" in c.path + "/"  # token-1 is in token-12's path
        ]
        data = {**follow_up.body, "files": follow_up.files} if follow_up.files else follow_up.body
        return {"type": MESSAGE, "data": data, "deferred": body}

    async def command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: dict[str, Any],
        path: tuple[str, ...] = (),
        guild_id: str | None = GUILD_ID,
    ) -> dict[str, Any]:
        """Run ``/name path... options`` as ``user``; the message answered."""
        data = {"id": "1", "name": name, "type": 1, "options": options_of(options or {}, path)}
        return await self.answer(self.interaction(2, data, user, guild_id))

    async def press(
        self, custom_id: str, *, user: dict[str, Any], guild_id: str | None = GUILD_ID
    ) -> dict[str, Any]:
        """Press the button ``custom_id`` as ``user``; the answer."""
        data = {"custom_id": custom_id, "component_type": 2}
        return await self.answer(self.interaction(3, data, user, guild_id))

    async def submit(
        self,
        custom_id: str,
        fields: dict[str, str],
        *,
        user: dict[str, Any],
        guild_id: str | None = GUILD_ID,
    ) -> dict[str, Any]:
        """Submit the modal ``custom_id`` with ``fields`` as ``user``; the answer."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in fields.items()
        ]
        data = {"custom_id": custom_id, "components": rows}
        return await self.answer(self.interaction(5, data, user, guild_id))

    async def complete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: dict[str, Any],
        path: tuple[str, ...] = (),
        guild_id: str | None = GUILD_ID,
    ) -> list[dict[str, Any]]:
        """The suggestions for option ``focused`` of ``/name path...``."""
        given = options_of(options, path)
        leaf = given
        while leaf and leaf[0]["type"] == 1:
            leaf = leaf[0]["options"]
        for option in leaf:
            option["focused"] = option["name"] == focused
        data = {"id": "1", "name": name, "type": 1, "options": given}
        response = await self.post(self.interaction(4, data, user, guild_id))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["type"] == 8, body
        return body["data"]["choices"]


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def fake_api() -> Iterator[FakeDiscordApi]:
    with running_fake_discord_api() as fake:
        yield fake


def discord_settings(
    settings: Settings, key: Ed25519PrivateKey, fake: FakeDiscordApi, **changes: Any
) -> Settings:
    """``settings`` with the Discord application of the tests."""
    return settings.model_copy(
        update={
            "discord_public_key": key.public_key().public_bytes_raw().hex(),
            "discord_application_id": APPLICATION_ID,
            "discord_bot_token": BOT_TOKEN,
            "discord_api_url": fake.url,
            **changes,
        }
    )


@pytest.fixture
async def door(
    platform: Runtime, settings: Settings, signing_key: Ed25519PrivateKey, fake_api: FakeDiscordApi
) -> AsyncIterator[DiscordDoor]:
    app = create_app(discord_settings(settings, signing_key, fake_api), runtime=platform)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sprocket.test") as http:
        door = DiscordDoor(http, app, signing_key, fake_api)
        yield door
        await door.dispatcher.drain()
