"""Node types (and their resolvers) of a door module above the caller's.

The GraphQL modules import each other one way, in the domains' order (``api.league`` imports
``api.identity``, never the reverse). A field of a lower type that answers with a higher type
declares it with ``Annotated[X, strawberry.lazy("sprocket.api.league")]`` and builds it with
:func:`above` when it resolves, once every module is loaded, so no import loop arises.
"""

from __future__ import annotations

from typing import Any

from strawberry import LazyType


def above(module: str, name: str) -> Any:
    """``name`` (a node type or a resolver) of the door module ``module`` (e.g.
    ``"sprocket.api.league"``), which imports the caller's module and so cannot be imported
    by it at load time. Raises KeyError for a name the module does not define."""
    return LazyType(name, module).resolve_type()
