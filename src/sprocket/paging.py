"""One way to page a list: ordered by a stable key (the row id), a page of rows, whether more
follow, opaque cursors, and the total over every page, counted only when asked.

Every door pages the same way: a domain's read function builds its filtered query and hands
it to :func:`page`; the door shows the rows, the end cursor and, when the client asks for it,
the total (:attr:`Page.count`).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import MAX_ID
from sprocket.errors import CommonCode, InvalidInput

Row = TypeVar("Row")

#: The most items one page holds.
MAX_PAGE = 100

#: Largest id (or leaderboard rank) a cursor may hold: ids are 32-bit on PostgreSQL.
MAX_CURSOR = MAX_ID


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of a filtered list: ``rows`` (at most the page size, in key order),
    ``has_next`` (more rows follow), ``end_cursor`` (the cursor of the last row, to ask for
    the next page with; None for an empty page) and ``count``: how many rows the filters
    match over every page, one statement run in the session given, only when called."""

    rows: list[Row]
    has_next: bool
    end_cursor: str | None
    count: Callable[[AsyncSession], Awaitable[int]]


def check_page_size(first: int) -> None:
    """Raises InvalidInput (``INVALID_PAGE_SIZE``) unless ``first`` is 1 to :data:`MAX_PAGE`."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(
            f"Ask for 1 to {MAX_PAGE} items at a time.", code=CommonCode.INVALID_PAGE_SIZE
        )


def encode_cursor(value: int) -> str:
    """The opaque cursor of a key (a row id, or a leaderboard rank)."""
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The key an opaque cursor holds; raises InvalidInput (``INVALID_CURSOR``) for text no
    page gave out (not base64, not ours, or a key no row can have)."""
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
            "That cursor is not one this API gave out.", code=CommonCode.INVALID_CURSOR
        ) from None


async def count_rows(session: AsyncSession, query: Select[Any]) -> int:
    """How many rows ``query`` selects (its filters, not a page of them): one statement."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return int(total or 0)


async def page(
    session: AsyncSession,
    query: Select[Any],
    key: Any,
    *,
    first: int,
    after: str | None,
    descending: bool = False,
) -> Page[Any]:
    """The page of ``first`` rows (1 to :data:`MAX_PAGE`) that ``query`` (one entity)
    selects after the cursor ``after`` (None: from the start), ordered by ``key`` (its id
    column), highest first when ``descending`` (newest first). Raises InvalidInput:
    ``INVALID_PAGE_SIZE``, ``INVALID_CURSOR``. One statement; the total
    (:attr:`Page.count`) is another, when asked."""
    check_page_size(first)
    paged = query
    if after is not None:
        since = decode_cursor(after)
        paged = paged.where(key < since if descending else key > since)
    order = key.desc() if descending else key
    rows = list((await session.scalars(paged.order_by(order).limit(first + 1))).all())
    shown = rows[:first]
    return Page(
        rows=shown,
        has_next=len(rows) > first,
        end_cursor=encode_cursor(getattr(shown[-1], key.key)) if shown else None,
        count=lambda counting: count_rows(counting, query),
    )
