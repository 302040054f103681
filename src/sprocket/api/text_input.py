"""Text a request may carry: no NUL character and no lone surrogate, in any argument.

PostgreSQL stores neither (its text and JSON types refuse U+0000; UTF-8 has no encoding for a
lone surrogate, which JSON's ``\\ud800`` escapes can produce), and no name, reason or CSV line
needs them. So the GraphQL door refuses them once, for every argument and variable, before
any resolver runs, instead of letting each write fail in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ArgumentNode, ObjectFieldNode, StringValueNode, Visitor, visit
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension

from sprocket.api.codes import GraphQLCode
from sprocket.errors import InvalidInput
from sprocket.text import is_storable


class UnstorableText(InvalidInput):
    """Text holding a NUL character or a lone surrogate."""

    code = GraphQLCode.INVALID_TEXT


def _refusal(where: str) -> UnstorableText:
    return UnstorableText(
        f"{where} holds a character no text may hold: the NUL character (U+0000) or a "
        "broken Unicode character (a lone surrogate)."
    )


class _Literals(Visitor):
    """Finds the first string literal that :func:`is_storable` refuses; names its argument."""

    def __init__(self) -> None:
        super().__init__()
        self.where: str | None = None

    def enter_string_value(
        self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: list[Any]
    ) -> Any:
        if is_storable(node.value):
            return None
        chain = [*ancestors, parent]
        names = [a.name.value for a in chain if isinstance(a, ArgumentNode | ObjectFieldNode)]
        self.where = f"The argument '{'.'.join(names)}'" if names else "A text in the query"
        return self.BREAK


def _unstorable_variable(value: object, name: str) -> str | None:
    """The variable (``$name``, or a path into it) holding refused text, if any."""
    if isinstance(value, str):
        return None if is_storable(value) else name
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not is_storable(key):
                return name
            found = _unstorable_variable(item, f"{name}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable_variable(item, f"{name}[{index}]")
            if found:
                return found
    return None


def unstorable_text(document: Any, variables: dict[str, object] | None) -> UnstorableText | None:
    """The refusal of a request whose literals or variables hold refused text, else None.

    ``document``: the parsed GraphQL document; ``variables``: the request's raw variables.
    """
    literals = _Literals()
    visit(document, literals)
    if literals.where:
        return _refusal(literals.where)
    for name, value in (variables or {}).items():
        found = _unstorable_variable(value, f"${name}")
        if found:
            return _refusal(f"The variable {found}")
    return None


class RefuseUnstorableText(SchemaExtension):
    """Refuses a request whose text :func:`is_storable` refuses (``INVALID_TEXT``), before
    validation and execution."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and not context.pre_execution_errors:
            error = unstorable_text(context.graphql_document, context.variables)
            if error is not None:
                context.pre_execution_errors = [GraphQLError(error.message, original_error=error)]
        yield
