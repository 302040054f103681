"""Docstrings say what callers must know: every public function of a domain (and of flows/)
has a docstring, and it names every error code the function raises itself, whether given
as a member of a code enum (``LeagueCode.ROSTER_FULL``) or as a typed error's own code
(``raise NotFound(...)``: NOT_FOUND). Codes raised by the functions it calls are the
callers' to learn from those."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sprocket import errors

SOURCE = Path(__file__).resolve().parents[1] / "src" / "sprocket"
DOMAINS = (
    "identity",
    "league",
    "schedule",
    "stats",
    "replays",
    "ratings",
    "scrims",
    "notifications",
    "flows",
    "analytics",
)
SKIPPED = {"models.py", "errors.py", "enums.py", "__init__.py"}
TYPED = {
    name: cls.code.value
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.DomainError)
}


def _public_functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for domain in DOMAINS:
        for path in sorted((SOURCE / domain).rglob("*.py")):
            if path.name in SKIPPED:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not (
                    node.name.startswith("_")
                ):
                    found.append((f"{path.relative_to(SOURCE)}:{node.name}", node))
    return found


def _codes_raised(function: ast.AST) -> set[str]:
    codes = set()
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id.endswith("Code")
            and node.attr.isupper()
        ):
            codes.add(node.attr)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            call = node.exc
            name = call.func.id if isinstance(call.func, ast.Name) else None
            if name in TYPED and not any(k.arg == "code" for k in call.keywords):
                codes.add(TYPED[name])
    return codes


FUNCTIONS = _public_functions()


@pytest.mark.parametrize("where,function", FUNCTIONS, ids=[w for w, _ in FUNCTIONS])
def test_a_public_function_documents_itself_and_its_codes(where, function) -> None:
    doc = ast.get_docstring(function)
    assert doc, f"{where} has no docstring"
    missing = sorted(code for code in _codes_raised(function) if code not in doc)
    assert not missing, f"{where}'s docstring does not name the codes it raises: {missing}"
