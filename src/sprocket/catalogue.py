"""The error catalogue, ``docs/errors.md``, written from the code's own error enums.

Each domain declares its codes once, as an :class:`~sprocket.errors.ErrorCode` enum in its
``errors.py`` (a code, and the sentence that says what it means). This module lists those
enums in the catalogue's order and renders the page: one section per enum (its docstring's
first line is the heading, the rest an introduction), one row per code with its meaning and
where it arises: the packages under ``src/sprocket/`` whose modules name the member (found by
reading the source, so the column cannot drift from the code). ``sprocket errors`` writes the
page; a test fails when the committed page differs from :func:`render`.
"""

from __future__ import annotations

import ast
import inspect
from collections import defaultdict
from pathlib import Path

from sprocket.api.codes import GraphQLCode
from sprocket.discord.errors import DiscordCode
from sprocket.errors import CommonCode, ErrorCode
from sprocket.http.errors import HttpCode
from sprocket.identity.errors import IdentityCode
from sprocket.league.errors import LeagueCode
from sprocket.notifications.errors import NotificationCode
from sprocket.platform.errors import PlatformCode
from sprocket.ratings.errors import RatingCode
from sprocket.replays.errors import ProblemCode, ReplayCode
from sprocket.schedule.errors import ScheduleCode
from sprocket.scrims.errors import ScrimCode

#: Every domain's code enum, in the catalogue's order.
ENUMS: tuple[type[ErrorCode], ...] = (
    CommonCode,
    HttpCode,
    GraphQLCode,
    PlatformCode,
    IdentityCode,
    LeagueCode,
    ScheduleCode,
    ReplayCode,
    ProblemCode,
    RatingCode,
    ScrimCode,
    NotificationCode,
    DiscordCode,
)

SOURCE = Path(__file__).resolve().parent

INTRODUCTION = """\
# Error codes

Every error a door shows carries a stable code (GraphQL: `errors[].extensions.code`; every
HTTP refusal has the same JSON shape) and a sentence meant for people. This is the one list
of them: what each means, and where it arises (the package under `src/sprocket/`).

This page is written from the code (`uv run sprocket errors`): each domain declares its codes
once, with their meanings, in its `errors.py`, and a test fails when this page and the code
differ.
"""


def uses() -> dict[ErrorCode, set[str]]:
    """Each code and the packages (``replays``, ``http``...: the first part of a module's path
    under ``src/sprocket/``) whose modules name it as ``EnumName.MEMBER``. Migrations are
    left out: they keep the codes of their day."""
    by_name = {enum.__name__: enum for enum in ENUMS}
    found: dict[ErrorCode, set[str]] = defaultdict(set)
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if relative.parts[0] == "migrations":
            continue
        package = relative.with_suffix("").parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in by_name
                and node.attr in by_name[node.value.id].__members__
            ):
                found[by_name[node.value.id][node.attr]].add(package)
    return found


def render() -> str:
    """The whole catalogue page, as Markdown."""
    where = uses()
    parts = [INTRODUCTION]
    for enum in ENUMS:
        heading, _, introduction = inspect.cleandoc(enum.__doc__ or enum.__name__).partition("\n")
        parts.append(f"\n## {heading.rstrip('.')}\n")
        if introduction.strip():
            parts.append(f"\n{introduction.strip()}\n")
        parts.append("\n| code | meaning | where |\n|---|---|---|\n")
        for code in enum:
            places = ", ".join(f"`{p}`" for p in sorted(where.get(code, ()))) or "(unused)"
            parts.append(f"| `{code}` | {code.meaning} | {places} |\n")
    return "".join(parts)
