"""`sprocket ratings recompute`: rebuilds the demo's ratings to the same values, and refuses
an unknown organization or game mode with a sentence."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sprocket.cli import app
from sprocket.config import load_settings
from sprocket.jobs import build_runtime
from sprocket.ratings.models import Rating

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None
) -> Iterator[Path]:
    """A fresh working directory, so the command uses its own embedded database; the
    logging setup is restored afterwards."""
    for name in list(os.environ):
        if name.upper().startswith("SPROCKET_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPROCKET_SECRETS_DIR", str(tmp_path / "no-secrets"))
    monkeypatch.setenv("SPROCKET_LOG_FORMAT", "console")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _ratings() -> dict[int, tuple[float, float, int, int]]:
    async def read() -> dict[int, tuple[float, float, int, int]]:
        platform = build_runtime(load_settings())
        try:
            async with platform.reading() as session:
                rows = (await session.scalars(select(Rating))).all()
                return {r.member_id: (r.mu, r.sigma, r.games, r.wins) for r in rows}
        finally:
            await platform.stop()

    return asyncio.run(read())


def test_recompute_rebuilds_the_demo_ratings() -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    before = _ratings()
    assert len(before) > 100

    result = runner.invoke(app, ["ratings", "recompute"])

    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if " / " in line]  # not the logs
    assert len(lines) == 2  # the demo's two game modes
    assert lines[0].startswith("demo / doubles: ") and lines[1].startswith("demo / standard: ")
    assert all("players rated" in line for line in lines)
    assert _ratings() == before

    one = runner.invoke(
        app, ["ratings", "recompute", "--organization", "demo", "--mode", "standard"]
    )
    assert one.exit_code == 0
    assert [line for line in one.output.splitlines() if " / " in line] == [
        line for line in lines if line.startswith("demo / standard: ")
    ]
    assert _ratings() == before


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--organization", "nowhere"], "no organization 'nowhere'"),
        (["--mode", "hoops"], "no game mode 'hoops'"),
    ],
)
def test_recompute_refuses_unknown_names(options: list[str], words: str) -> None:
    result = runner.invoke(app, ["ratings", "recompute", *options])
    assert result.exit_code == 1
    assert words in result.output
