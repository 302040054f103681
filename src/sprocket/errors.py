"""Typed domain errors: a stable code for machines and a sentence for people.

Every door (GraphQL, CLI, bot, web) shows ``message`` to the user and exposes ``code``
(GraphQL puts it in ``extensions.code``). ``details`` carries structured extras, such as
the line-numbered problems of a rejected CSV file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self, TypeVar

T = TypeVar("T")
S = TypeVar("S", bound=StrEnum)

#: What a user is told of an unexpected fault (whose details go to the log only).
INTERNAL = "Something went wrong on our side; it has been logged. Please try again."


class ErrorCode(StrEnum):
    """Base of each domain's error codes (one enum per domain, in its ``errors.py``).

    A member is declared ``NAME = "NAME", "What it means, as one sentence."``: its value is
    the code a door shows (UPPER_SNAKE, equal to the member's name), and ``meaning`` is the
    catalogue's sentence for it. The enum's docstring titles its section of the catalogue
    (``docs/errors.md``, written by :mod:`sprocket.catalogue`).
    """

    meaning: str

    def __new__(cls, code: str, meaning: str) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        return member


class CommonCode(ErrorCode):
    """Codes any domain raises.

    The base codes of the typed errors (``NotFound``, ``PermissionDenied``...): most errors
    carry a more precise code of their domain.
    """

    BAD_REQUEST = (
        "BAD_REQUEST",
        "A request the server cannot act on (the base code of a typed error, or a transport "
        "refusal without a more precise code).",
    )
    NOT_FOUND = (
        "NOT_FOUND",
        "No such page, or no row with that id (or none the caller may know of).",
    )
    UNAUTHENTICATED = (
        "UNAUTHENTICATED",
        "The action needs a signed-in caller (a personal API token).",
    )
    PERMISSION_DENIED = (
        "PERMISSION_DENIED",
        "The caller may not do this (checked before anything else).",
    )
    CONFLICT = (
        "CONFLICT",
        "The request collides with existing data (the base code; most carry a more precise one).",
    )
    INVALID_INPUT = (
        "INVALID_INPUT",
        "Input that breaks a rule (the base code of a typed error; most carry a more precise one).",
    )
    INVALID_ID = (
        "INVALID_ID",
        "An id that is no id at all (text, zero, negative, past 32 bits).",
    )
    INVALID_CURSOR = (
        "INVALID_CURSOR",
        "A pagination cursor this API did not give out.",
    )
    INVALID_PAGE_SIZE = (
        "INVALID_PAGE_SIZE",
        "A page size out of its range (`first`: 1 to 100).",
    )
    INTERNAL_SERVER_ERROR = (
        "INTERNAL_SERVER_ERROR",
        "An unexpected fault on the server: the message is generic, the fault is logged with "
        "its traceback.",
    )
    INVALID_STATUS = (
        "INVALID_STATUS",
        "Text that names no state of its kind (a scrim's or a match's status), from a door "
        "that passes states as text.",
    )
    INVALID_TIME_ZONE = (
        "INVALID_TIME_ZONE",
        "A time zone that is not an IANA name.",
    )


class DomainError(Exception):
    """Base of every error a user may see.

    ``code``: a member of a domain's :class:`ErrorCode` enum (None: the class's own code);
    ``details``: structured extras a door passes on (``extensions.details`` in GraphQL).
    """

    code: ErrorCode = CommonCode.BAD_REQUEST

    def __init__(self, message: str, *, code: ErrorCode | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    code = CommonCode.NOT_FOUND


class PermissionDenied(DomainError):
    code = CommonCode.PERMISSION_DENIED


class Unauthenticated(DomainError):
    code = CommonCode.UNAUTHENTICATED


class Conflict(DomainError):
    """The request collides with existing data (a duplicate, a second roster spot...)."""

    code = CommonCode.CONFLICT


class InvalidInput(DomainError):
    """The request is malformed or breaks a rule of the league."""

    code = CommonCode.INVALID_INPUT


def found(value: T | None, what: str, ident: object) -> T:
    """Return ``value`` or raise NotFound with a sentence naming what was looked for."""
    if value is None:
        raise NotFound(f"There is no {what} with id {ident}.")
    return value


def state_of(states: type[S], value: S | str, *, what: str) -> S:
    """``value`` (a member of the state enum ``states``, or its stored text) as the member.
    Any other text raises InvalidInput (``INVALID_STATUS``), saying "'x' is not a ``what``. Use one
    of: ..." (the stored values): for doors that pass a state as text."""
    if value not in list(states):
        raise InvalidInput(
            f"'{value}' is not a {what}. Use one of: {', '.join(states)}.",
            code=CommonCode.INVALID_STATUS,
        )
    return states(value)
