"""Stitches each domain's GraphQL part into one schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import strawberry
from graphql.error import GraphQLError
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.base import StrawberryOptional
from strawberry.types.graphql import OperationType

from sprocket.api.codes import GraphQLCode
from sprocket.api.errors import DomainErrors, request_error_code
from sprocket.api.identity import IdentityMutation, IdentityQuery
from sprocket.api.league import LeagueMutation, LeagueQuery
from sprocket.api.limits import EnforceQueryLimits, QueryLimits
from sprocket.api.ratings import RatingsQuery
from sprocket.api.replays import ReplayMutation, ReplayQuery, ReplaySubscription
from sprocket.api.scalars import UtcDateTime
from sprocket.api.schedule import ScheduleMutation, ScheduleQuery, ScheduleSubscription
from sprocket.api.scrim_queue import ScrimQueueMutation, ScrimQueueQuery
from sprocket.api.scrims import ScrimMutation, ScrimQuery, ScrimSubscription
from sprocket.api.text_input import RefuseUnstorableText
from sprocket.errors import DomainError
from sprocket.logs import log

Query = merge_types(
    "Query",
    (
        IdentityQuery,
        LeagueQuery,
        ScheduleQuery,
        ReplayQuery,
        RatingsQuery,
        ScrimQuery,
        ScrimQueueQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        IdentityMutation,
        LeagueMutation,
        ScheduleMutation,
        ReplayMutation,
        ScrimMutation,
        ScrimQueueMutation,
    ),
)


def _per_field_results(mutation: type) -> type:
    """Make every mutation field nullable, so a document with several mutation fields
    answers each one: the results of those that succeeded (each ran in its own transaction
    and stays applied) and, for one that failed, ``null`` with its error at its path. With
    non-null fields, one failure would null the whole ``data`` and hide what was applied.
    GraphQL runs a document's mutation fields one after another, and a failure does not stop
    the fields after it (the GraphQL specification's "Executing Selection Sets")."""
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if not isinstance(field.type, StrawberryOptional):
            field.type = StrawberryOptional(field.type)
    return mutation


Mutation = _per_field_results(Mutation)
Subscription = merge_types(
    "Subscription", (ScheduleSubscription, ReplaySubscription, ScrimSubscription)
)


class _ValidationCache(ValidationCache):
    """Strawberry's validation cache, which validates nothing a limit has already refused
    (the document's error is set by :class:`EnforceQueryLimits`, which runs first)."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()


class _OperationsByTransport(SchemaExtension):
    """Subscriptions stream over a WebSocket (graphql-transport-ws); queries and mutations
    are plain HTTP requests, where the response cache, the rate limit and the time limit
    stand. Either sent the other way is refused before it runs (over HTTP the library would
    run a subscription as a query and fail; over a WebSocket a query would escape the
    request guards)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        kind = _operation_type(context)
        error = None
        if context.graphql_document is None or context.pre_execution_errors or kind is None:
            pass
        elif isinstance(request, WebSocket) and kind is not OperationType.SUBSCRIPTION:
            error = DomainError(
                "Queries and mutations are plain HTTP requests (POST /graphql); a WebSocket "
                "carries subscriptions only.",
                code=GraphQLCode.OPERATION_NEEDS_HTTP,
            )
        elif isinstance(request, Request) and kind is OperationType.SUBSCRIPTION:
            error = DomainError(
                "Subscriptions stream over a WebSocket (the graphql-transport-ws protocol), "
                "not a plain HTTP request.",
                code=GraphQLCode.SUBSCRIPTION_NEEDS_WEBSOCKET,
            )
        if error is not None:
            context.pre_execution_errors = [GraphQLError(error.message, original_error=error)]
        yield


def _operation_type(context: ExecutionContext) -> OperationType | None:
    try:
        return context.operation_type
    except RuntimeError:  # no such operation: execution reports it
        return None


class _Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log each error once: an expected refusal (a domain error, a malformed or refused
        document) as one line at info, an unexpected fault at error with its traceback."""
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, DomainError | GraphQLError):
                code = getattr(original, "code", None) or request_error_code(error)
                log.info("graphql.refused", code=code, path=error.path, message=error.message)
            else:
                log.error("graphql.unexpected_error", path=error.path, exc_info=original)


def build_schema(*, limits: QueryLimits | None = None) -> strawberry.Schema:
    """The schema with its extensions: query limits (``limits``, defaults when None), parser
    and validation caches, text no database refuses, and typed errors."""
    limits = limits or QueryLimits()
    return _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map={dt.datetime: UtcDateTime}),
        extensions=[
            lambda: EnforceQueryLimits(limits=limits),
            _OperationsByTransport,
            RefuseUnstorableText,
            lambda: _ValidationCache(maxsize=256),
            lambda: DomainErrors(limits=limits),
        ],
    )


def schema_sdl() -> str:
    """The schema as SDL, as committed in `schema.graphql`."""
    return build_schema().as_str() + "\n"
