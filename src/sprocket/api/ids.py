"""GraphQL IDs are strings; the services speak integers."""

from __future__ import annotations

import strawberry

from sprocket.errors import InvalidInput

#: The largest id a row can have: ids are INTEGER columns, 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1


def to_int(value: strawberry.ID | str | int, what: str = "id") -> int:
    """The row id ``value`` names (1 to :data:`MAX_ID`); raises InvalidInput (``INVALID_ID``)
    for anything else, so no lookup sends the database a number its column cannot hold."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{value}' is not a valid {what}.", code="INVALID_ID") from None
    if number < 1 or number > MAX_ID:
        raise InvalidInput(f"'{value}' is not a valid {what}.", code="INVALID_ID")
    return number


def maybe_int(value: strawberry.ID | None, what: str = "id") -> int | None:
    return None if value is None else to_int(value, what)


def gid(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))
