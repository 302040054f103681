"""Scalars whose input is checked at the boundary, so no resolver sees a value it can't use."""

from __future__ import annotations

import datetime as dt

import strawberry
from graphql import StringValueNode, ValueNode

from sprocket.api.codes import GraphQLCode
from sprocket.errors import InvalidInput


def parse_datetime(value: object) -> dt.datetime:
    """An ISO 8601 date and time as an aware UTC datetime (no offset: taken as UTC).

    Raises ValueError (answered as ``BAD_USER_INPUT``) for text that is not one, or for a
    moment that does not exist in UTC (``0001-01-01T00:00:00+14:00`` falls before year 1).
    """
    if not isinstance(value, str):
        raise ValueError("A DateTime is an ISO 8601 text, e.g. 2030-01-07T19:00:00Z.")
    try:
        moment = dt.datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        raise ValueError(f"'{value[:40]}' is not an ISO 8601 date and time.") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"'{value[:40]}' lies outside the years 1 to 9999 in UTC.") from None


def parse_datetime_literal(node: ValueNode, _variables: object = None) -> dt.datetime:
    """:func:`parse_datetime` of a value written in the query itself. A bad one is
    ``BAD_USER_INPUT``, as in a variable: the ValueError would reach the error extension as
    an unexpected fault, since GraphQL validation wraps it as it is."""
    try:
        return parse_datetime(node.value if isinstance(node, StringValueNode) else None)
    except ValueError as error:
        raise InvalidInput(str(error), code=GraphQLCode.BAD_USER_INPUT) from None


#: The DateTime scalar, mapped onto ``datetime`` by the schema's ``scalar_map``.
UtcDateTime = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date and time; without an offset it is taken as UTC.",
    serialize=lambda moment: moment.isoformat(),
    parse_value=parse_datetime,
    parse_literal=parse_datetime_literal,
)
