"""GraphQL IDs are strings; the services speak integers."""

from __future__ import annotations

import strawberry

from sprocket.errors import InvalidInput


def to_int(value: strawberry.ID | str | int, what: str = "id") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{value}' is not a valid {what}.", code="INVALID_ID") from None
    if number < 1 or number > 2**62:
        raise InvalidInput(f"'{value}' is not a valid {what}.", code="INVALID_ID")
    return number


def maybe_int(value: strawberry.ID | None, what: str = "id") -> int | None:
    return None if value is None else to_int(value, what)


def gid(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))
