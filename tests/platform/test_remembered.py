"""Answers remembered under the data version (``Runtime.remembered``): made once while the
data stays as it was, made again after a committed write, shared by concurrent callers,
never kept when making them failed.

The concurrent cases run on the memory cache, which answers without suspending: one turn of
the event loop (``asyncio.sleep(0)``) brings each new caller to the make it shares. That is
the order asyncio runs ready tasks in, not a wait for time to pass."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from sprocket.config import Settings
from sprocket.errors import NotFound
from sprocket.identity import service as identity
from sprocket.jobs import build_runtime
from sprocket.runtime import Runtime


@pytest.fixture
async def local(settings: Settings) -> AsyncIterator[Runtime]:
    """A platform on the memory cache (see the module's docstring)."""
    running = build_runtime(settings.model_copy(update={"cache_url": "memory://"}))
    await running.start(relay=False)
    try:
        yield running
    finally:
        await running.stop()


class Maker:
    """Makes ``answer-<n>`` for its ``n``-th call, after ``gate`` opens (when given)."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.calls = 0
        self.gate = gate
        self.started = asyncio.Event()

    async def __call__(self) -> bytes:
        self.calls += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return f"answer-{self.calls}".encode()


async def ada(platform: Runtime, name: str) -> None:
    """Ada's user, as a Discord interaction ensures it (written only when new or renamed)."""
    async with platform.unit_of_work() as session:
        await identity.ensure_user(session, discord_id="300000000000000001", display_name=name)


async def test_made_once_per_data_version(platform: Runtime) -> None:
    await ada(platform, "Ada")
    make = Maker()
    assert await platform.remembered("standings:1", make) == b"answer-1"
    assert await platform.remembered("standings:1", make) == b"answer-1"
    assert make.calls == 1
    assert await platform.remembered("standings:2", make) == b"answer-2"  # another name

    await ada(platform, "Ada")  # a transaction that changes nothing
    assert await platform.remembered("standings:1", make) == b"answer-1"
    await ada(platform, "Ada L.")  # a committed write: a new version
    assert await platform.remembered("standings:1", make) == b"answer-3"
    assert make.calls == 3


async def test_concurrent_callers_share_one_make(local: Runtime) -> None:
    platform = local
    make = Maker(asyncio.Event())
    first = asyncio.create_task(platform.remembered("standings:1", make))
    await make.started.wait()
    others = [asyncio.create_task(platform.remembered("standings:1", make)) for _ in range(3)]
    await asyncio.sleep(0)  # the others reach the shared make
    make.gate.set()
    assert await asyncio.gather(first, *others) == [b"answer-1"] * 4
    assert make.calls == 1


async def test_an_error_reaches_every_caller_and_nothing_is_kept(local: Runtime) -> None:
    platform = local
    gate, started = asyncio.Event(), asyncio.Event()
    calls = 0

    async def refuse() -> bytes:
        nonlocal calls
        calls += 1
        started.set()
        await gate.wait()
        raise NotFound("This organization has no league 'Nope'.")

    first = asyncio.create_task(platform.remembered("standings:nope", refuse))
    await started.wait()
    second = asyncio.create_task(platform.remembered("standings:nope", refuse))
    await asyncio.sleep(0)  # the second reaches the shared make
    gate.set()
    for task in (first, second):
        with pytest.raises(NotFound, match="no league 'Nope'"):
            await task
    assert calls == 1
    assert await platform.remembered("standings:nope", Maker()) == b"answer-1"


async def test_a_caller_waiting_on_a_cancelled_make_makes_its_own(local: Runtime) -> None:
    platform = local
    stuck = Maker(asyncio.Event())  # never opened
    first = asyncio.create_task(platform.remembered("standings:1", stuck))
    await stuck.started.wait()
    fresh = Maker()

    async def second() -> bytes:
        return await platform.remembered("standings:1", fresh)

    waiting = asyncio.create_task(second())
    await asyncio.sleep(0)
    first.cancel()
    assert await waiting == b"answer-1"
    assert (stuck.calls, fresh.calls) == (1, 1)
    with pytest.raises(asyncio.CancelledError):
        await first
