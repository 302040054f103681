"""GraphQL IDs are strings; the services speak integers."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from sprocket.db import MAX_ID
from sprocket.errors import CommonCode, InvalidInput


def to_int(value: strawberry.ID | str | int, what: str = "id") -> int:
    """The row id ``value`` names (1 to :data:`MAX_ID`); raises InvalidInput (``INVALID_ID``)
    for anything else, so no lookup sends the database a number its column cannot hold."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"'{value}' is not a valid {what}.", code=CommonCode.INVALID_ID
        ) from None
    if number < 1 or number > MAX_ID:
        raise InvalidInput(f"'{value}' is not a valid {what}.", code=CommonCode.INVALID_ID)
    return number


def maybe_int(value: strawberry.ID | None, what: str = "id") -> int | None:
    return None if value is None else to_int(value, what)


def gid(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))


@dataclass(frozen=True)
class RawId:
    """A mutation's id argument as the client sent it, read by
    :meth:`sprocket.api.context.Context.mutate` once the caller is known, so an anonymous
    caller is asked to sign in before a malformed id is reported (issue 8: who may act is
    answered first)."""

    value: strawberry.ID | str
    what: str = "id"

    @classmethod
    def maybe(cls, value: strawberry.ID | None, what: str = "id") -> RawId | None:
        """An optional id argument: None stays None."""
        return None if value is None else cls(value, what)

    def read(self) -> int:
        """The id; raises InvalidInput ``INVALID_ID`` for one that is no id (see
        :func:`to_int`)."""
        return to_int(self.value, self.what)
