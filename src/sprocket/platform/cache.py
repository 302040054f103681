"""Cache and pub/sub chosen by URL: ``memory://`` (in-process) or ``redis://`` / ``rediss://``.

Values and messages are bytes. A subscription is live as soon as its context is entered, so a
message published right after ``async with cache.subscribe(channel)`` is received.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

__all__ = ["Cache", "MemoryCache", "RedisCache", "open_cache", "redact_url"]

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "sprocket:"


class Cache(Protocol):
    """Short-lived bytes under string keys, counters, and pub/sub channels."""

    async def get(self, key: str) -> bytes | None:
        """The value, or None when missing or expired."""
        ...

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        """Store ``value``; it expires after ``ttl`` seconds when given."""
        ...

    async def delete(self, *keys: str) -> None:
        """Remove keys; missing keys are ignored."""
        ...

    async def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        """Atomically add ``amount`` to a counter that starts at 0; return the new value.

        ``ttl``: seconds the counter lives from its creation (a window's counter, which may
        also be evicted like any value); without it, the counter lives until deleted.
        """
        ...

    async def publish(self, channel: str, message: bytes | str) -> None:
        """Send ``message`` to every current subscriber of ``channel``."""
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """A context yielding the channel's messages; leaving it unsubscribes."""
        ...

    async def subscriber_count(self, channel: str) -> int:
        """How many subscriptions ``channel`` has right now."""
        ...

    async def ping(self) -> None:
        """Raise when the cache can't be reached."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...

    def describe(self) -> str:
        """The cache URL without credentials."""
        ...


def redact_url(url: str) -> str:
    """``url`` without user name and password."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _as_bytes(message: bytes | str) -> bytes:
    return message.encode() if isinstance(message, str) else bytes(message)


def _check_ttl(ttl: float | None) -> None:
    if ttl is not None and ttl <= 0:
        raise ValueError(f"A cache ttl must be a positive number of seconds, not {ttl}.")


class MemoryCache:
    """In-process cache: monotonic-clock expiry, oldest-first eviction (counters without a
    ttl are kept: the data version must never start again from zero), queue per subscriber.

    ``shared_counters`` (key -> file) are counters kept in files instead of this process's
    memory, so that every process using the same file shares them: the embedded data version,
    so a write by the command line is seen at once by a running ``serve`` on the same data
    folder. Such a counter is the file's size: ``incr`` appends a byte per step
    (``O_APPEND``, atomic between processes), ``get`` is one ``stat`` (microseconds, on
    every request). They are
    only read and moved: ``set`` and ``delete`` refuse them.
    """

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        max_pending: int = 1_000,
        shared_counters: Mapping[str, Path] | None = None,
    ) -> None:
        self.max_entries = max_entries
        self.max_pending = max_pending
        self._data: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self._counters: set[str] = set()
        self._shared = {key: Path(path).absolute() for key, path in (shared_counters or {}).items()}
        self._subscribers: dict[str, set[asyncio.Queue[bytes]]] = {}

    def describe(self) -> str:
        return "memory://"

    def _live(self, key: str) -> tuple[bytes, float | None] | None:
        entry = self._data.get(key)
        if entry is not None and entry[1] is not None and entry[1] <= time.monotonic():
            del self._data[key]
            return None
        return entry

    def _store(self, key: str, value: bytes, expires_at: float | None) -> None:
        self._data.pop(key, None)
        while len(self._data) >= self.max_entries:
            victim = next((k for k in self._data if k not in self._counters), None)
            if victim is None:
                victim = next(iter(self._data))
            del self._data[victim]
            self._counters.discard(victim)
        self._data[key] = (value, expires_at)

    async def get(self, key: str) -> bytes | None:
        if key in self._shared:
            try:
                return str(os.stat(self._shared[key]).st_size).encode()
            except FileNotFoundError:
                return None
        entry = self._live(key)
        return None if entry is None else entry[0]

    def _refuse_shared(self, key: str) -> None:
        if key in self._shared:
            raise ValueError(f"Cache key {key!r} is a shared counter: only get and incr it.")

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        _check_ttl(ttl)
        self._refuse_shared(key)
        expires_at = None if ttl is None else time.monotonic() + ttl
        self._store(key, bytes(value), expires_at)
        self._counters.discard(key)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._refuse_shared(key)
        for key in keys:
            self._data.pop(key, None)
            self._counters.discard(key)

    async def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        _check_ttl(ttl)
        if key in self._shared:
            return _append(self._shared[key], amount)
        entry = self._live(key)
        if entry is None:
            current, expires_at = b"0", None if ttl is None else time.monotonic() + ttl
        else:
            current, expires_at = entry
        try:
            value = int(current) + amount
        except ValueError:
            raise ValueError(f"Cache key {key!r} does not hold a counter.") from None
        self._store(key, str(value).encode(), expires_at)
        if expires_at is None:
            self._counters.add(key)
        return value

    async def publish(self, channel: str, message: bytes | str) -> None:
        data = _as_bytes(message)
        for queue in tuple(self._subscribers.get(channel, ())):
            if queue.full():  # a stalled subscriber loses its oldest message
                queue.get_nowait()
                log.warning("Subscriber of %r is too slow; dropped a message.", channel)
            queue.put_nowait(data)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        queue: asyncio.Queue[bytes] = asyncio.Queue(self.max_pending)
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield _drain(queue)
        finally:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._subscribers[channel]

    async def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._data.clear()


def _append(path: Path, amount: int) -> int:
    """Grow the counter file by ``amount`` bytes; its new size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, b"." * amount)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


async def _drain(queue: asyncio.Queue[bytes]) -> AsyncIterator[bytes]:
    while True:
        yield await queue.get()


class RedisCache:
    """Redis-backed cache; every key and channel name starts with ``prefix``."""

    def __init__(self, url: str, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.url = url
        self.prefix = prefix
        self.confirm_timeout = 5.0
        self.client: aioredis.Redis = aioredis.Redis.from_url(url, socket_connect_timeout=5)

    def describe(self) -> str:
        return redact_url(self.url)

    def _k(self, name: str) -> str:
        return f"{self.prefix}{name}"

    async def get(self, key: str) -> bytes | None:
        value = await self.client.get(self._k(key))
        return None if value is None else _as_bytes(value)

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        _check_ttl(ttl)
        px = None if ttl is None else max(1, round(ttl * 1000))
        await self.client.set(self._k(key), bytes(value), px=px)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self.client.delete(*(self._k(key) for key in keys))

    async def incr(self, key: str, amount: int = 1, *, ttl: float | None = None) -> int:
        _check_ttl(ttl)
        name = self._k(key)
        try:
            if ttl is None:
                return int(await self.client.incrby(name, amount))
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incrby(name, amount)
                pipe.pexpire(name, max(1, round(ttl * 1000)), nx=True)
                value, _ = await pipe.execute()
            return int(value)
        except ResponseError as exc:
            raise ValueError(f"Cache key {key!r} does not hold a counter.") from exc

    async def publish(self, channel: str, message: bytes | str) -> None:
        await self.client.publish(self._k(channel), _as_bytes(message))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        name = self._k(channel)
        pubsub = self.client.pubsub()
        try:
            await pubsub.subscribe(name)
            # Wait for the server's confirmation: from here on, publishes reach us.
            async with asyncio.timeout(self.confirm_timeout):
                while True:
                    reply = await pubsub.get_message(timeout=None)
                    if reply is not None and reply["type"] == "subscribe":
                        break
            yield _messages(pubsub)
        finally:
            with contextlib.suppress(Exception):
                await _unsubscribe(pubsub, name)
            await pubsub.aclose()

    async def subscriber_count(self, channel: str) -> int:
        counts: list[tuple[Any, int]] = await self.client.pubsub_numsub(self._k(channel))
        return int(counts[0][1]) if counts else 0

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()


async def _unsubscribe(pubsub: Any, name: str, *, wait: float = 1.0) -> None:
    """Unsubscribe and wait (briefly) for the server's confirmation."""
    await pubsub.unsubscribe(name)
    async with asyncio.timeout(wait):
        while True:
            reply = await pubsub.get_message(timeout=wait)
            if reply is not None and reply["type"] == "unsubscribe":
                return


async def _messages(pubsub: Any) -> AsyncIterator[bytes]:
    while True:
        reply = await pubsub.get_message(timeout=None)
        if reply is not None and reply["type"] == "message":
            yield reply["data"]


def open_cache(
    url: str, *, prefix: str = DEFAULT_PREFIX, shared_counters: Mapping[str, Path] | None = None
) -> Cache:
    """Open the cache named by ``url``: ``memory://``, ``redis://...`` or ``rediss://...``.

    ``shared_counters``: for ``memory://``, counters kept in files shared between processes
    (see :class:`MemoryCache`); Redis shares every key already."""
    scheme = url.partition("://")[0].lower()
    if scheme == "memory":
        return MemoryCache(shared_counters=shared_counters)
    if scheme in ("redis", "rediss", "unix"):
        return RedisCache(url, prefix=prefix)
    raise ValueError(
        f"Unknown cache URL scheme {scheme!r}: use memory://, redis://HOST or rediss://HOST."
    )
