"""One error vocabulary: every code is a member of a domain's ErrorCode enum (UPPER_SNAKE,
its value its name, with a meaning), docs/errors.md is the catalogue rendered from those
enums (``uv run sprocket errors``), and no code is written as a bare string anywhere.

Codes given as plain strings would escape the catalogue, so the source is read too: every
UPPER_SNAKE string literal of ``src/sprocket`` outside the enums is either one of the few
that are not codes (``NOT_CODES``) or a failure; migrations (which keep the codes of their
day) and the demo's data are left out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sprocket.catalogue import ENUMS, render, uses
from sprocket.errors import ErrorCode

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "sprocket"
CATALOGUE = ROOT / "docs" / "errors.md"

UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{4,}$")
#: Upper-case literals that are not error codes.
NOT_CODES = {
    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789",  # the alphabet of premade group codes
    "AUTOCOMMIT",  # SQLAlchemy's isolation level
    "CASCADE",  # SQL
    "DENY",  # X-Frame-Options
    "NFKC",  # Unicode normalization
    # libpq's environment variables, naming the database to pg_dump and pg_restore
    "PGDATABASE",
    "PGHOST",
    "PGPASSWORD",
    "PGPORT",
    "PGSSLMODE",
    "PGUSER",
    "POST",  # HTTP
    "PROMETHEUS_MULTIPROC_DIR",  # prometheus-client's variable
    "SPROCKET_PORT",  # a setting's variable (the container's health check reads it)
    "SPROCKET_SECRETS_DIR",  # a setting's variable
}


def _enum_bodies(tree: ast.Module) -> set[int]:
    """The nodes inside ErrorCode enums' class bodies and ``__all__`` lists."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id in {"ErrorCode", "StrEnum"}
            for base in node.bases
        ):
            skip |= {id(n) for n in ast.walk(node)}
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skip |= {id(n) for n in ast.walk(node.value)}
    return skip


def _sources() -> list[tuple[Path, ast.Module]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if relative.parts[0] == "migrations" or relative.name == "demo.py":
            continue
        found.append((relative, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def test_the_committed_catalogue_is_the_rendered_one() -> None:
    assert CATALOGUE.read_text(encoding="utf-8") == render(), (
        "docs/errors.md differs from the code: run `uv run sprocket errors`"
    )


def test_no_code_is_a_bare_string() -> None:
    bare = []
    for relative, tree in _sources():
        skip = _enum_bodies(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and UPPER_SNAKE.match(node.value)
                and node.value not in NOT_CODES
                and id(node) not in skip
            ):
                bare.append(f"{relative}:{node.lineno} {node.value}")
    assert bare == [], "use the domain's ErrorCode member instead: " + ", ".join(bare)


def test_every_enum_member_is_upper_snake_and_its_own_name() -> None:
    for enum in ENUMS:
        for code in enum:
            assert code.value == code.name, code
            assert UPPER_SNAKE.match(code.value), code
            assert len(code.meaning) > 15 and code.meaning.endswith("."), code


def test_every_code_is_listed_once_and_used() -> None:
    values = [code.value for enum in ENUMS for code in enum]
    assert len(values) == len(set(values)), "a code is declared by two enums"
    used = uses()
    unused = [code.value for enum in ENUMS for code in enum if code not in used]
    assert unused == [], f"codes no module raises any more: {unused}"


def test_every_error_code_enum_is_in_the_catalogue() -> None:
    import sprocket.app  # noqa: F401  (imports every domain, so every enum exists)
    import sprocket.cli  # noqa: F401

    def subclasses(cls: type) -> set[type]:
        return {s for c in cls.__subclasses__() for s in {c, *subclasses(c)}}

    assert subclasses(ErrorCode) <= set(ENUMS)


def test_the_readme_links_the_catalogue() -> None:
    assert "docs/errors.md" in (ROOT / "README.md").read_text()
