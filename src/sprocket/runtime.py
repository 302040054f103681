"""The runtime: the backends chosen by the settings, wired once per process.

`serve` and `worker` build one :class:`Runtime` (with every domain's jobs and loops:
:func:`sprocket.jobs.build_runtime`); background jobs find it through :func:`current`, since
the broker calls them with nothing but their arguments. It sits below the domains: it knows
their jobs only as the names and functions it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.config import Settings
from sprocket.db import create_engine, session_factory, unit_of_work
from sprocket.errors import InvalidInput
from sprocket.platform.broker import Job, broker_ping, create_broker, register_jobs
from sprocket.platform.cache import open_cache
from sprocket.platform.errors import PlatformCode
from sprocket.platform.outbox import OutboxRelay
from sprocket.platform.storage import storage_of

DATA_VERSION_KEY = "data-version"
#: The embedded data version's file in the data folder: one byte per committed write.
DATA_VERSION_FILE = "data-version"

#: A loop the relaying process keeps running until the event is set (the scrim sweep).
Loop = Callable[["Runtime", asyncio.Event], Awaitable[None]]

_current: Runtime | None = None

#: Opens a resource the jobs of a process share, from the settings (see Runtime.resource).
Opener = Callable[[Settings], AbstractAsyncContextManager[Any]]


def require_shared_services(settings: Settings, *, processes: int) -> None:
    """Refuse to run ``processes`` (> 1) API processes side by side on the embedded
    ``memory://`` cache or broker: each process would keep a cache, rate limits, live pages
    and jobs of its own. Raises InvalidInput ``SHARED_SERVICES_REQUIRED``."""
    if processes <= 1:
        return
    local = [
        name
        for name, url in (("cache", settings.cache_url), ("job broker", settings.broker_url))
        if url.startswith("memory://")
    ]
    if local:
        raise InvalidInput(
            f"{processes} processes need a shared {' and '.join(local)}: the embedded"
            " memory:// one lives in a single process. Set SPROCKET_CACHE_URL (Redis) and"
            " SPROCKET_BROKER_URL (RabbitMQ), or run one process.",
            code=PlatformCode.SHARED_SERVICES_REQUIRED,
        )


class Runtime:
    """The database engines, storage, cache, broker and outbox relay of one process.

    ``jobs``: every background job by name, registered with the broker; ``loops``: what
    :meth:`start` runs beside the outbox relay; ``resources``: what jobs share in a process
    (the Discord client), by name, each opened from the settings when first asked for
    (:meth:`resource`).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        jobs: Mapping[str, Job],
        loops: Sequence[Loop] = (),
        resources: Mapping[str, Opener] = {},
    ) -> None:
        self.settings = settings
        self.engine = create_engine(settings.resolved_database_url)
        self.sessions = session_factory(self.engine)
        # The outbox relay and the periodic sweeps keep connections of their own, so no load
        # on the API (a pool of slow requests) can starve the work that moves results along.
        self.background_engine = create_engine(settings.resolved_database_url, pool_size=2)
        self.background_sessions = session_factory(self.background_engine)
        self.storage = storage_of(settings)
        self.cache = open_cache(
            settings.cache_url,
            prefix=settings.cache_prefix,
            # Embedded: the data version lives in the data folder, so the command line's
            # writes reach a running `serve` (its memory cache is its own).
            shared_counters={DATA_VERSION_KEY: settings.data_dir / DATA_VERSION_FILE},
        )
        self.broker = create_broker(
            settings.broker_url,
            queue_name=settings.queue_name,
            exchange_name=settings.queue_name,
            retries=settings.job_retries,
            retry_delay=settings.job_retry_delay_seconds,
        )
        register_jobs(self.broker, jobs)
        self._loops = tuple(loops)
        self.relay = OutboxRelay(
            self.background_sessions, self.broker, poll_seconds=settings.outbox_poll_seconds
        )
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._openers = dict(resources)
        self._resources: dict[str, Any] = {}
        self._resources_lock = asyncio.Lock()
        self._inflight: dict[str, asyncio.Future[bytes]] = {}
        self._closing = contextlib.AsyncExitStack()

    async def start(self, *, relay: bool = True, broker: bool = True) -> None:
        """Open connections; ``broker=False`` when a worker owns the broker instead;
        ``relay``: run the outbox relay, and the loops with it."""
        global _current
        _current = self
        if broker:
            await self.broker.startup()
        if relay:
            self._tasks.append(asyncio.create_task(self.relay.run(self._stop)))
            for loop in self._loops:
                self._tasks.append(asyncio.create_task(loop(self, self._stop)))

    async def stop(self) -> None:
        global _current
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(Exception):
                await task
        wait_all = getattr(self.broker, "wait_all", None)  # in-process jobs still running
        if wait_all is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(wait_all(), timeout=30)
        with contextlib.suppress(Exception):
            await self.broker.shutdown()
        self._resources.clear()
        await self._closing.aclose()
        await self.cache.close()
        await self.storage.close()
        await self.engine.dispose()
        await self.background_engine.dispose()
        if _current is self:
            _current = None

    async def resource(self, name: str) -> Any:
        """The process's one resource ``name`` (a client whose connections and rate-limit
        state the jobs share), opened from the settings on first use and closed by
        :meth:`stop`. Raises KeyError when no opener of that name was given."""
        async with self._resources_lock:
            if name not in self._resources:
                opened = self._openers[name](self.settings)
                self._resources[name] = await self._closing.enter_async_context(opened)
            return self._resources[name]

    def unit_of_work(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        """A write transaction; committing a change invalidates cached public answers."""
        return unit_of_work(self.sessions, on_change=self.data_changed)

    def background_unit_of_work(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        """:meth:`unit_of_work` on the background loops' own connections."""
        return unit_of_work(self.background_sessions, on_change=self.data_changed)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def data_changed(self) -> None:
        await self.cache.incr(DATA_VERSION_KEY)

    async def data_version(self) -> str:
        """The current data version: a counter every committed write moves on (see
        :meth:`unit_of_work`), "0" before the first."""
        return (await self.cache.get(DATA_VERSION_KEY) or b"0").decode()

    async def remembered(self, name: str, make: Callable[[], Awaitable[bytes]]) -> bytes:
        """What ``make`` returns for ``name`` (a key naming everything the answer depends on
        but the data), kept in the cache under the current data version for
        ``response_cache_ttl`` seconds at most, as the response cache keeps public answers:
        a committed write moves to a new version, so a remembered answer never outlives
        the data it was made from (the TTL bounds what depends on the clock, and memory).
        Concurrent callers of a ``name`` not yet kept share one ``make``; its error is
        raised to each of them, and nothing is kept."""
        key = f"remembered:{await self.data_version()}:{name}"
        kept = await self.cache.get(key)
        if kept is not None:
            return kept
        flight = self._inflight.get(key)
        if flight is not None:
            try:
                return await asyncio.shield(flight)
            except asyncio.CancelledError:
                if not flight.cancelled():
                    raise  # this caller was cancelled
                # the caller making it was cancelled: make it here
        flight = asyncio.get_running_loop().create_future()
        self._inflight[key] = flight
        try:
            made = await make()
            await self.cache.set(key, made, ttl=self.settings.response_cache_ttl)
            flight.set_result(made)
            return made
        except Exception as error:
            flight.set_exception(error)
            flight.exception()  # retrieved here: no warning when nobody else waited
            raise
        finally:
            if not flight.done():
                flight.cancel()
            if self._inflight.get(key) is flight:
                del self._inflight[key]

    async def readiness(self) -> dict[str, str | None]:
        """Each backend's problem, or None when it answers."""

        async def database() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        checks = {
            "database": database(),
            "broker": broker_ping(self.broker),
            "cache": self.cache.ping(),
            "storage": self.storage.check(),
        }
        results: dict[str, str | None] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check, timeout=5)
                results[name] = None
            except Exception as exc:
                results[name] = f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
        return results


def current() -> Runtime:
    """The runtime started in this process (for background jobs). Raises RuntimeError when
    none is."""
    if _current is None:
        raise RuntimeError("the runtime is not started in this process")
    return _current
