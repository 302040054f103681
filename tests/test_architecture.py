"""The layout the code keeps (see the README's architecture): the doors hold no query, and
the domain packages carry no door framework."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sprocket"
DOORS = [*sorted((SRC / "api").glob("*.py")), SRC / "cli.py"]
DOMAINS = ("identity", "league", "schedule", "stats", "replays", "ratings", "scrims")
QUERY = re.compile(r"\bselect\(|\bsession\.(execute|scalars?|get)\(")


def _imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth of its code."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_doors_build_no_query_and_run_no_statement() -> None:
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in DOORS
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if QUERY.search(line)
    ]
    assert found == [], "reads belong to the domains' services:\n" + "\n".join(found)


def test_domain_packages_import_no_door_framework() -> None:
    found = [
        f"{path.relative_to(SRC)} imports {name}"
        for domain in DOMAINS
        for path in sorted((SRC / domain).rglob("*.py"))
        for name in sorted(_imported(path))
        if name.split(".")[0] == "strawberry" or name.startswith(("sprocket.api", "graphql"))
    ]
    assert found == [], "\n".join(found)
