"""Database helpers for service tests: a snapshot of every table, and "fails, changes nothing"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import DomainError
from sprocket.models import Base
from sprocket.runtime import Runtime


async def snapshot(platform: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order (the databases of tests are small)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with platform.reading() as session:
        for table in Base.metadata.sorted_tables:
            rows = await session.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [tuple(row) for row in rows]
    return tables


async def row_counts(platform: Runtime) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with platform.reading() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = await session.scalar(select(func.count()).select_from(table)) or 0
    return counts


async def fails_unchanged(
    platform: Runtime,
    call: Callable[[AsyncSession], Awaitable[object]],
    *,
    code: str,
    error: type[DomainError] = DomainError,
) -> DomainError:
    """Run ``call`` in a unit of work; it must raise ``error`` with ``code`` and change nothing."""
    before = await snapshot(platform)
    with pytest.raises(error) as raised:
        async with platform.unit_of_work() as session:
            await call(session)
    assert raised.value.code == code, raised.value
    assert raised.value.message  # a sentence for the user
    after = await snapshot(platform)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a failed call changed the tables {changed}"
    return raised.value
