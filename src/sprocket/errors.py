"""Typed domain errors: a stable code for machines and a sentence for people.

Every door (GraphQL, CLI, bot, web) shows ``message`` to the user and exposes ``code``
(GraphQL puts it in ``extensions.code``). ``details`` carries structured extras, such as
the line-numbered problems of a rejected CSV file.
"""

from __future__ import annotations

from typing import Any

#: What a user is told of an unexpected fault (whose details go to the log only).
INTERNAL = "Something went wrong on our side; it has been logged. Please try again."


class DomainError(Exception):
    """Base of every error a user may see."""

    code: str = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    code = "NOT_FOUND"


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Conflict(DomainError):
    """The request collides with existing data (a duplicate, a second roster spot...)."""

    code = "CONFLICT"


class InvalidInput(DomainError):
    """The request is malformed or breaks a rule of the league."""

    code = "INVALID_INPUT"
