"""GraphQL IDs are strings; the services speak integers."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from sprocket.errors import InvalidInput

#: What a mutation's service gets for an id that is no id at all: no row has it (ids start
#: at 1), so the service answers as for any id that names nothing (see :class:`RawId`).
NO_ROW = 0


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


@dataclass(frozen=True)
class RawId:
    """A mutation's id argument as the client sent it, read by
    :meth:`sprocket.api.context.Context.mutate` after the caller is known, so that the
    service's check of who may act answers before a malformed id does (the first rule of
    issue 8: who may act is checked before anything else)."""

    value: strawberry.ID | str
    what: str = "id"

    @classmethod
    def maybe(cls, value: strawberry.ID | None, what: str = "id") -> RawId | None:
        """An optional id argument: None stays None."""
        return None if value is None else cls(value, what)

    def read(self) -> tuple[int, InvalidInput | None]:
        """The id, or :data:`NO_ROW` with the ``INVALID_ID`` error to answer instead."""
        try:
            return to_int(self.value, self.what), None
        except InvalidInput as error:
            return NO_ROW, error
