"""The memory cache's shared counters: kept in a file, so processes on one data folder share
them (the embedded data version that lets a command-line write reach a running server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprocket.platform.cache import MemoryCache


async def test_two_caches_on_one_file_share_the_counter(tmp_path: Path) -> None:
    path = tmp_path / "data" / "data-version"  # the folder is made on the first write
    serve = MemoryCache(shared_counters={"version": path})
    cli = MemoryCache(shared_counters={"version": path})
    assert await serve.get("version") is None
    assert await cli.incr("version") == 1
    assert await serve.get("version") == b"1"
    assert await serve.incr("version") == 2
    assert [await cli.get("version"), await serve.get("version")] == [b"2", b"2"]
    # Other keys stay each process's own.
    await serve.set("answer", b"42")
    assert await cli.get("answer") is None
    assert await cli.incr("local") == 1 and await serve.get("local") is None


async def test_a_shared_counter_is_only_read_and_moved(tmp_path: Path) -> None:
    cache = MemoryCache(shared_counters={"version": tmp_path / "v"})
    await cache.incr("version")
    with pytest.raises(ValueError, match="shared counter"):
        await cache.set("version", b"0")
    with pytest.raises(ValueError, match="shared counter"):
        await cache.delete("other", "version")
    assert await cache.get("version") == b"1"
