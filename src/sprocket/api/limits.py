"""Limits on what one GraphQL document may ask for, checked before any of it runs.

A GraphQL document is a small text that can ask for an enormous answer: aliases repeat a
field as often as the sender likes, fragment spreads repeat whole selections, and every list
multiplies what is nested under it. Four limits, each a setting, refuse such documents with
``QUERY_TOO_COMPLEX`` (``details.limit`` names the one exceeded) before the document is even
validated, so a refused document costs a parse and one linear walk:

- **tokens**: lexical tokens in the document, enforced by the parser itself (graphql-core's
  ``max_lexical_tokens``), which bounds the work of everything after it; a document longer
  than ``max_length`` characters is refused under the same name before it is even lexed
  (``max_source_length``);
- **aliases**: aliased fields, counting a fragment's aliases once per spread, as executing
  it would (GraphQL Armor's ``maxAliases``, default 15);
- **depth**: nesting of fields below the root fields (which are at depth 0, as in
  graphql-depth-limit); fragments add the depth of what they hold (Armor's ``maxDepth``,
  6-10);
- **cost**: the number of fields the answer would resolve, each counted once per item of the
  lists it sits in: a list field's page size (its ``first`` or ``games`` argument, from the
  document or its variables, else the argument's default; a connection's page size counts
  for its ``nodes``), else the size its ``@listSize(assumedSize:)`` directive declares (from
  IBM's GraphQL Cost Directives specification), else an assumed ``list_size``. This is
  GitHub's node limit (``first`` times the nodes nested under it) extended to unpaged lists,
  in the spirit of Armor's ``maxCost``.

Fragments are walked once each (their counts are memoized and scaled by where they are
spread), so a document whose fragments spread each other in a chain costs linear time to
measure, however many fields it would expand to.

Every document is charged to its caller's rate limit (:class:`sprocket.http.ratelimit.Meter`)
before it runs: one point per ``SPROCKET_RATE_LIMIT_FIELDS_PER_POINT`` fields of its cost
(its size was charged on arrival); a refused document is charged the cost it asked for, up
to ``max_cost``, so a client sending hostile documents soon meets the rate limit's cheap 429
instead of the parser. Introspection fields (``__schema``,
``__type``) answer from the schema, whose size is fixed: they count toward aliases but not
toward depth or cost.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from strawberry.extensions import ParserCache
from strawberry.schema_directive import Location

from sprocket.api.codes import GraphQLCode
from sprocket.errors import DomainError
from sprocket.paging import MAX_PAGE
from sprocket.platform.ratelimit import RateLimited
from sprocket.text import plural

#: Arguments that set how many items a list field returns.
PAGE_ARGUMENTS = ("first", "games")


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The most items this list holds, for query cost estimates "
    "(IBM GraphQL Cost Directives' @listSize).",
)
class ListSize:
    """Declares a list field's largest size: ``strawberry.field(directives=[ListSize(
    assumed_size=2)])`` on a game's two team lines, say."""

    assumed_size: int


@dataclass(frozen=True)
class QueryLimits:
    """The four limits (see the module's docstring); each a ``SPROCKET_GRAPHQL_MAX_*`` setting."""

    max_tokens: int = 1000
    max_aliases: int = 15
    max_depth: int = 10
    max_cost: int = 50_000
    #: Items assumed in a list field that takes no page size (teams of a group, a roster...).
    list_size: int = 10
    #: Largest page a variable page size counts as when its value is not an integer.
    max_page: int = MAX_PAGE

    @property
    def max_length(self) -> int:
        """Characters a document may have, checked before it is lexed at all: 64 per token
        allowed (names, strings and generous spacing fit in far less)."""
        return 64 * self.max_tokens


class QueryTooComplex(DomainError):
    """A document over one of the limits; ``details`` says which, the maximum and the count."""

    code = GraphQLCode.QUERY_TOO_COMPLEX

    def __init__(self, message: str, *, limit: str, maximum: int, found: int | None) -> None:
        super().__init__(message, details={"limit": limit, "max": maximum, "found": found})


@dataclass
class Measure:
    """What a selection would cost, per item of the list it sits in."""

    aliases: int = 0
    depth: int = 0
    cost: int = 0

    def add(self, other: Measure) -> None:
        """Add a sibling selection's measure."""
        self.aliases += other.aliases
        self.depth = max(self.depth, other.depth)
        self.cost += other.cost


class _Walker:
    """Measures an operation; each fragment is measured once per document."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        limits: QueryLimits,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.memo: dict[tuple[str, int], Measure] = {}
        self.walking: set[str] = set()

    def selections(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType | None, page: int = 0
    ) -> Measure:
        """``page``: the page size a connection field asked for, which the list inside it
        (the connection's ``nodes``) takes instead of ``list_size``."""
        total = Measure()
        if node is None:
            return total
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total.add(self.field(selection, parent, page))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total.add(self.selections(selection.selection_set, inner, page))
            elif isinstance(selection, FragmentSpreadNode):
                total.add(self.fragment(selection.name.value, page))
        return total

    def fragment(self, name: str, page: int) -> Measure:
        known = self.memo.get((name, page))
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.walking:
            return Measure()  # unknown or cyclic: validation reports it
        self.walking.add(name)
        measure = self.selections(
            definition.selection_set,
            self.schema.get_type(definition.type_condition.name.value),
            page,
        )
        self.walking.discard(name)
        self.memo[name, page] = measure
        return measure

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int) -> Measure:
        aliases = 1 if node.alias else 0
        if node.name.value.startswith("__"):  # introspection: sized by the schema
            return Measure(aliases=aliases + self.selections(node.selection_set, None).aliases)
        definition = getattr(parent, "fields", {}).get(node.name.value)
        returns = definition.type if definition is not None else None
        asked = self._asked_page(node, definition)
        is_list = returns is not None and is_list_type(get_nullable_type(returns))
        items, inner_page = 1, 0
        if is_list:
            items = asked or page or _declared_size(definition) or self.limits.list_size
        elif asked:  # a connection: its list takes the page size
            inner_page = asked
        inner = self.selections(
            node.selection_set,
            get_named_type(returns) if returns is not None else None,
            inner_page,
        )
        return Measure(
            aliases=aliases + inner.aliases,
            depth=1 + inner.depth,
            cost=1 + inner.cost * items,
        )

    def _asked_page(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """The page size the field takes (0: it takes none)."""
        if definition is None:
            return 0
        for name in PAGE_ARGUMENTS:
            if name in definition.args:
                return self._page_size(node, name, definition.args[name].default_value)
        return 0

    def _page_size(self, node: FieldNode, name: str, default: Any) -> int:
        value = default
        given = next((a for a in node.arguments or () if a.name.value == name), None)
        if given is not None:
            if isinstance(given.value, IntValueNode):
                value = int(given.value.value)
            elif isinstance(given.value, VariableNode):
                value = self.variables.get(given.value.name.value, default)
        if not isinstance(value, int) or isinstance(value, bool):
            value = self.limits.max_page
        return max(1, min(value, self.limits.max_page))


def _declared_size(definition: GraphQLField | None) -> int | None:
    field = (definition.extensions or {}).get("strawberry-definition") if definition else None
    for directive in getattr(field, "directives", ()):
        if isinstance(directive, ListSize):
            return directive.assumed_size
    return None


def measure_operation(
    schema: GraphQLSchema,
    document: Any,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    limits: QueryLimits,
) -> Measure:
    """The aliases, depth and cost of the operation a request runs.

    ``document``: a parsed ``DocumentNode``; ``operation_name``: the operation to run (None:
    the only one; with several and none named, the worst of each, as execution would refuse
    such a request anyway). Returns the measure; raises nothing (unknown fields and
    fragments count as empty: validation reports them).
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _Walker(schema, fragments, variables or {}, limits)
    worst = Measure()
    for operation in _operations(document, operation_name):
        measure = walker.selections(
            operation.selection_set, schema.get_root_type(operation.operation)
        )
        worst = Measure(
            aliases=max(worst.aliases, measure.aliases),
            depth=max(worst.depth, measure.depth - 1),  # root fields are at depth 0
            cost=max(worst.cost, measure.cost),
        )
    return worst


def _operations(document: Any, name: str | None) -> Iterator[OperationDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            yield definition


def check(measure: Measure, limits: QueryLimits) -> None:
    """Raise QueryTooComplex (code ``QUERY_TOO_COMPLEX``) naming the first limit ``measure``
    exceeds: aliases, then depth, then cost."""
    if measure.aliases > limits.max_aliases:
        raise QueryTooComplex(
            f"This query uses {plural(measure.aliases, 'alias', 'aliases')} (fragments counted "
            f"each time they are spread); at most {limits.max_aliases} are allowed.",
            limit="aliases",
            maximum=limits.max_aliases,
            found=measure.aliases,
        )
    if measure.depth > limits.max_depth:
        raise QueryTooComplex(
            f"This query nests its fields {measure.depth} levels deep; at most "
            f"{plural(limits.max_depth, 'level')} {'is' if limits.max_depth == 1 else 'are'} "
            "allowed. Ask for fewer nested fields at once.",
            limit="depth",
            maximum=limits.max_depth,
            found=measure.depth,
        )
    if measure.cost > limits.max_cost:
        raise QueryTooComplex(
            f"This query would resolve about {measure.cost:,} fields (each list counted at "
            f"its page size); at most {limits.max_cost:,} are allowed. Ask for smaller pages "
            "or fewer nested lists.",
            limit="cost",
            maximum=limits.max_cost,
            found=measure.cost,
        )


def too_many_tokens(limits: QueryLimits) -> QueryTooComplex:
    return QueryTooComplex(
        f"This query is too long: at most {plural(limits.max_tokens, 'token')} (and "
        f"{limits.max_length:,} characters) are allowed.",
        limit="tokens",
        maximum=limits.max_tokens,
        found=None,
    )


def is_token_limit_error(error: GraphQLError) -> bool:
    """Whether the parser refused a document for its length, or its number of tokens or
    comments."""
    return error.message.startswith(
        ("Syntax Error: Document contains more than", "Syntax Error: Source contains more than")
    )


class EnforceQueryLimits(ParserCache):
    """Parses the document within the length and token limits (through Strawberry's parser
    cache), then measures it before validation. Every document is charged to the request's
    rate-limit meter (if any) the cost it asked for (admitted or refused; a document over the
    token limit is charged the most a document may cost), which refuses it
    (``RATE_LIMITED``, before any work) once the caller's budget is spent.

    A document that does not parse is left to Strawberry's own parse step, which reports it
    (the parser cache's own hook would raise the syntax error past the error extensions,
    without ``extensions.code``). Must come before any extension that validates (the
    validation cache), which skips its work once this one has set the document's error.
    """

    def __init__(self, *, limits: QueryLimits, maxsize: int = 256) -> None:
        super().__init__(maxsize=maxsize)
        self.limits = limits

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        options = context.parse_options
        options["max_source_length"] = self.limits.max_length
        options["max_lexical_tokens"] = self.limits.max_tokens
        options["max_comments"] = self.limits.max_tokens
        meter = getattr(context.context, "meter", None)
        try:
            context.graphql_document = self.cached_parse_document(context.query, **options)
        except GraphQLError as error:
            context.graphql_document = None  # Strawberry's own parse step reports it
            if meter is not None and is_token_limit_error(error):
                with contextlib.suppress(RateLimited):  # refused anyway; the meter keeps it
                    await meter.charge_fields(self.limits.max_cost)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and not context.pre_execution_errors:
            measure = measure_operation(
                context.schema._schema,
                context.graphql_document,
                operation_name=context.operation_name,
                variables=context.variables,
                limits=self.limits,
            )
            meter = getattr(context.context, "meter", None)
            try:
                check(measure, self.limits)
            except QueryTooComplex as error:
                context.pre_execution_errors = [GraphQLError(error.message, original_error=error)]
            try:
                if meter is not None:  # the request's share of its caller's rate limit; a
                    # refused document costs what it asked for, up to the most one may ask
                    await meter.charge_fields(min(measure.cost, self.limits.max_cost))
            except RateLimited as error:
                context.pre_execution_errors = [GraphQLError(error.message, original_error=error)]
        yield
