"""The layout's rules that import-linter cannot see: the doors hold no query, the domain
packages carry no door framework, no module uses another's underscore names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SOURCE / "sprocket"
DOORS = [
    *sorted((PACKAGE / "api").glob("*.py")),
    *sorted((PACKAGE / "web").glob("*.py")),
    *sorted((PACKAGE / "discord").glob("*.py")),
    PACKAGE / "cli.py",
]
DOMAINS = (
    "identity",
    "league",
    "notifications",
    "schedule",
    "stats",
    "replays",
    "ratings",
    "scrims",
    "analytics",
    "backup",
    "doctor",
)
QUERY = re.compile(r"\bselect\(|\bsession\.(execute|scalars?|get)\(")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module or package of ours (not a function or class)."""
    path = SOURCE.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` reads from, for relative imports too."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not (PACKAGE / Path(*base[1:]) / "__init__.py").is_file():
        base = base[:-1]  # a module's relative import starts from its package
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _uses_of_private_names(path: Path) -> list[str]:
    module = _module_name(path)
    where = path.relative_to(SOURCE.parent)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: dict[str, str] = {}  # local name -> our module it is bound to
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sprocket":
                    if alias.asname:
                        modules[alias.asname] = alias.name
                    else:
                        modules["sprocket"] = "sprocket"
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node)
            for alias in node.names:
                if _private(alias.name) and source != module:
                    found.append(f"{where}:{node.lineno}: from {source} import {alias.name}")
                dotted = f"{source}.{alias.name}"
                if source.split(".")[0] == "sprocket" and _is_module(dotted):
                    modules[alias.asname or alias.name] = dotted
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        chain = []
        value: ast.expr = node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if not isinstance(value, ast.Name) or value.id not in modules:
            continue
        target = ".".join([modules[value.id], *reversed(chain)])
        if _is_module(target) and target != module:
            found.append(f"{where}:{node.lineno}: {target}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    """No module imports another's underscore names (``from x import _name``) or reaches
    for them through an imported module of ours (``service._scrim``)."""
    found = [use for path in sorted(PACKAGE.rglob("*.py")) for use in _uses_of_private_names(path)]
    assert not found, "another module's private names used:\n" + "\n".join(found)


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
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in DOORS
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if QUERY.search(line)
    ]
    assert found == [], "reads belong to the domains' services:\n" + "\n".join(found)


def test_domain_packages_import_no_door_framework() -> None:
    found = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for domain in DOMAINS
        for path in sorted((PACKAGE / domain).rglob("*.py"))
        for name in sorted(_imported(path))
        if name.split(".")[0] in ("strawberry", "jinja2", "fastapi", "starlette", "hikari")
        or name.startswith(("sprocket.api", "sprocket.web", "sprocket.discord", "graphql"))
    ]
    assert found == [], "\n".join(found)
