"""Connections: a page of a list (:class:`sprocket.paging.Page`) as GraphQL shows it.

Every connection answers ``totalCount``: how many items match its filters, over every page.
It costs one count query per connection (never one per node), run only when the field is
asked for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.paging import Page

Node = TypeVar("Node")

Reading = Callable[[], AbstractAsyncContextManager[AsyncSession]]


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


def counter(reading: Reading, count: Callable[[AsyncSession], Awaitable[int]]) -> Counter:
    """``count`` run in a reading session the first time it is asked for, then remembered."""
    known: list[int] = []

    async def total() -> int:
        if not known:
            async with reading() as session:
                known.append(await count(session))
        return known[0]

    return total


def connection(
    page: Page[Any], *, convert: Callable[[Any], Node], reading: Reading
) -> Connection[Node]:
    """``page`` as a connection of ``convert``-ed nodes, whose ``totalCount`` runs the page's
    count in a ``reading`` session when asked."""
    return Connection(
        nodes=[convert(row) for row in page.rows],
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
        counter=counter(reading, page.count),
    )
