"""GraphQL errors carry `extensions.code`; nothing unexpected leaks a stack trace to a user."""

from __future__ import annotations

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from sprocket.api.codes import GraphQLCode
from sprocket.api.limits import QueryLimits, is_token_limit_error, too_many_tokens
from sprocket.errors import INTERNAL, CommonCode, DomainError


def request_error_code(error: GraphQLError) -> str:
    """The code of an error GraphQL itself raised about the document (no original error)."""
    if error.message.startswith("Syntax Error"):
        return GraphQLCode.GRAPHQL_PARSE_FAILED
    return GraphQLCode.GRAPHQL_VALIDATION_FAILED


class DomainErrors(MaskErrors):
    """Give every error a code: domain errors keep their sentence, the unexpected are masked.

    ``limits``: the query limits, whose token limit the parser reports as a syntax error.
    """

    def __init__(self, *, limits: QueryLimits) -> None:
        super().__init__()
        self.limits = limits

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._with_code(error) for error in errors]

    def _with_code(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None and is_token_limit_error(error):
            original = too_many_tokens(self.limits)
        if isinstance(original, DomainError):
            extensions: dict[str, object] = {"code": original.code}
            if original.details is not None:
                extensions["details"] = _plain(original.details)
            return self._copy(error, original.message, extensions)
        if original is None:
            return self._copy(error, error.message, {"code": request_error_code(error)})
        if isinstance(original, GraphQLError):  # e.g. a bad variable value
            return self._copy(error, error.message, {"code": GraphQLCode.BAD_USER_INPUT})
        return self._copy(error, INTERNAL, {"code": CommonCode.INTERNAL_SERVER_ERROR})

    @staticmethod
    def _copy(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )


def _plain(details: object) -> object:
    """Dataclass details (such as CSV line errors) as JSON-ready values."""
    if isinstance(details, list | tuple):
        return [_plain(d) for d in details]
    if hasattr(details, "__dataclass_fields__"):
        return {k: _plain(getattr(details, k)) for k in details.__dataclass_fields__}
    return details
