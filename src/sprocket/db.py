"""Database engine, sessions and the declarative base.

One code path for SQLite (aiosqlite, the embedded default) and PostgreSQL (asyncpg).
Writes go through :func:`unit_of_work`, which commits and then runs the after-commit hooks
(cache invalidation, waking the outbox relay) only when the transaction really committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Sequence
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    MetaData,
    String,
    TextClause,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


E = TypeVar("E", bound=StrEnum)


class State(TypeDecorator[E]):
    """A column of one ``StrEnum``: stores the member's value (the lowercase string, as a
    ``VARCHAR(length)``) and loads the member, so code compares members, never strings.
    Binding a string that is no member's value raises ``ValueError`` before any SQL runs;
    the table's check constraint (:func:`one_of`) keeps the database to the same values."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> E | None:
        return None if value is None else self.enum(value)


def in_values(column: str, members: Iterable[StrEnum]) -> TextClause:
    """The SQL predicate ``column IN ('a', 'b')`` over the members' values, for partial
    indexes and check constraints."""
    values = ", ".join("'{}'".format(m.value.replace("'", "''")) for m in members)
    return text(f"{column} IN ({values})")


def one_of(column: str, enum: type[StrEnum]) -> CheckConstraint:
    """The check constraint keeping ``column`` to ``enum``'s values, named
    ``ck_<table>_<column>`` by the naming convention."""
    return CheckConstraint(in_values(column, enum), name=column)


#: The largest id a row can have: ids are INTEGER columns, 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1

M = TypeVar("M")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, hook: AfterCommit) -> None:
    """Run ``hook`` once the surrounding unit of work has committed (never on rollback)."""
    session.info.setdefault("after_commit", []).append(hook)


def note_change(session: AsyncSession) -> None:
    """Count the surrounding unit of work as a write readers can see (for what the ORM does
    not track: a bulk ``delete`` or ``update`` statement), so its commit moves the data
    version on."""
    session.info["changed"] = True


@event.listens_for(Session, "after_flush")
def _mark_changed(session: Session, _ctx: Any) -> None:
    """Note writes that readers can see; bookkeeping rows (outbox, receipts) don't count."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "readers_see", True):
            session.info["changed"] = True
            return


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
    *,
    on_change: AfterCommit | None = None,
) -> AsyncIterator[AsyncSession]:
    """A transaction: commit on success, roll back on any error, then run after-commit hooks.

    ``on_change`` runs after a commit that wrote something (the platform passes the
    response-cache invalidation here, so no service can forget it).
    """
    async with sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        hooks: list[AfterCommit] = session.info.pop("after_commit", [])
        changed = session.info.pop("changed", False)
    if changed and on_change is not None:
        await on_change()
    for hook in hooks:
        await hook()


class StatementCounter:
    """Counts SQL statements sent on an engine (used by the N+1 tests)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine: Engine = engine.sync_engine
        self.count = 0

    def _on_execute(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def advisory_key(name: str) -> int:
    """The PostgreSQL advisory lock key (a signed 64-bit integer) of the lock called ``name``:
    the same in every process, so processes agree on a lock by its name."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def advisory_lock(session: AsyncSession, name: str, *, wait: bool = True) -> bool:
    """Hold the lock ``name`` until the transaction ends (a PostgreSQL transaction-scoped
    advisory lock); without ``wait``, only if it is free. SQLite serializes writers anyway,
    so there is nothing to take there."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = advisory_key(name)
    if wait:
        await session.execute(select(func.pg_advisory_xact_lock(key)))
        return True
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(key))))


async def database_now(session: AsyncSession) -> dt.datetime:
    """The database server's clock (PostgreSQL), for times whose order across processes
    matters: every API replica reads the same clock. SQLite runs in one process: its clock."""
    if session.get_bind().dialect.name != "postgresql":
        return utcnow()
    moment = await session.scalar(select(func.clock_timestamp()))
    return moment.astimezone(dt.UTC)


async def rows_by_ids(session: AsyncSession, model: type[M], ids: Sequence[int]) -> dict[int, M]:
    """The rows of ``model`` (a mapped class with a one-column primary key) whose key is in
    ``ids``, by key; ids no row has are left out. One statement."""
    pk = model.__table__.primary_key.columns[0]  # type: ignore[attr-defined]
    rows = (await session.scalars(select(model).where(pk.in_(set(ids))))).all()
    return {getattr(row, pk.key): row for row in rows}


async def children_of(
    session: AsyncSession, column: Any, ids: Sequence[Hashable], *order_by: Any
) -> dict[Hashable, list[Any]]:
    """The rows whose foreign key ``column`` (a mapped attribute, e.g. ``Team.league_id``)
    holds one of ``ids``, grouped by it, each list in ``order_by`` order; ids no row points
    at are left out. One statement."""
    query = select(column.class_).where(column.in_(set(ids))).order_by(*order_by)
    return grouped_by(await session.scalars(query), lambda row: getattr(row, column.key))


def grouped_by(rows: Iterable[R], key: Callable[[R], K]) -> dict[K, list[R]]:
    """``rows`` in lists by ``key(row)``, each list in the rows' order."""
    groups: dict[K, list[R]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups
