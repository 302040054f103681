"""``/link``: Steam (and Epic where the server signs in at Epic) answer with the web's page
that proves the account by signing in at the platform, which a browser not signed in
reaches through the Discord sign-in (fakes of Discord's OAuth2 and of Steam's OpenID);
Xbox, PlayStation and Switch make a pending link through the settings page's service. Bad
input (not a member, no id, a malformed id, an unknown platform) is refused ephemerally and
links nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.league import lookup
from sprocket.league.models import PlatformAccount
from sprocket.runtime import Runtime
from tests.discord.conftest import EPHEMERAL, DiscordDoor
from tests.discord.support import as_role, discord_id, link_world
from tests.league_world import World
from tests.web.fake_discord import FakeDiscord, running_fake_discord
from tests.web.fake_steam import STEAM_ID, FakeSteam, running_fake_steam

SITE = "http://sprocket.test"
PLAYER = as_role("player")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The web's address, which ``/link`` links to."""
    return settings.model_copy(update={"public_url": SITE})


@pytest.fixture
async def linked(platform: Runtime, world: World) -> World:
    await link_world(platform, world)
    return world


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    with running_fake_discord() as fake:
        yield fake


@pytest.fixture
def steam() -> Iterator[FakeSteam]:
    with running_fake_steam() as fake:
        yield fake


async def links(platform: Runtime) -> list[tuple[int, str, str, str]]:
    async with platform.reading() as session:
        rows = await session.scalars(select(PlatformAccount).order_by(PlatformAccount.id))
        return [(a.member_id, a.platform, a.account_id, a.status) for a in rows]


async def member_id(platform: Runtime, world: World, role: str) -> int:
    async with platform.reading() as session:
        member = await lookup.current_member(
            session, organization_id=world.organization_id, user_id=world.user_ids[role]
        )
    assert member is not None
    return member.id


def content(answer: dict) -> str:
    assert answer["data"]["flags"] == EPHEMERAL, answer
    return answer["data"]["content"]


async def test_xbox_playstation_and_switch_make_pending_links(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    mine = await member_id(platform, linked, "player")
    entered = [("xbox", "Rocket Gamer 7", "Xbox"), ("psn", "rl_rocketeer", "PlayStation")]
    entered.append(("switch", "SW-1234-5678-9012", "Switch"))
    for platform_value, account, name in entered:
        answer = await door.command(
            "link", {"platform": platform_value, "id": account}, user=PLAYER
        )
        assert content(answer) == (
            f"Your {name} account {account} is linked, pending: it counts once it is confirmed, "
            "by a claim of it from a replay of one of your games (confirmed by the other side "
            "or staff) or by league staff linking it."
        )
    assert await links(platform) == [
        (mine, "xbox", "Rocket Gamer 7", "pending"),
        (mine, "psn", "rl_rocketeer", "pending"),
        (mine, "switch", "SW-1234-5678-9012", "pending"),
    ]


async def test_epic_is_entered_where_the_server_has_no_epic_sign_in(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    mine = await member_id(platform, linked, "player")
    account = "C94906C1E0CB4014AA414EDABDCAE2D7"
    answer = await door.command("link", {"platform": "epic", "id": account}, user=PLAYER)
    assert content(answer).startswith(f"Your Epic account {account.lower()} is linked, pending")
    assert await links(platform) == [(mine, "epic", account.lower(), "pending")]


async def test_bad_links_are_refused_and_link_nothing(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    cases = [
        (
            as_role("outsider"),
            {"platform": "xbox", "id": "Someone"},
            "Only members of this organization link game accounts to it; join it first.",
        ),
        (
            PLAYER,
            {"platform": "switch"},
            "Give your Switch account's name or id with the id option.",
        ),
        (
            PLAYER,
            {"platform": "epic", "id": "not-an-epic-id"},
            "'not-an-epic-id' is not a valid Epic account id: expected a 32-character "
            "hexadecimal Epic account id.",
        ),
        (
            PLAYER,
            {"platform": "origin", "id": "x"},
            "Unknown platform 'origin'. Use one of: steam, epic, psn, xbox, switch.",
        ),
    ]
    for user, options, sentence in cases:
        assert content(await door.command("link", options, user=user)) == sentence
    assert await links(platform) == []


@asynccontextmanager
async def browser(
    platform: Runtime, settings: Settings, fake_discord: FakeDiscord, steam: FakeSteam
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser (keeping cookies) on the web door, with the Discord sign-in and Steam's
    OpenID at their fakes."""
    web = settings.model_copy(update={**fake_discord.settings(), "steam_openid_url": steam.url})
    app = create_app(web, runtime=platform)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=SITE, headers={"accept": "text/html"}
    ) as client:
        yield client


async def outside(url: str) -> str:
    """Where a fake (Discord's authorize step, Steam's login) sends the browser back: the
    path and query on our site."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(url)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == SITE
    return f"{back.path}?{back.query}"


async def test_steam_links_to_the_web_which_signs_a_stranger_in_with_discord_first(
    door: DiscordDoor,
    platform: Runtime,
    settings: Settings,
    linked: World,
    fake_discord: FakeDiscord,
    steam: FakeSteam,
) -> None:
    mine = await member_id(platform, linked, "player")
    answer = content(await door.command("link", {"platform": "steam"}, user=PLAYER))
    start = f"/settings/link/steam?member={mine}"
    assert answer == (
        f"Prove your Steam account by signing in at Steam: {SITE}{start}\n"
        "(A browser not signed in to Sprocket signs in with Discord first, then goes on.)"
    )
    fake_discord.person = {**PLAYER, "id": discord_id("player"), "avatar": None}
    async with browser(platform, settings, fake_discord, steam) as client:
        stranger = await client.get(start)
        assert stranger.status_code == 303
        assert stranger.headers["location"] == (
            f"/sign-in/discord?next=%2Fsettings%2Flink%2Fsteam%3Fmember%3D{mine}"
        )
        to_discord = await client.get(stranger.headers["location"])
        assert to_discord.status_code == 303
        signed_in = await client.get(await outside(to_discord.headers["location"]))
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == start  # back where the link led
        to_steam = await client.get(start)
        assert to_steam.status_code == 303
        assert to_steam.headers["location"].startswith(steam.url)
        done = await client.get(await outside(to_steam.headers["location"]))
        assert done.status_code == 303 and done.headers["location"] == "/settings#accounts"
    assert await links(platform) == [(mine, "steam", STEAM_ID, "verified")]


async def test_the_link_is_of_no_use_to_someone_else(
    door: DiscordDoor,
    platform: Runtime,
    settings: Settings,
    linked: World,
    fake_discord: FakeDiscord,
    steam: FakeSteam,
) -> None:
    answer = content(await door.command("link", {"platform": "steam"}, user=PLAYER))
    start = urlsplit(answer.split(": ", 1)[1].split("\n")[0])
    fake_discord.person = {**as_role("outsider"), "avatar": None}  # who opens the link
    async with browser(platform, settings, fake_discord, steam) as client:
        path = f"{start.path}?{start.query}"
        to_discord = await client.get((await client.get(path)).headers["location"])
        back = await client.get(await outside(to_discord.headers["location"]))
        refused = await client.get(back.headers["location"])
        assert refused.status_code == 403
        assert "You may link game accounts to your own membership only." in refused.text
    assert await links(platform) == []


async def test_epic_links_to_the_web_where_the_server_signs_in_at_epic(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    platform.settings = platform.settings.model_copy(
        update={"epic_client_id": "epic-client", "epic_client_secret": "epic-secret"}
    )
    mine = await member_id(platform, linked, "player")
    answer = content(await door.command("link", {"platform": "epic", "id": "ignored"}, user=PLAYER))
    assert answer.startswith(
        f"Prove your Epic account by signing in at Epic: {SITE}/settings/link/epic?member={mine}\n"
    )
    assert await links(platform) == []


async def test_without_the_webs_address_steam_cannot_be_linked_from_discord(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    platform.settings = platform.settings.model_copy(update={"public_url": None})
    answer = content(await door.command("link", {"platform": "steam"}, user=PLAYER))
    assert answer == (
        "Linking a Steam account happens on the web, whose address this server does not know "
        "(its operator sets SPROCKET_PUBLIC_URL); use the settings page there."
    )
