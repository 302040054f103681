"""Alembic environment: runs migrations on the async engine of the configured URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from sprocket.db import advisory_key, create_engine
from sprocket.migrate import MIGRATION_LOCK
from sprocket.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until the migration's one transaction commits (or rolls back). Alembic reads
        # the current revision after this, inside the same transaction.
        connection.execute(select(func.pg_advisory_xact_lock(advisory_key(MIGRATION_LOCK))))
    if connection.dialect.name == "sqlite":
        # SQLite alters a table by copying it and dropping the old one ("batch" mode); with
        # foreign keys enforced, that drop would cascade to every child row (dropping
        # `members` would delete every player). Off for the migration, checked after it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"the migration left rows without their parent: {broken[:5]}")


async def _main() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_main())
