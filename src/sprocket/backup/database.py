"""The database side of a backup: a consistent dump with its census (rows per table and the
schema revision, counted in the dump's own snapshot), its load into a database, and the
scratch databases verifications restore into.

SQLite: SQLite's online backup API copies the live database page by page into a file that
is one consistent snapshot (other connections may keep writing meanwhile). PostgreSQL:
``pg_dump`` of an exported snapshot (:mod:`sprocket.backup.postgres`), counted in the
transaction that exported it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from sprocket.backup import postgres
from sprocket.backup.errors import BackupCode, BackupError

#: The migrations' bookkeeping table: it holds the schema revision, not data.
ALEMBIC_TABLE = "alembic_version"


@dataclass(frozen=True)
class Census:
    """Rows per table (every table of the database, by name) and the schema revision
    (None for a database never migrated)."""

    tables: dict[str, int]
    revision: str | None

    def data_rows(self) -> dict[str, int]:
        """The tables holding rows, other than the migrations' own."""
        return {name: n for name, n in self.tables.items() if n and name != ALEMBIC_TABLE}


def dialect_of(url: str) -> str:
    """``sqlite`` or ``postgresql`` for a database URL; raises BACKUP_DIALECT_MISMATCH for
    any other kind."""
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(
            f"Backups know SQLite and PostgreSQL databases, not {name}.",
            code=BackupCode.BACKUP_DIALECT_MISMATCH,
        )
    return name


def sqlite_file(url: str) -> Path:
    """The file of a SQLite database URL; raises BACKUP_DIALECT_MISMATCH for a database in
    memory, which has none."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(
            "A SQLite database in memory cannot be backed up or restored; use a file.",
            code=BackupCode.BACKUP_DIALECT_MISMATCH,
        )
    return Path(database)


async def census(conn: AsyncConnection) -> Census:
    """Count the rows of every table the connection sees (in its transaction's snapshot)
    and read the schema revision."""
    names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    tables = {}
    for name in sorted(names):
        tables[name] = await conn.scalar(select(func.count()).select_from(table(name))) or 0
    revision = None
    if ALEMBIC_TABLE in names:
        revision = await conn.scalar(text(f"SELECT version_num FROM {ALEMBIC_TABLE}"))
    return Census(tables, revision)


@asynccontextmanager
async def _failing_as(code: BackupCode) -> AsyncIterator[None]:
    """Turn a database's failure (unreachable, unreadable, not a database) into ``code``."""
    try:
        yield
    except (sqlite3.Error, SQLAlchemyError, OSError) as exc:
        reason = str(exc.__cause__ or exc).splitlines()[0] or type(exc).__name__
        raise BackupError(
            f"The database could not be read: {reason.rstrip('.')}.", code=code
        ) from exc


async def census_of(url: str) -> Census:
    """:func:`census` of the database at ``url`` (a SQLite file is only read). Raises
    BACKUP_DATABASE_UNAVAILABLE when it cannot be reached or read."""
    engine = create_async_engine(url)
    try:
        async with _failing_as(BackupCode.BACKUP_DATABASE_UNAVAILABLE), engine.connect() as conn:
            return await census(conn)
    finally:
        await engine.dispose()


def _copy_sqlite(source: Path, dest: Path) -> None:
    if not source.is_file():
        raise sqlite3.OperationalError(f"there is no database file {source}")
    with (
        closing(sqlite3.connect(source)) as live,
        closing(sqlite3.connect(dest)) as copy,
    ):
        live.backup(copy)
        # A file on its own: no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")


async def dump(url: str, dest: Path, *, pg_bin_dir: Path | None = None) -> Census:
    """Dump the database of ``url`` to the file ``dest``; the census of exactly what was
    dumped. Raises BACKUP_DUMP_FAILED when the database cannot be read, BACKUP_TOOL_MISSING
    or BACKUP_TOOL_FAILED from pg_dump."""
    if dialect_of(url) == "sqlite":
        async with _failing_as(BackupCode.BACKUP_DUMP_FAILED):
            await asyncio.to_thread(_copy_sqlite, sqlite_file(url), dest)
            return await census_of(f"sqlite+aiosqlite:///{dest}")
    engine = create_async_engine(url)
    try:
        async with _failing_as(BackupCode.BACKUP_DUMP_FAILED), engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                snapshot = await conn.scalar(text("SELECT pg_export_snapshot()"))
                counted = await census(conn)
                major = await _server_major(conn)
                await postgres.dump(
                    url, dest, snapshot=str(snapshot), major=major, bin_dir=pg_bin_dir
                )
        return counted
    finally:
        await engine.dispose()


async def _server_major(conn: AsyncConnection) -> int:
    number = await conn.scalar(text("SHOW server_version_num"))
    return int(number) // 10000


async def load(url: str, source: Path, *, pg_bin_dir: Path | None = None) -> None:
    """Replace the whole database of ``url`` with the dump ``source`` (made by :func:`dump`
    from a database of the same kind). Every table there before is gone. Raises
    BACKUP_DATABASE_UNAVAILABLE, and BACKUP_TOOL_MISSING or BACKUP_TOOL_FAILED from
    pg_restore."""
    if dialect_of(url) == "sqlite":
        target = sqlite_file(url)

        def copy() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(source)) as dump, closing(sqlite3.connect(target)) as db:
                dump.backup(db)

        async with _failing_as(BackupCode.BACKUP_DATABASE_UNAVAILABLE):
            await asyncio.to_thread(copy)
        return
    engine = create_async_engine(url)
    try:
        async with _failing_as(BackupCode.BACKUP_DATABASE_UNAVAILABLE), engine.begin() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            if names:
                quote = conn.dialect.identifier_preparer.quote
                await conn.execute(
                    text(f"DROP TABLE IF EXISTS {', '.join(map(quote, names))} CASCADE")
                )
            major = await _server_major(conn)
    finally:
        await engine.dispose()
    await postgres.restore(url, source, major=major, bin_dir=pg_bin_dir)


@asynccontextmanager
async def scratch_database(dialect: str, *, beside: str, folder: Path) -> AsyncIterator[str]:
    """The URL of an empty database to restore into, dropped afterwards: a SQLite file in
    ``folder``, or a new database on the PostgreSQL server of ``beside`` (its role needs
    the CREATEDB privilege). Raises BACKUP_TOOL_FAILED when it cannot be created,
    BACKUP_DIALECT_MISMATCH when the archive is PostgreSQL's and the deployment's
    database is not."""
    if dialect == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'scratch.db'}"
        return
    if dialect_of(beside) != "postgresql":
        raise BackupError(
            "A PostgreSQL archive is verified in a scratch database on the deployment's "
            "PostgreSQL server, and the database URL names none.",
            code=BackupCode.BACKUP_DIALECT_MISMATCH,
        )
    name = f"sprocket_scratch_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(
        postgres.database_url(beside, "postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        except SQLAlchemyError as exc:
            raise BackupError(
                f"The scratch database could not be created: {exc.__cause__ or exc}",
                code=BackupCode.BACKUP_TOOL_FAILED,
            ) from exc
        try:
            yield postgres.database_url(beside, name)
        finally:
            with contextlib.suppress(SQLAlchemyError):
                async with admin.connect() as conn:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()
