"""One error vocabulary: every code the code raises is UPPER_SNAKE and listed once in
docs/errors.md, with where it arises; the catalogue lists no code that no longer exists.

Codes are found in the source itself: every UPPER_SNAKE string literal of ``src/sprocket``
(a code given as ``code=...``, a class's ``code``, a report problem's first argument...),
except the few that are not codes (``NOT_CODES``), ``__all__`` lists, the demo's data and
the migrations. Codes in lowercase would not be found that way, so every value given as a
code (``code=...``, ``code = ...``) must also be UPPER_SNAKE.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "sprocket"
CATALOGUE = ROOT / "docs" / "errors.md"

UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{4,}$")
#: Upper-case literals that are not error codes.
NOT_CODES = {
    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789",  # the alphabet of premade group codes
    "CASCADE",  # SQL
    "DENY",  # X-Frame-Options
    "NFKC",  # Unicode normalization
    "POST",  # HTTP
    "SPROCKET_SECRETS_DIR",  # a setting's variable
}
ROW = re.compile(r"^\| `([A-Z0-9_]+)` \| (.+) \| (.+) \|$")


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if relative.parts[0] == "migrations" or relative.name == "demo.py":
            continue
        found.append((relative.with_suffix("").parts[0], ast.parse(path.read_text())))
    return found


def _all_lists(tree: ast.Module) -> set[int]:
    return {
        id(node)
        for assign in ast.walk(tree)
        if isinstance(assign, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in assign.targets)
        for node in ast.walk(assign.value)
    }


def codes_in_source() -> dict[str, set[str]]:
    """Each code and the packages (``replays``, ``http``...) whose modules hold it."""
    codes: dict[str, set[str]] = defaultdict(set)
    for package, tree in _modules():
        skip = _all_lists(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and UPPER_SNAKE.match(node.value)
                and node.value not in NOT_CODES
                and id(node) not in skip
            ):
                codes[node.value].add(package)
    return codes


def values_given_as_codes() -> set[str]:
    """Every string literal given as ``code=...`` or assigned to ``code``."""
    values = set()
    for _package, tree in _modules():
        for node in ast.walk(tree):
            value = None
            if isinstance(node, ast.keyword) and node.arg == "code":
                value = node.value
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "code" for t in targets):
                    value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                values.add(value.value)
    return values


def catalogue() -> dict[str, set[str]]:
    """Each code of docs/errors.md and the packages its row names."""
    rows: dict[str, set[str]] = {}
    for line in CATALOGUE.read_text().splitlines():
        match = ROW.match(line)
        if match:
            code, _meaning, where = match.groups()
            assert code not in rows, f"{code} is listed twice in docs/errors.md"
            rows[code] = {w.strip().strip("`") for w in where.split(",")}
    return rows


def test_every_code_is_upper_snake() -> None:
    lower = sorted(v for v in values_given_as_codes() if not UPPER_SNAKE.match(v))
    assert lower == [], f"codes must be UPPER_SNAKE: {lower}"


def test_the_catalogue_and_the_code_agree() -> None:
    source, listed = codes_in_source(), catalogue()
    missing = sorted(set(source) - set(listed))
    gone = sorted(set(listed) - set(source))
    assert not missing, "add to docs/errors.md: " + ", ".join(
        f"{code} ({', '.join(sorted(source[code]))})" for code in missing
    )
    assert not gone, f"docs/errors.md lists codes the code no longer has: {gone}"
    wrong = {code: sorted(source[code]) for code in source if source[code] != listed[code]}
    assert not wrong, f"docs/errors.md names the wrong packages (should be): {wrong}"


def test_every_row_has_a_meaning() -> None:
    for line in CATALOGUE.read_text().splitlines():
        match = ROW.match(line)
        if match:
            meaning = match.group(2).strip()
            assert len(meaning) > 15 and meaning.endswith("."), line


def test_the_readme_links_the_catalogue() -> None:
    assert "docs/errors.md" in (ROOT / "README.md").read_text()
