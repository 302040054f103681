"""One contract for every cache: in-process memory and (when configured) real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis

from sprocket.platform.cache import Cache, MemoryCache, RedisCache, open_cache
from tests.platform.conftest import REDIS_ENV, service_url, unique_name

RECEIVE_WITHIN = 2.0


@dataclass
class CacheCase:
    make: Callable[[], Cache]  # another cache of the same kind with its own prefix
    broken: Callable[[], Cache] | None  # a cache that can't be reached, where that can happen


@pytest.fixture(params=["memory", "redis"])
async def cache_case(request: pytest.FixtureRequest) -> AsyncIterator[CacheCase]:
    opened: list[Cache] = []

    def track(cache: Cache) -> Cache:
        opened.append(cache)
        return cache

    if request.param == "memory":
        try:
            yield CacheCase(make=lambda: track(MemoryCache()), broken=None)
        finally:
            for cache in opened:
                await cache.close()
        return

    url = service_url(REDIS_ENV, "Redis")
    prefixes: list[str] = []

    def make_redis() -> Cache:
        prefixes.append(f"{unique_name('cache')}:")
        return track(RedisCache(url, prefix=prefixes[-1]))

    try:
        yield CacheCase(
            make=make_redis,
            broken=lambda: track(RedisCache("redis://127.0.0.1:1/0", prefix="unused:")),
        )
    finally:
        for cache in opened:
            await cache.close()
        cleaner = aioredis.Redis.from_url(url)
        try:
            for prefix in prefixes:
                leftovers = [key async for key in cleaner.scan_iter(match=f"{prefix}*")]
                if leftovers:
                    await cleaner.delete(*leftovers)
        finally:
            await cleaner.aclose()


@pytest.fixture
def cache(cache_case: CacheCase) -> Cache:
    return cache_case.make()


async def test_get_set_round_trip(cache: Cache) -> None:
    assert await cache.get("missing") is None
    await cache.set("standings:season-1", b"\x00binary\xff")
    assert await cache.get("standings:season-1") == b"\x00binary\xff"
    await cache.set("standings:season-1", b"newer")
    assert await cache.get("standings:season-1") == b"newer"


async def test_values_expire_after_their_ttl(cache: Cache) -> None:
    await cache.set("short", b"x", ttl=0.1)
    await cache.set("long", b"y", ttl=60)
    assert await cache.get("short") == b"x"
    await asyncio.sleep(0.25)
    assert await cache.get("short") is None
    assert await cache.get("long") == b"y"
    with pytest.raises(ValueError):
        await cache.set("bad", b"z", ttl=0)


async def test_delete_removes_keys_and_ignores_missing_ones(cache: Cache) -> None:
    await cache.set("a", b"1")
    await cache.set("b", b"2")
    await cache.set("c", b"3")
    await cache.delete("a", "b", "never-set")
    await cache.delete()
    assert await cache.get("a") is None
    assert await cache.get("b") is None
    assert await cache.get("c") == b"3"


async def test_incr_counts_from_zero(cache: Cache) -> None:
    assert [await cache.incr("hits") for _ in range(3)] == [1, 2, 3]
    assert await cache.get("hits") == b"3"
    assert await cache.incr("other") == 1
    await cache.set("text", b"not a number")
    with pytest.raises(ValueError):
        await cache.incr("text")


async def test_incr_is_atomic_under_concurrency(cache: Cache) -> None:
    results = await asyncio.gather(*(cache.incr("race") for _ in range(50)))
    assert sorted(results) == list(range(1, 51))


async def test_incr_adds_an_amount_to_a_window_counter_that_expires(cache: Cache) -> None:
    assert await cache.incr("window", 5, ttl=0.2) == 5
    assert await cache.incr("window", 2, ttl=0.2) == 7
    assert await cache.incr("forever", 3) == 3
    deadline = asyncio.get_running_loop().time() + 30
    while await cache.get("window") is not None:  # expires 0.2 s after its creation
        assert asyncio.get_running_loop().time() < deadline, "the window counter never expired"
        await asyncio.sleep(0.05)
    assert await cache.incr("window", 1, ttl=60) == 1  # a new window starts from zero
    assert await cache.get("forever") == b"3"
    with pytest.raises(ValueError):
        await cache.incr("window", 1, ttl=0)


async def test_caches_with_different_prefixes_do_not_share_keys(cache_case: CacheCase) -> None:
    first, second = cache_case.make(), cache_case.make()
    await first.set("shared-name", b"first")
    assert await second.get("shared-name") is None
    assert await second.incr("shared-name") == 1
    assert await first.get("shared-name") == b"first"


async def test_publish_reaches_every_subscriber(cache: Cache) -> None:
    async with cache.subscribe("scrims") as one, cache.subscribe("scrims") as two:
        await cache.publish("scrims", b"popped")
        await cache.publish("scrims", "as text")
        await cache.publish("other-channel", b"not for us")
        for messages in (one, two):
            received = [await asyncio.wait_for(anext(messages), RECEIVE_WITHIN) for _ in range(2)]
            assert received == [b"popped", b"as text"]


async def test_leaving_the_subscription_unsubscribes(cache: Cache) -> None:
    assert await cache.subscriber_count("queue") == 0
    async with cache.subscribe("queue"), cache.subscribe("queue"):
        assert await cache.subscriber_count("queue") == 2
    assert await cache.subscriber_count("queue") == 0
    await cache.publish("queue", b"nobody listens")  # not an error


async def test_prefixes_separate_channels(cache_case: CacheCase) -> None:
    first, second = cache_case.make(), cache_case.make()
    async with first.subscribe("news") as messages:
        await second.publish("news", b"other tenant")
        await first.publish("news", b"ours")
        assert await asyncio.wait_for(anext(messages), RECEIVE_WITHIN) == b"ours"


async def test_ping(cache_case: CacheCase) -> None:
    await cache_case.make().ping()
    if cache_case.broken is not None:
        with pytest.raises(Exception):  # noqa: B017 - any connection error will do
            await cache_case.broken().ping()


async def test_memory_cache_evicts_oldest_entries_first() -> None:
    cache = MemoryCache(max_entries=3)
    for key in "abcd":
        await cache.set(key, key.encode())
    assert await cache.get("a") is None
    assert [await cache.get(k) for k in "bcd"] == [b"b", b"c", b"d"]


async def test_memory_cache_keeps_counters_when_it_evicts() -> None:
    """The data version is a counter: were it evicted, versions would start again and old
    cached answers (and remembered tokens) would be served as current."""
    cache = MemoryCache(max_entries=3)
    assert await cache.incr("version") == 1
    for key in "abcd":
        await cache.set(key, key.encode())
    assert await cache.get("version") == b"1" and await cache.get("b") is None
    assert await cache.incr("version") == 2
    await cache.set("version", b"plain")  # no longer a counter: evicted like any entry
    for key in "efg":
        await cache.set(key, key.encode())
    assert await cache.get("version") is None


async def test_memory_cache_evicts_window_counters_like_values() -> None:
    """Rate-limit windows carry a ttl: many clients' counters must not pile up for ever."""
    cache = MemoryCache(max_entries=3)
    assert await cache.incr("rate:client-1:7", ttl=60) == 1
    for key in "abc":
        await cache.set(key, key.encode())
    assert await cache.get("rate:client-1:7") is None


async def test_open_cache_chooses_by_url() -> None:
    assert isinstance(open_cache("memory://"), MemoryCache)
    redis_cache = open_cache("redis://user:s3cret@cache.internal:6380/2", prefix="x:")
    try:
        assert isinstance(redis_cache, RedisCache)
        assert redis_cache.prefix == "x:"
        assert redis_cache.describe() == "redis://cache.internal:6380/2"
    finally:
        await redis_cache.close()
    with pytest.raises(ValueError, match="memcached"):
        open_cache("memcached://localhost")
