"""Cursor pagination: opaque cursors over a stable sort key (the row id)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select

from sprocket.errors import InvalidInput

Node = TypeVar("Node")
Row = TypeVar("Row")

MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Connection(Generic[Node]):
    nodes: list[Node]
    page_info: PageInfo
    total_count: int | None = None


def encode_cursor(value: int) -> str:
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode()


#: Largest id a cursor may hold (ids are 64-bit integers in the database).
MAX_CURSOR = 2**62


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
    rows: Sequence[Row], *, first: int, convert: Callable[[Row], Node], key: Callable[[Row], int]
) -> Connection[Node]:
    page = list(rows[:first])
    return Connection(
        nodes=[convert(r) for r in page],
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            end_cursor=encode_cursor(key(page[-1])) if page else None,
        ),
    )
