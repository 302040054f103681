"""The error codes of the GraphQL door: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class GraphQLCode(ErrorCode):
    """GraphQL requests."""

    UNSUPPORTED_MEDIA_TYPE = (
        "UNSUPPORTED_MEDIA_TYPE",
        "The request's content type is not one the endpoint reads.",
    )
    METHOD_NOT_ALLOWED = (
        "METHOD_NOT_ALLOWED",
        "The address does not take that HTTP method.",
    )
    GRAPHQL_PARSE_FAILED = (
        "GRAPHQL_PARSE_FAILED",
        "The document is not valid GraphQL syntax.",
    )
    GRAPHQL_VALIDATION_FAILED = (
        "GRAPHQL_VALIDATION_FAILED",
        "The document does not fit the schema (an unknown field, a missing argument...).",
    )
    BAD_USER_INPUT = (
        "BAD_USER_INPUT",
        "A variable's or argument's value does not fit its type (e.g. a DateTime outside the "
        "calendar, a missing file).",
    )
    QUERY_TOO_COMPLEX = (
        "QUERY_TOO_COMPLEX",
        "The document passes a limit: tokens (or characters), aliases, depth or estimated cost; "
        "`extensions.details.limit` names it.",
    )
    OPERATION_NEEDS_HTTP = (
        "OPERATION_NEEDS_HTTP",
        "A query or mutation sent over a WebSocket: those are plain HTTP requests (where the "
        "cache, the rate limit and the time limit stand); a WebSocket carries subscriptions only.",
    )
    SUBSCRIPTION_NEEDS_WEBSOCKET = (
        "SUBSCRIPTION_NEEDS_WEBSOCKET",
        "A subscription sent as a plain HTTP request: subscriptions stream over a WebSocket.",
    )
    INVALID_TEXT = (
        "INVALID_TEXT",
        "Text holding a character no database can store (NUL, a lone surrogate).",
    )
    NOT_A_FILE = (
        "NOT_A_FILE",
        "An upload variable holding text or a number instead of a file.",
    )
