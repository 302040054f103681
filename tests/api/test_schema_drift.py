"""The committed schema.graphql is the schema the code serves."""

from __future__ import annotations

from pathlib import Path

from sprocket.api.schema import schema_sdl

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert COMMITTED.exists(), "schema.graphql is missing: run `uv run sprocket schema`."
    committed = COMMITTED.read_text(encoding="utf-8")
    current = schema_sdl()
    assert committed == current, (
        "schema.graphql differs from the schema the code serves: run `uv run sprocket schema` "
        "and commit the result."
    )


def test_the_exported_schema_names_every_operation() -> None:
    sdl = schema_sdl()
    for root in ("type Query {", "type Mutation {", "type Subscription {"):
        assert root in sdl
    assert sdl.endswith("}\n")
