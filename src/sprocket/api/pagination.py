"""Cursor pagination: opaque cursors over a stable sort key (the row id), and the total.

Every connection answers ``totalCount``: how many items match its filters, over every page.
It costs one count query per connection (never one per node), run only when the field is
asked for.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.api.ids import MAX_ID
from sprocket.errors import InvalidInput

Node = TypeVar("Node")
Row = TypeVar("Row")

MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


Counter = Callable[[], Awaitable[int]]


@strawberry.type
class Connection(Generic[Node]):
    nodes: list[Node]
    page_info: PageInfo
    counter: strawberry.Private[Counter]

    @strawberry.field(description="How many items match the filters, over every page.")
    async def total_count(self) -> int:
        return await self.counter()


def counter(
    reading: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    count: Callable[[AsyncSession], Awaitable[int]],
) -> Counter:
    """``count`` run in a reading session the first time it is asked for, then remembered."""
    known: list[int] = []

    async def total() -> int:
        if not known:
            async with reading() as session:
                known.append(await count(session))
        return known[0]

    return total


async def count_rows(session: AsyncSession, query: Select[Any]) -> int:
    """How many rows ``query`` selects (its filters, not a page of them): one statement."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return int(total or 0)


def encode_cursor(value: int) -> str:
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode()


#: Largest id (or leaderboard rank) a cursor may hold: ids are 32-bit on PostgreSQL.
MAX_CURSOR = MAX_ID


def decode_cursor(cursor: str) -> int:
    """The id an opaque cursor holds; raises InvalidInput (``INVALID_CURSOR``) for text this
    API did not give out (not base64, not ours, or an id no row can have)."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("c:") or not text[2:].isdigit() or len(text) > 24:
            raise ValueError(text)
        value = int(text[2:])
        if value > MAX_CURSOR:
            raise ValueError(text)
        return value
    except ValueError:
        raise InvalidInput(
            "That cursor is not one this API gave out.", code="INVALID_CURSOR"
        ) from None


def page_query(query: Select[Any], id_column: Any, *, first: int, after: str | None) -> Select[Any]:
    """Restrict ``query`` (ordered by ``id_column``) to one page, fetching one extra row."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"Ask for 1 to {MAX_PAGE} items at a time.", code="INVALID_PAGE_SIZE")
    if after is not None:
        query = query.where(id_column > decode_cursor(after))
    return query.order_by(id_column).limit(first + 1)


def connection(
    rows: Sequence[Row],
    *,
    first: int,
    convert: Callable[[Row], Node],
    key: Callable[[Row], int],
    total: Counter,
) -> Connection[Node]:
    """A page of ``rows`` (fetched with :func:`page_query`: one row beyond the page) and the
    ``total`` of the filtered list."""
    page = list(rows[:first])
    return Connection(
        nodes=[convert(r) for r in page],
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            end_cursor=encode_cursor(key(page[-1])) if page else None,
        ),
        counter=total,
    )


async def paged(
    reading: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    query: Select[Any],
    id_column: Any,
    *,
    first: int,
    after: str | None,
    convert: Callable[[Any], Node],
) -> Connection[Node]:
    """One page of the rows ``query`` selects (ordered by ``id_column``), as a connection
    whose ``totalCount`` counts every row ``query`` selects, honouring the same filters."""
    async with reading() as session:
        rows = (await session.scalars(page_query(query, id_column, first=first, after=after))).all()
    return connection(
        rows,
        first=first,
        convert=convert,
        key=lambda row: getattr(row, id_column.key),
        total=counter(reading, lambda session: count_rows(session, query)),
    )
