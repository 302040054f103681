"""Stitches each domain's GraphQL part into one schema."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, QueryDepthLimiter, ValidationCache
from strawberry.tools import merge_types

from sprocket.api.errors import DomainErrors
from sprocket.identity.graphql import IdentityMutation, IdentityQuery
from sprocket.league.graphql import LeagueMutation, LeagueQuery
from sprocket.schedule.graphql import ScheduleMutation, ScheduleQuery, ScheduleSubscription

Query = merge_types("Query", (IdentityQuery, LeagueQuery, ScheduleQuery))
Mutation = merge_types("Mutation", (IdentityMutation, LeagueMutation, ScheduleMutation))
Subscription = merge_types("Subscription", (ScheduleSubscription,))


def build_schema(*, max_depth: int = 10) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            DomainErrors,
        ],
    )


def schema_sdl() -> str:
    """The schema as SDL, as committed in `schema.graphql`."""
    return build_schema().as_str() + "\n"
