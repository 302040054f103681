"""What the tests of ``/submit`` share: the platform's settings for downloads from the fake's
CDN, the outbox relayed in the background (so the replays' check runs as in production),
and a ``/submit`` interaction carrying attachments as Discord sends them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from sqlalchemy import func, select

from sprocket.config import Settings
from sprocket.replays.models import StoredReplay, Submission
from sprocket.runtime import Runtime
from tests.discord.conftest import GUILD_ID, DiscordDoor
from tests.discord.fake_api import FakeDiscordApi

#: The replay size cap of these tests: the real league game (1,214,814 bytes) fits, the
#: real tournament game P3_Soccar_Strike (1,633,617 bytes) does not.
MAX_BYTES = 1_400_000
#: The web's address the answers link to.
SITE = "http://sprocket.test"


def download_settings(settings: Settings, fake_api: FakeDiscordApi) -> Settings:
    """``settings`` with attachments allowed from the fake's CDN only, the tests' replay
    size cap and the web's address."""
    return settings.model_copy(
        update={
            "discord_attachment_origins": fake_api.cdn,
            "replay_max_bytes": MAX_BYTES,
            "public_url": SITE,
        }
    )


@pytest.fixture
async def relaying(platform: Runtime) -> AsyncIterator[None]:
    """The outbox relayed to the in-process broker in the background, as ``serve`` does:
    the replays' check and its status events run while a test waits for ``/submit``."""
    stop = asyncio.Event()
    task = asyncio.create_task(platform.relay.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


def submit_payload(
    door: DiscordDoor,
    files: Sequence[dict[str, Any]],
    user: dict[str, Any],
    *,
    match: int | None = None,
    guild_id: str | None = GUILD_ID,
) -> dict[str, Any]:
    """``/submit`` as ``user`` with ``files`` (Discord's attachment objects, replay 1
    first) as ATTACHMENT options and in ``resolved.attachments``, for ``match``."""
    options: list[dict[str, Any]] = [
        {"name": f"replay{n}", "type": 11, "value": attached["id"]}
        for n, attached in enumerate(files, start=1)
    ]
    if match is not None:
        options.append({"name": "match", "type": 4, "value": match})
    data = {
        "id": "1",
        "name": "submit",
        "type": 1,
        "options": options,
        "resolved": {"attachments": {attached["id"]: attached for attached in files}},
    }
    return door.interaction(2, data, user, guild_id)


async def stored_state(platform: Runtime) -> tuple[int, int]:
    """(submissions, stored replay files): what a refused upload leaves unchanged."""
    async with platform.reading() as session:
        submissions = await session.scalar(select(func.count()).select_from(Submission))
        stored = await session.scalar(select(func.count()).select_from(StoredReplay))
    return int(submissions or 0), int(stored or 0)


def downloads(fake: FakeDiscordApi) -> list[str]:
    """The paths the fake's CDN was asked for."""
    return [c.path for c in fake.calls if c.method == "GET" and c.path.startswith("/attachments/")]
