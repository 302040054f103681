"""Per-request GraphQL context: the runtime, the caller and the request's dataloaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from sprocket.api.ids import RawId
from sprocket.db import children_of, rows_by_ids, utcnow
from sprocket.errors import InvalidInput
from sprocket.http.auth import authenticate
from sprocket.http.ratelimit import Meter
from sprocket.identity.access import Actor, require_user
from sprocket.runtime import Runtime

M = TypeVar("M")
R = TypeVar("R")


class Context(BaseContext):
    def __init__(
        self,
        runtime: Runtime,
        token: str | None = None,
        *,
        actor: Actor | None = None,
        meter: Meter | None = None,
    ) -> None:
        """``token``: the caller's API token (None: anonymous); ``actor``: the caller it
        stands for, when the HTTP guard already resolved it (the app always passes both, so
        one request reads its caller once); ``meter``: where the request's cost is charged
        to the caller's rate limit (None: not limited, as in tests that run the schema)."""
        super().__init__()
        self.runtime = runtime
        self.token = token
        self.meter = meter
        self._actor: Actor | None = actor
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}
        # "Now" for the whole request, so every list item asking for the present state
        # (e.g. each team's current roster) shares one moment, and thus one dataloader.
        self.now = utcnow()

    async def actor(self) -> Actor:
        """The caller; an invalid, expired or revoked token raises Unauthenticated."""
        if self._actor is None:
            self._actor = await authenticate(self.runtime, self.token)
        return self._actor

    def set_actor(self, actor: Actor) -> None:
        """The caller, as a WebSocket's ``connection_init`` signed it in."""
        self._actor = actor

    async def recheck(self) -> Actor:
        """The caller again, from its token now: a subscription calls it before each event,
        so a stream stops (Unauthenticated: ``TOKEN_REVOKED``, ``TOKEN_EXPIRED``) once its
        token was revoked or ran out."""
        self._actor = None
        return await self.actor()

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        """Rows of ``model`` by primary key, one query per batch."""

        async def fetch(session: Any, ids: Sequence[int]) -> dict[int, M]:
            return await rows_by_ids(session, model, ids)

        return self.batch(("by_id", model), fetch)

    def grouped(
        self,
        name: Hashable,
        fetch: Callable[[Any, Sequence[Any]], Awaitable[Mapping[Any, list[Any]]]],
    ) -> DataLoader[Any, list[Any]]:
        """Lists of rows for many keys at once, from ``fetch(session, keys)`` (a mapping of
        key to list; a missing key has none)."""

        async def load(keys: Sequence[Any]) -> list[list[Any]]:
            async with self.runtime.reading() as session:
                groups = await fetch(session, list(set(keys)))
            return [groups.get(k, []) for k in keys]

        return self._loader(("grouped", name), load)

    def batch(
        self, name: Hashable, fetch: Callable[[Any, Sequence[Any]], Awaitable[Mapping[Any, Any]]]
    ) -> DataLoader[Any, Any]:
        """One value per key from ``fetch(session, keys)`` (a mapping; missing keys are None)."""

        async def load(keys: Sequence[Any]) -> list[Any]:
            async with self.runtime.reading() as session:
                values = await fetch(session, list(set(keys)))
            return [values.get(k) for k in keys]

        return self._loader(("batch", name), load)

    def children(self, column: Any, *order_by: Any) -> DataLoader[Any, list[Any]]:
        """Rows whose foreign key ``column`` points at each given id, in ``order_by`` order."""

        async def fetch(session: Any, ids: Sequence[Any]) -> Mapping[Any, list[Any]]:
            return await children_of(session, column, ids, *order_by)

        return self.grouped(f"{column.class_.__name__}.{column.key}", fetch)

    async def mutate(self, service: Callable[..., Awaitable[R]], /, **kwargs: Any) -> R:
        """Run a service function as the caller, in one unit of work (every mutation's shape).

        Id arguments come as :class:`~sprocket.api.ids.RawId` and are read here, once the
        caller is known: every mutation needs a signed-in caller, so an anonymous one hears
        UNAUTHENTICATED before anything about its arguments. A signed-in caller's malformed
        id (text, zero, a negative number) is ``INVALID_ID``: it names no row, and saying so
        tells nobody anything about the data.
        """
        actor = await self.actor()
        try:
            arguments = {
                name: value.read() if isinstance(value, RawId) else value
                for name, value in kwargs.items()
            }
        except InvalidInput:
            require_user(actor)
            raise
        async with self.runtime.unit_of_work() as session:
            return await service(session, actor=actor, **arguments)

    def forget(self) -> None:
        """Drop every loaded value: a subscription calls it before each new event, since its
        context (and so its dataloaders) lives as long as the stream."""
        self._loaders.clear()
        self.now = utcnow()

    def _loader(self, key: Hashable, load: Callable[..., Any]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader
