"""`sprocket discord link-guild | unlink-guild | sync-commands`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sprocket.cli import app
from sprocket.config import load_settings
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.jobs import build_runtime
from sprocket.league import guilds
from sprocket.league import service as league
from tests.discord.fake_api import APPLICATION_ID, BOT_TOKEN, FakeDiscordApi

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("restore_logging")
ADMIN = "100000000000000009"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for name in list(os.environ):
        if name.upper().startswith("SPROCKET_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPROCKET_SECRETS_DIR", str(tmp_path / "no-secrets"))
    monkeypatch.setenv("SPROCKET_LOG_FORMAT", "console")
    monkeypatch.setenv("SPROCKET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _organization() -> None:
    async def main() -> None:
        platform = build_runtime(load_settings())
        try:
            async with platform.unit_of_work() as session:
                user = await identity.ensure_user(
                    session, discord_id=ADMIN, display_name="Ops", is_superuser=True
                )
                actor = Actor(user_id=user.id, is_superuser=True)
                await league.create_organization(session, actor=actor, slug="rl", name="RL")
        finally:
            await platform.stop()

    asyncio.run(main())


def _linked() -> list[str]:
    async def main() -> list[str]:
        platform = build_runtime(load_settings())
        try:
            async with platform.reading() as session:
                org = await league.find_organization(session, slug="rl")
                assert org is not None
                rows = await guilds.linked_guilds(session, organization_id=org.id)
        finally:
            await platform.stop()
        return [row.guild_id for row in rows]

    return asyncio.run(main())


def test_link_and_unlink_a_server() -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    _organization()
    linked = runner.invoke(app, ["discord", "link-guild", "rl", "123456", "--discord-id", ADMIN])
    assert linked.exit_code == 0, linked.output
    assert "Discord server 123456 now acts for RL." in linked.output
    assert _linked() == ["123456"]
    refused = runner.invoke(app, ["discord", "link-guild", "rl", "12x", "--discord-id", ADMIN])
    assert refused.exit_code == 1
    assert "'12x' is not a Discord server id" in refused.output
    assert "Traceback" not in refused.output
    unknown = runner.invoke(app, ["discord", "link-guild", "nope", "1", "--discord-id", ADMIN])
    assert unknown.exit_code == 1 and "There is no organization 'nope'." in unknown.output
    gone = runner.invoke(app, ["discord", "unlink-guild", "rl", "123456", "--discord-id", ADMIN])
    assert gone.exit_code == 0, gone.output
    assert _linked() == []


def test_sync_commands_registers_every_command(
    monkeypatch: pytest.MonkeyPatch, fake_api: FakeDiscordApi
) -> None:
    missing = runner.invoke(app, ["discord", "sync-commands"])
    assert missing.exit_code == 1 and "SPROCKET_DISCORD_APPLICATION_ID" in missing.output
    monkeypatch.setenv("SPROCKET_DISCORD_API_URL", fake_api.url)
    monkeypatch.setenv("SPROCKET_DISCORD_APPLICATION_ID", APPLICATION_ID)
    monkeypatch.setenv("SPROCKET_DISCORD_BOT_TOKEN", "wrong")
    wrong = runner.invoke(app, ["discord", "sync-commands"])
    assert wrong.exit_code == 1 and "Discord refused the commands" in wrong.output
    monkeypatch.setenv("SPROCKET_DISCORD_BOT_TOKEN", BOT_TOKEN)
    result = runner.invoke(app, ["discord", "sync-commands"])
    assert result.exit_code == 0, result.output
    [call] = fake_api.to("PUT", f"/applications/{APPLICATION_ID}/commands")[-1:]
    assert call.headers["authorization"] == f"Bot {BOT_TOKEN}"
    commands = {command["name"]: command for command in call.body}
    assert "/help" in result.output
    assert commands["help"]["description"] == "What each Sprocket command does."
    assert commands["help"]["options"] == []  # acts for no organization
    options = {o["name"]: o for o in commands["match"]["options"]}
    assert options["match"]["type"] == 4 and options["match"]["required"] is True
    assert options["match"]["min_value"] == 1
    team = next(o for o in commands["schedule"]["options"] if o["name"] == "team")
    assert team["type"] == 3 and team["autocomplete"] is True
    assert options["organization"]["autocomplete"] is True
    by = next(o for o in commands["leaderboard"]["options"] if o["name"] == "by")
    assert ("Win rate", "win_rate") in [(c["name"], c["value"]) for c in by["choices"]]
