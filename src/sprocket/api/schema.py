"""Stitches each domain's GraphQL part into one schema."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.tools import merge_types

from sprocket.api.errors import DomainErrors
from sprocket.identity.graphql import IdentityMutation, IdentityQuery
from sprocket.league.graphql import LeagueMutation, LeagueQuery
from sprocket.ratings.graphql import RatingsQuery
from sprocket.replays.graphql import ReplayMutation, ReplayQuery, ReplaySubscription
from sprocket.schedule.graphql import ScheduleMutation, ScheduleQuery, ScheduleSubscription
from sprocket.scrims.graphql import ScrimMutation, ScrimQuery, ScrimSubscription
from sprocket.scrims.queue_graphql import ScrimQueueMutation, ScrimQueueQuery

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
Subscription = merge_types(
    "Subscription", (ScheduleSubscription, ReplaySubscription, ScrimSubscription)
)


class _ParserCache(ParserCache):
    """Strawberry's parser cache, minus one flaw: its hook raises a syntax error past the
    error extensions, so the error reached clients without `extensions.code`. A document
    that does not parse is left to Strawberry's own parse step, which reports it properly."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        except GraphQLError:
            context.graphql_document = None
        yield


def build_schema(*, max_depth: int = 10) -> strawberry.Schema:
    # One depth rule for the schema's life: QueryDepthLimiter makes a new rule class per
    # request, which also defeats the validation cache (its key includes the rules).
    depth_rule = create_validator(max_depth, None)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            lambda: AddValidationRules([depth_rule]),
            lambda: _ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            DomainErrors,
        ],
    )


def schema_sdl() -> str:
    """The schema as SDL, as committed in `schema.graphql`."""
    return build_schema().as_str() + "\n"
