"""`sprocket discord sync | roles | sync-role | unsync-role | nickname-prefix` against the
fake Discord API."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from sprocket import cli
from sprocket.cli import app
from sprocket.config import load_settings
from sprocket.db import utcnow
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.jobs import build_runtime
from sprocket.league import guilds, members, rosters
from sprocket.league import service as league
from tests.discord.fake_api import BOT_TOKEN, FakeDiscordApi
from tests.discord.test_discord_cli import isolated  # noqa: F401 - an autouse fixture

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("restore_logging")
ADMIN, CHIOMA, STAFF = "100000000000000009", "100000000000000010", "100000000000000011"
GUILD, HAWKS, OTHER = "600000000000000009", "300000000000000021", "399999999999999999"


def _league() -> int:
    """Organization ``rl`` with the Hawks (HAW), whose team Chioma plays for; its server
    linked; a league staff member who is no admin. Returns the Hawks' id."""

    async def main() -> int:
        platform = build_runtime(load_settings())
        try:
            async with platform.unit_of_work() as session:
                user = await identity.ensure_user(
                    session, discord_id=ADMIN, display_name="Ops", is_superuser=True
                )
                root = Actor(user_id=user.id, is_superuser=True)
                org = await league.create_organization(session, actor=root, slug="rl", name="RL")
                await guilds.link_guild(session, actor=root, organization_id=org.id, guild_id=GUILD)
                hawks = await league.create_franchise(
                    session, actor=root, organization_id=org.id, name="Hawks", code="HAW"
                )
                doubles = await league.create_league(
                    session, actor=root, organization_id=org.id, name="2s", game_mode="doubles"
                )
                start = utcnow() - dt.timedelta(days=1)
                season = await league.create_season(
                    session,
                    actor=root,
                    league_id=doubles.id,
                    number=1,
                    starts_at=start,
                    ends_at=start + dt.timedelta(weeks=8),
                )
                team = await league.create_team(
                    session,
                    actor=root,
                    league_id=doubles.id,
                    name="Hawks 2s",
                    franchise_id=hawks.id,
                )
                chioma = await identity.ensure_user(
                    session, discord_id=CHIOMA, display_name="Chioma"
                )
                member = await members.add_member(
                    session, actor=root, organization_id=org.id, user_id=chioma.id
                )
                player = await members.register_player(
                    session, actor=root, member_id=member.id, league_id=doubles.id
                )
                await rosters.add_to_roster(
                    session, actor=root, team_id=team.id, player_id=player.id, season_id=season.id
                )
                await identity.ensure_user(session, discord_id=STAFF, display_name="Staff")
                return hawks.id
        finally:
            await platform.stop()

    return asyncio.run(main())


def test_configure_and_sync_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, fake_api: FakeDiscordApi
) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    hawks = _league()
    server = fake_api.guild(GUILD)
    server.add_member(CHIOMA, "Chioma", roles=(OTHER,))
    server.add_member("100000000000000012", "Stranger", roles=(HAWKS,))
    monkeypatch.setenv("SPROCKET_DISCORD_API_URL", fake_api.url)

    missing = runner.invoke(app, ["discord", "sync"])
    assert missing.exit_code == 1 and "SPROCKET_DISCORD_BOT_TOKEN" in missing.output
    monkeypatch.setenv("SPROCKET_DISCORD_BOT_TOKEN", BOT_TOKEN)

    def as_admin(*words: str) -> str:
        result = runner.invoke(app, ["discord", *words, "--discord-id", ADMIN])
        assert result.exit_code == 0, result.output
        return result.output

    assert "is synced" in as_admin("sync-role", "rl", GUILD, HAWKS, "franchise", str(hawks))
    assert "are on in server" in as_admin("nickname-prefix", "rl", GUILD, "on")
    shown = as_admin("roles", "rl")
    assert f"Server {GUILD} (franchise tags in nicknames: on)" in shown
    assert f"role {HAWKS}: franchise Hawks [HAW]" in shown

    refused = runner.invoke(
        app, ["discord", "sync-role", "rl", GUILD, "1", "team", "1", "--discord-id", STAFF]
    )
    assert refused.exit_code == 1
    assert "Only an organization admin may" in refused.output and "Traceback" not in refused.output
    bad = runner.invoke(
        app, ["discord", "sync-role", "rl", GUILD, "x1", "team", "1", "--discord-id", ADMIN]
    )
    assert bad.exit_code == 1 and "'x1' is not a Discord role id" in bad.output

    planned = runner.invoke(app, ["discord", "sync", "--org", "rl", "--dry-run", "--json"])
    assert planned.exit_code == 0, planned.output
    report = json.loads(planned.stdout)
    assert (report["dry_run"], report["planned"], report["done"]) == (True, 3, 0)
    assert fake_api.changes() == []

    # The report's table on one line per change. The console reads COLUMNS when the CLI is
    # imported (pytest-xdist's workers set it to 80), so its width is set here.
    monkeypatch.setattr(cli.console, "width", 200)
    done = runner.invoke(app, ["discord", "sync"])
    assert done.exit_code == 0, done.output
    assert "1 servers, 2 members looked at: 3 done" in done.output
    assert "[HAW] Chioma" in done.output and "remove role" in done.output
    assert server.roles_of(CHIOMA) == {OTHER, HAWKS}
    assert server.nick_of(CHIOMA) == "[HAW] Chioma"
    assert server.roles_of("100000000000000012") == set()

    again = runner.invoke(app, ["discord", "sync", "--json"])
    assert json.loads(again.stdout)["done"] == 0

    assert "no longer synced" in as_admin("unsync-role", "rl", GUILD, HAWKS)
    unknown = runner.invoke(app, ["discord", "sync", "--org", "nope"])
    assert unknown.exit_code == 1 and "There is no organization 'nope'." in unknown.output
