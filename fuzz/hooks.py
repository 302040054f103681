"""Schemathesis hooks of the GraphQL fuzz run (``fuzz/api.py`` loads them through
``SCHEMATHESIS_HOOKS=fuzz.hooks``): strategies for our scalars, the league's words for some
arguments, and the check every answer must pass.

Schemathesis writes every argument as a literal in the query text, so the scalars here are
GraphQL value nodes (``schemathesis.graphql.nodes``).
"""

from __future__ import annotations

import json
import random
import string
import zlib
from pathlib import Path
from typing import Any

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from sprocket.league.configuration import KEYS
from sprocket.league.enums import GamePlatform

# -- scalars -----------------------------------------------------------------------------------

#: IDs: mostly small numbers, so requests name rows the demo holds (organizations, leagues and
#: seasons are few; players and matches run to a few hundred) and some it does not; then
#: anything an ID may be: numbers past any column, zero, negative numbers, text.
_WILD_IDS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str).map(nodes.String),
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
    st.text(max_size=30).map(nodes.String),
)
IDS = st.one_of(
    st.integers(min_value=1, max_value=12).map(str).map(nodes.String),
    st.integers(min_value=1, max_value=12).map(nodes.Int),
    st.integers(min_value=1, max_value=400).map(str).map(nodes.String),
    _WILD_IDS,
)

_OFFSETS = st.one_of(
    st.sampled_from(["", "Z", "+00:00", "+14:00", "-12:00"]),
    st.builds(
        "{}{:02d}:{:02d}".format, st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59)
    ),
)
#: ISO 8601 moments over the whole calendar (years 1 to 9999), with or without an offset.
DATETIMES = st.builds(lambda moment, offset: moment.isoformat() + offset, st.datetimes(), _OFFSETS)

_NAMES = st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=12)


def _object(fields: dict[str, graphql.ValueNode]) -> graphql.ObjectValueNode:
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)
            for name, value in fields.items()
        ]
    )


#: Any JSON value: scalars, lists and objects, a few levels deep.
JSON_VALUES = st.recursive(
    st.one_of(
        st.just(nodes.Null),
        st.booleans().map(nodes.Boolean),
        st.integers().map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.text().map(nodes.String),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(nodes.List),
        st.dictionaries(_NAMES, children, max_size=4).map(_object),
    ),
    max_leaves=8,
)

#: Text: any (NUL characters included), and long enough to pass every column's length.
STRINGS = st.one_of(st.text(), st.text(min_size=60, max_size=700)).map(nodes.String)

schemathesis.graphql.scalar("String", STRINGS)
schemathesis.graphql.scalar("ID", IDS)
schemathesis.graphql.scalar("DateTime", DATETIMES.map(nodes.String))
schemathesis.graphql.scalar("JSON", JSON_VALUES)
# A literal can't be a file (files come as multipart variables): the server must refuse it.
schemathesis.graphql.scalar("Upload", st.text(max_size=20).map(nodes.String))

# -- the league's words ------------------------------------------------------------------------

#: Arguments that random text would almost never get right, by name: a generated value is
#: replaced by one of these words most of the time, so the request gets past the first check.
WORDS: dict[str, list[str]] = {
    "gameMode": ["duel", "doubles", "standard"],
    "platform": [p.value for p in GamePlatform],
    "key": list(KEYS),
    "timeZone": ["UTC", "Europe/London", "America/New_York", "Australia/Sydney"],
    "matchFormat": ["bo1", "bo3", "bo5", "bo7", "fixed2", "fixed3"],
    "slug": ["demo", "other-league", "x"],
    "discordId": ["100000000000000001", "100000000000000002", "2"],
}


class _LeagueWords(graphql.Visitor):
    def __init__(self, rnd: random.Random) -> None:
        super().__init__()
        self.rnd = rnd

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
        words = WORDS.get(node.name.value)
        if words is None or not isinstance(node.value, graphql.StringValueNode):
            return None
        if self.rnd.random() < 0.25:
            return None
        value = graphql.StringValueNode(value=self.rnd.choice(words))
        return graphql.ArgumentNode(name=node.name, value=value)


@schemathesis.hook
def flatmap_body(ctx: Any, body: Any) -> st.SearchStrategy[Any]:
    """Put the league's words (``WORDS``) into most arguments named for them."""
    if not isinstance(body, graphql.DocumentNode):
        return st.just(body)
    return st.randoms(use_true_random=False).map(lambda rnd: graphql.visit(body, _LeagueWords(rnd)))


# -- variables, as real clients send values ------------------------------------------------------

SCHEMA = graphql.build_schema((Path(__file__).resolve().parents[1] / "schema.graphql").read_text())


def _with_variables(query: str) -> dict[str, Any]:
    """The request of ``query`` with every argument's value sent as a variable, as real
    clients (gql, Apollo, Relay) send them: a variable's value takes another path through
    the server (``parse_value`` instead of ``parse_literal``, JSON numbers, nested lists)."""
    document = graphql.parse(query)
    type_info = graphql.TypeInfo(SCHEMA)
    variables: dict[str, Any] = {}
    definitions: list[graphql.VariableDefinitionNode] = []

    class Lift(graphql.Visitor):
        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
            argument = type_info.get_argument()
            if argument is None or isinstance(node.value, graphql.VariableNode):
                return None
            variable = graphql.VariableNode(name=graphql.NameNode(value=f"v{len(variables)}"))
            variables[variable.name.value] = graphql.value_from_ast_untyped(node.value)
            definitions.append(
                graphql.VariableDefinitionNode(
                    variable=variable,
                    type=graphql.parse_type(str(argument.type)),
                    directives=(),
                )
            )
            return graphql.ArgumentNode(name=node.name, value=variable)

    lifted = graphql.visit(document, graphql.TypeInfoVisitor(type_info, Lift()))
    operations = [
        graphql.OperationDefinitionNode(
            operation=d.operation,
            name=d.name,
            variable_definitions=tuple(definitions),
            directives=d.directives,
            selection_set=d.selection_set,
        )
        for d in lifted.definitions
        if isinstance(d, graphql.OperationDefinitionNode)
    ]
    text = graphql.print_ast(graphql.DocumentNode(definitions=tuple(operations)))
    return {"query": text, "variables": variables}


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Send every other positive request (by a hash of its query, so a seed replays the same
    run) with its values as variables. Negative ones stay literals: as a JSON variable, a
    wrong literal can become a right value (``3.0`` is no ID literal, but JSON's 3.0 is 3)."""
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if negative or not isinstance(case.body, str) or zlib.crc32(case.body.encode()) % 2:
        return
    try:
        request = _with_variables(case.body)
    except graphql.GraphQLError:  # a query the schema can't type: sent as it is
        return
    case.body = json.dumps(request).encode()


# -- the check ---------------------------------------------------------------------------------


@schemathesis.check
def no_internal_error(ctx: Any, response: Any, case: Any) -> None:
    """No HTTP 5xx, and every GraphQL error typed: an ``extensions.code`` that is not
    ``INTERNAL_SERVER_ERROR`` (the code of a fault the server did not expect)."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    if not isinstance(body, dict):
        raise AssertionError(f"The answer is no JSON object: {response.text[:500]}")
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not code or code == "INTERNAL_SERVER_ERROR":
            raise AssertionError(f"An untyped or internal error: {error}")
