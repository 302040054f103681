"""Per-request GraphQL context: the platform, the caller and the request's dataloaders."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from sprocket.db import utcnow
from sprocket.identity import service as identity
from sprocket.identity import tokens
from sprocket.identity.access import SPECTATOR, Actor
from sprocket.runtime import DATA_VERSION_KEY, Platform

M = TypeVar("M")
R = TypeVar("R")

#: How long a token's holder is remembered (at most; a write forgets it at once).
ACTOR_TTL = 300


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (None for any other header)."""
    value = (authorization or "").strip()
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(platform: Platform, token: str | None) -> Actor:
    """The caller a Bearer token stands for; an invalid, expired or revoked token raises
    Unauthenticated, no token is the spectator.

    A valid token's holder is remembered in the cache under the current data version (every
    committed write, a revocation too, moves to a new one) until the token expires, so a
    request with a valid token costs two cache reads (the version, the holder), not a query.
    """
    if not token:
        return SPECTATOR
    version = (await platform.cache.get(DATA_VERSION_KEY) or b"0").decode()
    key = f"actor:{version}:{tokens.digest(token)}"
    known = await platform.cache.get(key)
    if known is not None:
        user_id, is_superuser, name, expires_at, token_id = json.loads(known)
        if dt.datetime.fromisoformat(expires_at) > utcnow():
            return Actor(user_id=user_id, is_superuser=is_superuser, name=name, token_id=token_id)
    async with platform.reading() as session:
        actor, expires = await identity.token_holder(session, token)
    assert expires is not None
    entry = [actor.user_id, actor.is_superuser, actor.name, expires.isoformat(), actor.token_id]
    await platform.cache.set(key, json.dumps(entry).encode(), ttl=ACTOR_TTL)
    return actor


class Context(BaseContext):
    def __init__(
        self, platform: Platform, authorization: str | None, *, actor: Actor | None = None
    ) -> None:
        """``actor``: the caller when already authenticated (by the app's token check)."""
        super().__init__()
        self.platform = platform
        self._authorization = authorization
        self._actor: Actor | None = actor
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}
        # "Now" for the whole request, so every list item asking for the present state
        # (e.g. each team's current roster) shares one moment, and thus one dataloader.
        self.now = utcnow()

    @property
    def bearer_token(self) -> str | None:
        return bearer_token(self._authorization)

    async def actor(self) -> Actor:
        """The caller; an invalid, expired or revoked token raises Unauthenticated."""
        if self._actor is None:
            self._actor = await authenticate(self.platform, self.bearer_token)
        return self._actor

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        """Rows of ``model`` by primary key, one query per batch."""

        async def load(ids: Sequence[int]) -> list[M | None]:
            async with self.platform.reading() as session:
                pk = model.__table__.primary_key.columns[0]  # type: ignore[attr-defined]
                rows = (await session.scalars(select(model).where(pk.in_(set(ids))))).all()
            found = {getattr(r, pk.key): r for r in rows}
            return [found.get(i) for i in ids]

        return self._loader(("by_id", model), load)

    def grouped(
        self,
        name: str,
        query: Callable[[Sequence[Any]], Any],
        key: Callable[[Any], Hashable],
    ) -> DataLoader[Any, list[Any]]:
        """Lists of rows for many keys at once: ``query(keys)`` selects them, ``key`` groups."""

        async def load(keys: Sequence[Any]) -> list[list[Any]]:
            async with self.platform.reading() as session:
                result = await session.execute(query(list(set(keys))))
                rows = result.scalars().all() if len(result.keys()) == 1 else result.all()
            groups: dict[Hashable, list[Any]] = defaultdict(list)
            for row in rows:
                groups[key(row)].append(row)
            return [groups.get(k, []) for k in keys]

        return self._loader(("grouped", name), load)

    def batch(
        self, name: str, fetch: Callable[[Any, Sequence[Any]], Awaitable[dict[Any, Any]]]
    ) -> DataLoader[Any, Any]:
        """One value per key from ``fetch(session, keys)`` (a dict; missing keys are None)."""

        async def load(keys: Sequence[Any]) -> list[Any]:
            async with self.platform.reading() as session:
                values = await fetch(session, list(set(keys)))
            return [values.get(k) for k in keys]

        return self._loader(("batch", name), load)

    def children(self, column: Any, *order_by: Any) -> DataLoader[Any, list[Any]]:
        """Rows whose foreign key ``column`` points at each given id, in ``order_by`` order."""
        model = column.class_
        return self.grouped(
            f"{model.__name__}.{column.key}",
            lambda ids: select(model).where(column.in_(ids)).order_by(*order_by),
            lambda row: getattr(row, column.key),
        )

    async def mutate(self, service: Callable[..., Awaitable[R]], /, **kwargs: Any) -> R:
        """Run a service function as the caller, in one unit of work (every mutation's shape)."""
        actor = await self.actor()
        async with self.platform.unit_of_work() as session:
            return await service(session, actor=actor, **kwargs)

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
