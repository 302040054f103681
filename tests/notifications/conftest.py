"""Fixtures of the notification tests: the fake Discord REST API, and a platform whose
Discord (bot token, API address) is that fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from sprocket.config import Settings
from sprocket.jobs import build_runtime
from sprocket.runtime import Runtime
from tests.discord.fake_api import BOT_TOKEN, FakeDiscordApi, running_fake_discord_api


@pytest.fixture
def fake_api() -> Iterator[FakeDiscordApi]:
    with running_fake_discord_api() as fake:
        yield fake


@pytest.fixture
def discord_settings(settings: Settings, fake_api: FakeDiscordApi) -> Settings:
    """The tests' settings with Discord on, at the fake."""
    return settings.model_copy(
        update={"discord_bot_token": BOT_TOKEN, "discord_api_url": fake_api.url}
    )


@pytest.fixture
async def discord(discord_settings: Settings) -> AsyncIterator[Runtime]:
    """A started platform (no relay running: tests relay themselves) with Discord on."""
    running = build_runtime(discord_settings)
    await running.start(relay=False)
    try:
        yield running
    finally:
        await running.stop()
